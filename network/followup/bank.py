"""Experience reports: the municipality's draft → review → publish workflow, and the public bank.

The bank (``/erfarenhetsbank``) is open to everyone, with or without an account, and shows only
published reports; searching uses the full-text kind "experience", which is indexed only while a
report is published.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from network import atom, fulltext
from network.accounts.models import ClassificationLevel, County, Municipality, OrganisationType
from network.extensions import db, limiter
from network.followup import forms, review, services
from network.followup import permissions as followup_permissions
from network.followup.labels import THEMES
from network.followup.models import ExperienceReport, Indicator, ReportStatus, SizeClass, Theme
from network.followup.views import bp, commit_or_flash, load_report
from network.fragments import shared
from network.i18n import gettext as _
from network.pagecache import cached_page

PER_PAGE = 20
FEED_SIZE = 50
MAX_MATCHES = 500  # a search lists at most this many reports, best first


# -- the municipality's workflow ---------------------------------------------------------------


@bp.get("/uppfoljning/rapport/<int:report_id>")
@login_required
def report(report_id: int):
    report = db.session.get(ExperienceReport, report_id)
    if report is not None and report.is_published and not followup_permissions.can_view_municipality(
            current_user, report.municipality_code):
        return redirect(url_for(".bank_report", report_id=report.id))
    report = load_report(report_id)
    return render_template("followup/report.html", report=report,
                           can_edit=followup_permissions.can_edit_report(current_user, report),
                           may=review.review_choices(current_user, report))


@bp.route("/uppfoljning/rapport/<int:report_id>/redigera", methods=["GET", "POST"])
@login_required
def report_edit(report_id: int):
    report = load_report(report_id)
    if not followup_permissions.can_edit_report(current_user, report):
        abort(403)
    form = forms.ReportForm(obj=report)
    if request.method == "GET":
        form.actor_types.data = report.actor_type_list
    if form.validate_on_submit():
        texts = {name: getattr(form, name).data or "" for name in services.REPORT_TEXT_FIELDS}
        if commit_or_flash(lambda: services.update_report(
                current_user, report, theme=form.theme.data, area_level=form.area_level.data,
                size_class=form.size_class.data, actor_types=form.actor_types.data or [], **texts),
                _("Rapporten är sparad.")):
            return redirect(url_for(".report", report_id=report.id))
    return render_template("followup/report_form.html", form=form, report=report)


@bp.post("/uppfoljning/rapport/<int:report_id>/ta-bort")
@login_required
def report_delete(report_id: int):
    report = load_report(report_id)
    if not followup_permissions.can_edit_report(current_user, report):
        abort(403)
    code = report.municipality_code
    services.delete_report(current_user, report)
    db.session.commit()
    flash(_("Rapporten är borttagen."), "success")
    return redirect(url_for(".municipality", code=code))


# -- the public bank ---------------------------------------------------------------------------


ALLOWED_FILTERS = {
    "theme": frozenset(t.value for t in Theme),
    "actor": frozenset(t.value for t in OrganisationType),
    "level": frozenset(lv.value for lv in ClassificationLevel),
    "size": frozenset(s.value for s in SizeClass),
}


def _filters(args) -> dict[str, str]:
    """Only known values pass; anything else is ignored rather than an error."""
    chosen = {k: args.get(k, "") for k, allowed in ALLOWED_FILTERS.items() if args.get(k, "") in allowed}
    county = args.get("county", "")
    if len(county) == 2 and county.isdigit():
        chosen["county"] = county
    problem = args.get("problem", "").strip()[:100]
    if problem:
        chosen["problem"] = problem
    return chosen


def ranked_ids(user, q: str) -> list[int]:
    matches = fulltext.matching_object_ids(user, q, "experience")
    if matches is None:
        return []
    return list(db.session.scalars(
        select(matches.c.object_id).order_by(matches.c.rank).limit(MAX_MATCHES)))


def bank_query(user, q: str, chosen: dict[str, str]):
    query = select(ExperienceReport).where(ExperienceReport.status == ReportStatus.PUBLISHED.value)
    if "theme" in chosen:
        query = query.where(ExperienceReport.theme == chosen["theme"])
    if "actor" in chosen:
        query = query.where(ExperienceReport.actor_types.contains(f",{chosen['actor']},"))
    if "level" in chosen:
        query = query.where(ExperienceReport.area_level == chosen["level"])
    if "size" in chosen:
        query = query.where(ExperienceReport.size_class == chosen["size"])
    if "county" in chosen:
        query = query.where(ExperienceReport.municipality_code.in_(
            select(Municipality.code).where(Municipality.county_code == chosen["county"])))
    if "problem" in chosen:
        query = query.where(ExperienceReport.problem.icontains(chosen["problem"], autoescape=True))
    if q.strip():
        # Ranked ids first, then the filtered listing: joining the FTS subquery into the listing
        # makes SQLite run the match once per report row.
        ids = ranked_ids(user, q)
        query = query.where(ExperienceReport.id.in_(ids))
        if ids:
            query = query.order_by(case({object_id: n for n, object_id in enumerate(ids)},
                                        value=ExperienceReport.id))
    else:
        query = query.order_by(ExperienceReport.published_at.desc())
    return query.options(selectinload(ExperienceReport.municipality))


@bp.get("/erfarenhetsbank")
@limiter.exempt  # no limits apply
@cached_page(ttl=300, scopes=lambda: ("followup", "resources"))
def bank():
    return render_bank()


def render_bank() -> str:
    q = request.args.get("q", "").strip()[:200]
    chosen = _filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)

    def render() -> str:
        results = db.paginate(bank_query(current_user, q, chosen), page=page, per_page=PER_PAGE,
                              error_out=False)
        counties = db.session.execute(select(County.code, County.name).order_by(County.name)).all()
        return render_template("followup/_bank_body.html", results=results, q=q, chosen=chosen,
                               counties=counties, filters=dict(chosen, q=q) if q else chosen)

    if q:  # searches are many and seldom repeated: rendered for the one who asked
        body = Markup(render())  # noqa: S704 - rendered by a template, which escaped it
    else:  # published reports only, the same for every reader
        body = shared("followup:bank", (page, tuple(sorted(chosen.items()))), ("followup",), render,
                      ttl=300)
    return render_template("followup/bank.html", body=body)


@bp.get("/erfarenhetsbank/<int:report_id>")
def bank_report(report_id: int):
    report = db.get_or_404(ExperienceReport, report_id)
    if not followup_permissions.can_view_report(current_user, report):
        abort(404)
    indicators = []
    measure = report.measure
    if measure is not None and followup_permissions.can_view_charts(current_user, measure):
        indicators = list(db.session.scalars(
            select(Indicator).where(Indicator.measure_id == measure.id)
            .options(selectinload(Indicator.measurements)).order_by(Indicator.id)))
    return render_template("followup/bank_report.html", report=report, indicators=indicators,
                           similar=similar_reports(report))


def similar_reports(report: ExperienceReport, limit: int = 3) -> list[ExperienceReport]:
    """Published reports on the same theme, those for the same area classification first."""
    same_level = case((ExperienceReport.area_level == report.area_level, 0), else_=1)
    return list(db.session.scalars(
        select(ExperienceReport).where(ExperienceReport.status == ReportStatus.PUBLISHED.value,
                                       ExperienceReport.theme == report.theme,
                                       ExperienceReport.id != report.id)
        .options(selectinload(ExperienceReport.municipality))
        .order_by(same_level, ExperienceReport.published_at.desc()).limit(limit)))


@bp.get("/erfarenhetsbank/flode.atom")
def bank_feed():
    reports = list(db.session.scalars(
        select(ExperienceReport).where(ExperienceReport.status == ReportStatus.PUBLISHED.value)
        .options(selectinload(ExperienceReport.municipality))
        .order_by(ExperienceReport.published_at.desc()).limit(FEED_SIZE)))
    base = current_app.config["PUBLIC_BASE_URL"]
    entries = [
        atom.Entry(
            id=base + url_for(".bank_report", report_id=r.id), title=r.title,
            url=base + url_for(".bank_report", report_id=r.id),
            published=r.published_at, updated=r.updated_at or r.published_at,
            author=r.municipality.name if r.municipality else "", summary=r.problem,
            categories=[atom.Category(str(r.theme), str(THEMES.get(r.theme, r.theme)))])
        for r in reports
    ]
    title = _("Erfarenhetsbanken")
    body = atom.feed(feed_id=base + url_for(".bank_feed"), title=title,
                     site_url=base + url_for(".bank"), self_url=base + url_for(".bank_feed"),
                     author=title, entries=entries)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

