"""Follow-up pages for the municipality's local group: picture, plan, measures, indicators.

Load, authorise, act: a municipality's follow-up is private to its local groups and the admins,
so a page someone may not see answers 404 (its existence is private too).
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network import actions
from network.accounts.models import Area, Municipality, Organisation
from network.extensions import db
from network.followup import charts, duties, forms, review, services
from network.followup import permissions as followup_permissions
from network.followup.labels import (
    DIRECTIONS,
    LEVELS,
    ORG_TYPES,
    REPORT_STATUSES,
    SIZE_CLASSES,
    STATUSES,
    SUPPORT_FORMS,
    THEMES,
    label,
)
from network.followup.models import (
    ActionPlan,
    ExperienceReport,
    Indicator,
    KeyFigure,
    Measure,
    Measurement,
    SituationPicture,
)
from network.i18n import get_locale
from network.i18n import gettext as _
from network.markdown import render_markdown

bp = Blueprint("followup", __name__, template_folder="templates", static_folder="static",
               static_url_path="/uppfoljning/static")

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@bp.app_template_filter("fu_markdown")
def markdown_filter(text: str | None) -> Markup:
    """Report texts are Markdown (a prefilled list of actors is "- " lines): rendered and sanitised."""
    return Markup(render_markdown(text or ""))  # noqa: S704 - render_markdown sanitises (nh3)


@bp.app_template_filter("fu_contact")
def contact_filter(text: str | None) -> Markup:
    """The contact line with each email address as a mailto link."""
    parts, last = [], 0
    for match in EMAIL.finditer(text or ""):
        parts += [escape(text[last:match.start()]),
                  Markup('<a href="mailto:{0}">{0}</a>').format(match.group(0))]
        last = match.end()
    parts.append(escape((text or "")[last:]))
    return Markup("").join(parts)


def number_cells(values) -> Markup:
    """A row's numbers as table cells in one call: the programme overview has 290 rows of 20
    numbers, and a template loop per cell was most of its rendering time."""
    # format_value writes only digits, spaces, commas and dashes: nothing to escape.
    return Markup("".join([f'<td class="num">{services.format_value(v)}</td>' for v in values]))  # noqa: S704


@bp.app_context_processor
def labels() -> dict:
    return {"fu_label": label, "FU_THEMES": THEMES, "FU_STATUSES": STATUSES, "FU_LEVELS": LEVELS,
            "FU_ORG_TYPES": ORG_TYPES, "FU_DIRECTIONS": DIRECTIONS,
            "FU_REPORT_STATUSES": REPORT_STATUSES, "FU_SIZES": SIZE_CLASSES,
            "FU_SUPPORT_FORMS": SUPPORT_FORMS, "fu_value": services.format_value,
            "fu_number_cells": number_cells}


# -- loading -----------------------------------------------------------------------------------


def load_municipality(code: str) -> Municipality:
    municipality = db.get_or_404(Municipality, code)
    if not followup_permissions.can_view_municipality(current_user, code):
        abort(404)
    return municipality


def load_plan(plan_id: int) -> ActionPlan:
    plan = db.get_or_404(ActionPlan, plan_id)
    if not followup_permissions.can_view_municipality(current_user, plan.municipality_code):
        abort(404)
    return plan


def load_measure(measure_id: int) -> Measure:
    measure = db.get_or_404(Measure, measure_id)
    if not followup_permissions.can_view_measure(current_user, measure):
        abort(404)
    return measure


def load_indicator(indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if not followup_permissions.can_view_measure(current_user, indicator.measure):
        abort(404)
    return indicator


def load_report(report_id: int) -> ExperienceReport:
    """An experience report for its municipality's editors and readers (any status)."""
    report = db.get_or_404(ExperienceReport, report_id)
    if not followup_permissions.can_view_municipality(current_user, report.municipality_code):
        abort(404)
    return report


def commit_or_flash(action, success: str) -> bool:
    """Run a service call; on a follow-up refusal roll back and show its message."""
    return actions.commit_or_flash(action, success, services.FollowupError)


def _organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.type)
                              .order_by(Organisation.name)).all()
    return [(oid, f"{name} ({label(ORG_TYPES, kind)})") for oid, name, kind in rows]


def _area_choices(code: str) -> list[tuple[int, str]]:
    return [(a.id, f"{a.name} ({label(LEVELS, a.current_level)})") for a in services.municipality_areas(code)]


# -- overview ----------------------------------------------------------------------------------


@bp.get("/uppfoljning")
@login_required
def index():
    query = select(Municipality).order_by(Municipality.name)
    if followup_permissions.can_view_dashboard(current_user):
        with_data = select(ActionPlan.municipality_code).union(select(SituationPicture.municipality_code))
        query = query.where(Municipality.participating_since.is_not(None)
                            | Municipality.code.in_(with_data))
    else:
        query = query.where(followup_permissions.municipality_filter(current_user, Municipality.code))
    municipalities = list(db.session.scalars(query))
    return render_template("followup/index.html", municipalities=municipalities,
                           is_admin=followup_permissions.can_view_dashboard(current_user),
                           county_view=followup_permissions.overseen_county(current_user) is not None)


@bp.get("/uppfoljning/kommun/<code>")
@login_required
def municipality(code: str):
    municipality = load_municipality(code)
    pictures = list(db.session.scalars(select(SituationPicture).where(
        SituationPicture.municipality_code == code).order_by(SituationPicture.year.desc())))
    plans = list(db.session.scalars(
        select(ActionPlan).where(ActionPlan.municipality_code == code)
        .options(selectinload(ActionPlan.measures).selectinload(Measure.responsible))
        .order_by(ActionPlan.start_year.desc())))
    reports = list(db.session.scalars(select(ExperienceReport).where(
        ExperienceReport.municipality_code == code).order_by(ExperienceReport.updated_at.desc())))
    return render_template("followup/municipality.html", municipality=municipality, pictures=pictures,
                           plans=plans, reports=reports, duties=duties.state_for(code),
                           decisions=duties.plan_decisions(code),
                           coordination=duties.coordination_history(code),
                           can_edit=followup_permissions.can_edit_municipality(current_user, code),
                           groups=followup_permissions.local_groups(code))


# -- situation picture -------------------------------------------------------------------------


@bp.route("/uppfoljning/kommun/<code>/lagesbild/ny", methods=["GET", "POST"])
@bp.route("/uppfoljning/kommun/<code>/lagesbild/<int:year>/redigera", methods=["GET", "POST"],
          endpoint="picture_edit")
@login_required
def picture_new(code: str, year: int | None = None):
    municipality = load_municipality(code)
    if not followup_permissions.can_edit_municipality(current_user, code):
        abort(403)
    picture = services.picture_for(code, year) if year else None
    if year and picture is None:
        abort(404)
    form = forms.PictureForm(obj=picture)
    form.areas.choices = _area_choices(code)
    if picture and request.method == "GET":
        form.areas.data = [a.id for a in picture.areas]
    if year is None and request.method == "GET":
        form.year.data = dt.date.today().year
    if form.validate_on_submit():
        if picture is None and services.picture_for(code, form.year.data):
            form.year.errors.append(_("Det finns redan en lägesbild för det året. Redigera den i stället."))
        else:
            target_year = picture.year if picture else form.year.data
            ok = commit_or_flash(lambda: services.save_picture(
                current_user, code, target_year, crime_mapping=form.crime_mapping.data or "",
                other_info=form.other_info.data or "", analysis=form.analysis.data or "",
                area_ids=form.areas.data or []), _("Lägesbilden är sparad."))
            if ok:
                return redirect(url_for(".picture", code=code, year=target_year))
    return render_template("followup/picture_form.html", form=form, municipality=municipality,
                           picture=picture)


@bp.get("/uppfoljning/kommun/<code>/lagesbild/<int:year>")
@login_required
def picture(code: str, year: int):
    municipality = load_municipality(code)
    picture = db.first_or_404(
        select(SituationPicture).where(SituationPicture.municipality_code == code,
                                       SituationPicture.year == year)
        .options(selectinload(SituationPicture.areas).selectinload(Area.classifications),
                 selectinload(SituationPicture.key_figures)))
    years = list(db.session.scalars(select(SituationPicture.year).where(
        SituationPicture.municipality_code == code).order_by(SituationPicture.year.desc())))
    can_edit = followup_permissions.can_edit_municipality(current_user, code)
    return render_template("followup/picture.html", municipality=municipality, picture=picture,
                           years=years, figure_form=forms.KeyFigureForm(), can_edit=can_edit,
                           **_resource_context("lagesbild", picture.id, can_edit))


@bp.post("/uppfoljning/kommun/<code>/lagesbild/<int:year>/nyckeltal")
@login_required
def key_figure_add(code: str, year: int):
    load_municipality(code)
    picture = services.picture_for(code, year)
    if picture is None:
        abort(404)
    if not followup_permissions.can_edit_municipality(current_user, code):
        abort(403)
    form = forms.KeyFigureForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: services.add_key_figure(
            current_user, picture, name=form.name.data, value=form.value.data, unit=form.unit.data or "",
            source=form.source.data or "", date=form.date.data), _("Nyckeltalet är tillagt."))
    else:
        flash(_("Nyckeltalet sparades inte: fyll i namn och värde, och datum som ÅÅÅÅ-MM-DD."), "error")
    return redirect(url_for(".picture", code=code, year=year) + "#nyckeltal")


@bp.post("/uppfoljning/nyckeltal/<int:figure_id>/ta-bort")
@login_required
def key_figure_delete(figure_id: int):
    figure = db.get_or_404(KeyFigure, figure_id)
    if not followup_permissions.can_view_municipality(current_user, figure.picture.municipality_code):
        abort(404)
    picture = figure.picture
    services.remove_key_figure(current_user, figure)
    db.session.commit()
    flash(_("Nyckeltalet är borttaget."), "success")
    return redirect(url_for(".picture", code=picture.municipality_code, year=picture.year) + "#nyckeltal")


# -- plans and measures ------------------------------------------------------------------------


@bp.route("/uppfoljning/kommun/<code>/plan/ny", methods=["GET", "POST"])
@bp.route("/uppfoljning/plan/<int:plan_id>/redigera", methods=["GET", "POST"], endpoint="plan_edit")
@login_required
def plan_new(code: str | None = None, plan_id: int | None = None):
    plan = load_plan(plan_id) if plan_id else None
    code = plan.municipality_code if plan else code
    municipality = load_municipality(code)
    if not followup_permissions.can_edit_municipality(current_user, code):
        abort(403)
    form = forms.PlanForm(obj=plan)
    if request.method == "GET" and plan is None:
        form.start_year.data = dt.date.today().year
        form.end_year.data = dt.date.today().year + 2
    if form.validate_on_submit():
        saved: list[ActionPlan] = []
        ok = commit_or_flash(lambda: saved.append(services.save_plan(
            current_user, code, title=form.title.data, start_year=form.start_year.data,
            end_year=form.end_year.data, description=form.description.data or "", plan=plan)),
            _("Åtgärdsplanen är sparad."))
        if ok:
            return redirect(url_for(".plan", plan_id=saved[0].id))
    return render_template("followup/plan_form.html", form=form, municipality=municipality, plan=plan)


@bp.get("/uppfoljning/plan/<int:plan_id>")
@login_required
def plan(plan_id: int):
    plan = load_plan(plan_id)
    measures = list(db.session.scalars(
        select(Measure).where(Measure.plan_id == plan.id)
        .options(selectinload(Measure.responsible), selectinload(Measure.partners),
                 selectinload(Measure.areas).selectinload(Area.classifications))
        .order_by(Measure.start_date)))
    history = [d for d in duties.plan_decisions(plan.municipality_code) if d.plan_id == plan.id]
    can_edit = followup_permissions.can_edit_municipality(current_user, plan.municipality_code)
    return render_template("followup/plan.html", plan=plan, measures=measures, history=history,
                           can_edit=can_edit)


@bp.route("/uppfoljning/plan/<int:plan_id>/atgard/ny", methods=["GET", "POST"])
@bp.route("/uppfoljning/atgard/<int:measure_id>/redigera", methods=["GET", "POST"], endpoint="measure_edit")
@login_required
def measure_new(plan_id: int | None = None, measure_id: int | None = None):
    measure = load_measure(measure_id) if measure_id else None
    plan = measure.plan if measure else load_plan(plan_id)
    if not followup_permissions.can_edit_municipality(current_user, plan.municipality_code):
        abort(403)
    form = forms.MeasureForm(obj=measure)
    form.areas.choices = _area_choices(plan.municipality_code)
    orgs = _organisation_choices()
    form.responsible.choices = [(0, _("Ingen vald"))] + orgs
    form.partners.choices = orgs
    if request.method == "GET":
        if measure:
            form.responsible.data = measure.responsible_id or 0
            form.partners.data = [o.id for o in measure.partners]
            form.areas.data = [a.id for a in measure.areas]
        else:
            form.start_date.data = dt.date(plan.start_year, 1, 1)
            form.end_date.data = dt.date(plan.end_year, 12, 31)
    if form.validate_on_submit():
        saved: list[Measure] = []
        ok = commit_or_flash(lambda: saved.append(services.save_measure(
            current_user, plan, title=form.title.data, problem=form.problem.data,
            description=form.description.data or "", theme=form.theme.data, status=form.status.data,
            start_date=form.start_date.data, end_date=form.end_date.data,
            responsible_id=form.responsible.data or None, partner_ids=form.partners.data or [],
            area_ids=form.areas.data or [], measure=measure)), _("Åtgärden är sparad."))
        if ok:
            return redirect(url_for(".measure", measure_id=saved[0].id))
    return render_template("followup/measure_form.html", form=form, plan=plan, measure=measure)


def _chart_rows(indicator: Indicator) -> list[dict]:
    rows = [{"date": indicator.baseline_date, "value": indicator.baseline_value, "kind": "baseline",
             "comment": ""}]
    rows += [{"date": m.date, "value": m.value, "kind": "measured", "comment": m.comment, "id": m.id}
             for m in indicator.measurements]
    return rows


@bp.get("/uppfoljning/atgard/<int:measure_id>")
@login_required
def measure(measure_id: int):
    from network.followup import topics  # it adds its routes to this module's blueprint

    measure = load_measure(measure_id)
    indicators = list(db.session.scalars(
        select(Indicator).where(Indicator.measure_id == measure.id)
        .options(selectinload(Indicator.measurements)).order_by(Indicator.id)))
    code = measure.municipality_code
    reports = list(db.session.scalars(select(ExperienceReport).where(
        ExperienceReport.measure_id == measure.id)))
    return render_template(
        "followup/measure.html", measure=measure, indicators=indicators,
        warnings={i.id: services.indicator_warnings(i) for i in indicators},
        rows={i.id: _chart_rows(i) for i in indicators}, reports=reports,
        measurement_forms={i.id: forms.MeasurementForm(prefix=f"m{i.id}", unit=i.unit, formdata=None)
                           for i in indicators},
        note_form=forms.NoteForm(),
        can_edit=followup_permissions.can_edit_municipality(current_user, code),
        charts_may=review.chart_choices(current_user, measure),
        linked_topics=topics.linked_topics(current_user, measure.id), topic_path=topics.topic_path,
        **_resource_context("atgard", measure.id,
                            followup_permissions.can_edit_municipality(current_user, code)))


@bp.post("/uppfoljning/atgard/<int:measure_id>/anteckning")
@login_required
def note_add(measure_id: int):
    measure = load_measure(measure_id)
    if not followup_permissions.can_edit_municipality(current_user, measure.municipality_code):
        abort(403)
    form = forms.NoteForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: services.add_note(
            current_user, measure, period_start=form.period_start.data, period_end=form.period_end.data,
            done=form.done.data, learned=form.learned.data or ""), _("Uppföljningsanteckningen är sparad."))
    else:
        flash(_("Anteckningen sparades inte: ange periodens datum och vad som gjordes."), "error")
    return redirect(url_for(".measure", measure_id=measure.id) + "#anteckningar")


@bp.route("/uppfoljning/atgard/<int:measure_id>/indikator/ny", methods=["GET", "POST"])
@bp.route("/uppfoljning/indikator/<int:indicator_id>/redigera", methods=["GET", "POST"],
          endpoint="indicator_edit")
@login_required
def indicator_new(measure_id: int | None = None, indicator_id: int | None = None):
    indicator = load_indicator(indicator_id) if indicator_id else None
    measure = indicator.measure if indicator else load_measure(measure_id)
    if not followup_permissions.can_edit_municipality(current_user, measure.municipality_code):
        abort(403)
    form = forms.IndicatorForm(obj=indicator)
    if request.method == "GET" and indicator:
        form.baseline_value.data = services.format_value(indicator.baseline_value)
        form.target_value.data = ("" if indicator.target_value is None
                                  else services.format_value(indicator.target_value))
    if form.validate_on_submit():
        saved: list[Indicator] = []
        ok = commit_or_flash(lambda: saved.append(services.save_indicator(
            current_user, measure, name=form.name.data, unit=form.unit.data, source=form.source.data or "",
            baseline_value=form.baseline_value.data, baseline_date=form.baseline_date.data,
            target_value=form.target_value.data, target_date=form.target_date.data,
            desired_direction=form.desired_direction.data or "", indicator=indicator)),
            _("Indikatorn är sparad."))
        if ok:
            for warning in services.indicator_warnings(saved[0]):
                flash(warning, "warning")
            return redirect(url_for(".measure", measure_id=measure.id) + f"#indikator-{saved[0].id}")
    return render_template("followup/indicator_form.html", form=form, measure=measure, indicator=indicator)


@bp.post("/uppfoljning/indikator/<int:indicator_id>/matvarde")
@login_required
def measurement_add(indicator_id: int):
    indicator = load_indicator(indicator_id)
    if not followup_permissions.can_edit_municipality(current_user, indicator.measure.municipality_code):
        abort(403)
    form = forms.MeasurementForm(prefix=f"m{indicator.id}")
    if form.validate_on_submit():
        commit_or_flash(lambda: services.add_measurement(
            current_user, indicator, date=form.date.data, value=form.value.data, unit=form.unit.data,
            comment=form.comment.data or ""), _("Mätvärdet är sparat."))
    else:
        problems = "; ".join(f"{form[name].label.text}: {errs[0]}" for name, errs in form.errors.items()
                             if name in form)
        flash(_("Mätvärdet sparades inte. %(problems)s", problems=problems), "error")
    return redirect(url_for(".measure", measure_id=indicator.measure_id) + f"#indikator-{indicator.id}")


@bp.post("/uppfoljning/matvarde/<int:measurement_id>/ta-bort")
@login_required
def measurement_delete(measurement_id: int):
    row = db.get_or_404(Measurement, measurement_id)
    if not followup_permissions.can_view_measure(current_user, row.indicator.measure):
        abort(404)
    measure_id, indicator_id = row.indicator.measure_id, row.indicator_id
    services.delete_measurement(current_user, row)
    db.session.commit()
    flash(_("Mätvärdet är borttaget."), "success")
    return redirect(url_for(".measure", measure_id=measure_id) + f"#indikator-{indicator_id}")


def _resource_context(what: str, object_id: int, can_edit: bool) -> dict:
    from network.followup import links  # it adds its routes to this module's blueprint
    from network.resources.services import resource_url

    kind = links.PICTURE if what == "lagesbild" else links.MEASURE
    return {"attached_resources": links.attached(kind, object_id), "what": what, "object_id": object_id,
            "resource_choices": links.choices() if can_edit else [], "resource_url": resource_url}


def svg_response(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def indicator_svg(indicator: Indicator) -> str:
    locale = str(get_locale() or "sv")
    measurements = indicator.measurements
    count = len(measurements)
    desc = _("Baslinje %(b)s %(unit)s, mål %(t)s, %(n)s mätvärden. Siffrorna finns i tabellen.",
             b=services.format_value(indicator.baseline_value), unit=indicator.unit,
             t=services.format_value(indicator.target_value), n=count)
    key = ("indicator", indicator.id, indicator.updated_at.isoformat(), locale)
    return charts.cached(key, lambda: charts.indicator_chart(
        chart_id=f"indicator-{indicator.id}", name=indicator.name, unit=indicator.unit,
        points=[(m.date, m.value) for m in measurements], baseline=indicator.baseline_value,
        baseline_date=indicator.baseline_date, target=indicator.target_value,
        labels={"measured": _("Uppmätt"), "baseline": _("Baslinje"), "target": _("Mål")}, desc=desc))


@bp.get("/uppfoljning/indikator/<int:indicator_id>/diagram.svg")
def indicator_chart(indicator_id: int):
    """Public when the measure's charts are public; otherwise as private as the measure."""
    indicator = db.get_or_404(Indicator, indicator_id)
    if not followup_permissions.can_view_charts(current_user, indicator.measure):
        abort(404)
    return svg_response(indicator_svg(indicator))


@bp.post("/uppfoljning/atgard/<int:measure_id>/erfarenhetsrapport")
@login_required
def report_from_measure(measure_id: int):
    """One click: a draft experience report prefilled from the measure."""
    measure = load_measure(measure_id)
    if not followup_permissions.can_edit_municipality(current_user, measure.municipality_code):
        abort(403)
    report = services.create_report_from_measure(current_user, measure)
    db.session.commit()
    flash(_("Ett utkast till erfarenhetsrapport är skapat från åtgärden. Komplettera och skicka det "
            "för granskning."), "success")
    return redirect(url_for(".report_edit", report_id=report.id))
