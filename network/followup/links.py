"""Resources attached to situation pictures and measures, through the resources feature's
services (its link table keyed by kind and id; it knows nothing of follow-up)."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from network.extensions import db
from network.followup import permissions as followup_permissions
from network.followup.models import Measure, SituationPicture
from network.followup.views import bp
from network.i18n import gettext as _
from network.resources import services as resources

PICTURE, MEASURE = "followup_picture", "followup_measure"


def _picture_link(user: Any, object_id: int) -> tuple[str, str] | None:
    picture = db.session.get(SituationPicture, object_id)
    if picture is None or not followup_permissions.can_view_municipality(user, picture.municipality_code):
        return None
    # Plain paths: resolvers also run outside requests (CLI, feeds, tests).
    return (_("Lägesbild %(year)s", year=picture.year) + f": {picture.municipality.name}",
            f"/uppfoljning/kommun/{picture.municipality_code}/lagesbild/{picture.year}")


def _measure_link(user: Any, object_id: int) -> tuple[str, str] | None:
    measure = db.session.get(Measure, object_id)
    if measure is None or not followup_permissions.can_view_measure(user, measure):
        return None
    return measure.title, f"/uppfoljning/atgard/{measure.id}"


def init_app(app: Flask) -> None:
    resources.register_link_kind(app, PICTURE, _picture_link)
    resources.register_link_kind(app, MEASURE, _measure_link)


def attached(kind: str, object_id: int) -> list:
    return resources.resources_for(current_user, kind, object_id)


def choices() -> list[tuple[int, str]]:
    return resources.picker_choices(current_user)


def _target(kind: str, object_id: int) -> tuple[str, str]:
    """(municipality code, page url) of the object, 404 if the user may not see it."""
    model = SituationPicture if kind == PICTURE else Measure
    obj = db.get_or_404(model, object_id)
    if not followup_permissions.can_view_municipality(current_user, obj.municipality_code):
        abort(404)
    if kind == PICTURE:
        return obj.municipality_code, url_for(".picture", code=obj.municipality_code, year=obj.year)
    return obj.municipality_code, url_for(".measure", measure_id=obj.id)


@bp.post("/uppfoljning/<any(lagesbild, atgard):what>/<int:object_id>/resurser")
@login_required
def resource_attach(what: str, object_id: int):
    kind = PICTURE if what == "lagesbild" else MEASURE
    code, back = _target(kind, object_id)
    if not followup_permissions.can_edit_municipality(current_user, code):
        abort(403)
    resource = resources.get_visible(current_user, request.form.get("resource_id", type=int) or 0)
    if resource is None:
        flash(_("Välj en resurs ur biblioteket."), "error")
        return redirect(back + "#resurser")
    try:
        resources.attach(current_user, resource, kind, object_id)
    except PermissionError:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(_("Resursen är bifogad."), "success")
    return redirect(back + "#resurser")


@bp.post("/uppfoljning/<any(lagesbild, atgard):what>/<int:object_id>/resurser/<int:resource_id>/ta-bort")
@login_required
def resource_detach(what: str, object_id: int, resource_id: int):
    kind = PICTURE if what == "lagesbild" else MEASURE
    code, back = _target(kind, object_id)
    if not followup_permissions.can_edit_municipality(current_user, code):
        abort(403)
    resource = resources.get_visible(current_user, resource_id)
    if resource is not None:
        resources.detach(current_user, resource, kind, object_id)
        db.session.commit()
        flash(_("Resursen är inte längre bifogad."), "success")
    return redirect(back + "#resurser")
