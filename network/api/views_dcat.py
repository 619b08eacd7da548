"""The DCAT-AP-SE catalogue at a stable address, as RDF/XML, Turtle or JSON-LD."""

from __future__ import annotations

import hashlib

from flask import abort, current_app, request
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from network.api import dcat
from network.api.blueprint import bp
from network.extensions import db, limiter
from network.followup.models import ExperienceReport, ReportStatus
from network.resources import services as resources
from network.resources.models import THEMES

SUFFIXES = {suffix: fmt for fmt, (_mime, suffix) in dcat.FORMATS.items()}


def _graph():
    # Exactly what a visitor may see: the library's own browse query with a visitor as user.
    visitor = AnonymousUserMixin()
    public = list(db.session.scalars(resources.browse_query(visitor, resources.Filters())))
    bank_modified = db.session.scalar(
        select(func.max(ExperienceReport.published_at))
        .where(ExperienceReport.status == ReportStatus.PUBLISHED.value))
    config = current_app.config
    publisher = dcat.Publisher(base_url=config["PUBLIC_BASE_URL"], name=config["DCAT_PUBLISHER"],
                               email=config["CONTACT_EMAIL"], title=config["NETWORK_NAME"])
    return dcat.catalogue(publisher, public, THEMES, bank_modified)


def _answer(fmt: str):
    mimetype, _suffix = dcat.FORMATS[fmt]
    body = dcat.serialise(_graph(), fmt)
    response = current_app.response_class(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept")
    return response.make_conditional(request)


@bp.get("/dcat")
@limiter.exempt
def dcat_catalogue():
    """Content negotiation; RDF/XML (what harvesters ask for first) when nothing is preferred."""
    offered = [mime for mime, _suffix in dcat.FORMATS.values()]
    best = request.accept_mimetypes.best_match(offered, default="application/rdf+xml")
    return _answer(next(fmt for fmt, (mime, _s) in dcat.FORMATS.items() if mime == best))


@bp.get("/dcat.<suffix>")
@limiter.exempt
def dcat_catalogue_as(suffix: str):
    if suffix not in SUFFIXES:
        abort(404)
    return _answer(SUFFIXES[suffix])
