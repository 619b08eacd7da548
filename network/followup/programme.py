"""For the network admins: the support log, the programme dashboard, its exports and report."""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from network.accounts.models import Municipality
from network.extensions import db
from network.followup import activity, charts, dashboard, duties, exports, forms, services
from network.followup import permissions as followup_permissions
from network.followup.labels import STATUSES, SUPPORT_FORMS, THEMES, label
from network.followup.models import MeasureStatus, SupportEntry
from network.followup.views import bp, commit_or_flash, svg_response
from network.i18n import gettext as _


def _admin() -> None:
    if not followup_permissions.can_view_dashboard(current_user):
        abort(403)


def trend_labels() -> dict[str, str]:
    return {
        "achieved": _("Målet nått"),
        "improving": _("På väg mot målet"),
        "not_improving": _("Ingen förbättring"),
        "no_data": _("Saknar mätvärden"),
    }


def _period() -> tuple[dt.date | None, dt.date | None]:
    def parse(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return parse("fran"), parse("till")


# -- support log -------------------------------------------------------------------------------


@bp.route("/uppfoljning/stod", methods=["GET", "POST"])
@login_required
def support():
    _admin()
    municipalities = db.session.execute(select(Municipality.code, Municipality.name)
                                        .order_by(Municipality.name)).all()
    form = forms.SupportForm()
    form.municipality.choices = [("", _("Välj kommun"))] + [(c, n) for c, n in municipalities]
    if form.validate_on_submit():
        if commit_or_flash(lambda: services.add_support(
                current_user, form.municipality.data, date=form.date.data, topic=form.topic.data,
                form=form.form.data, hours=form.hours.data, given_by=form.given_by.data),
                _("Stödinsatsen är registrerad.")):
            return redirect(url_for(".support"))
    elif request.method == "GET":
        form.date.data = dt.date.today()
        form.given_by.data = current_user.name
    since, until = _period()
    period = dashboard.support_period(since, until)
    totals = db.session.execute(
        select(Municipality.code, Municipality.name, func.count(SupportEntry.id),
               func.sum(SupportEntry.hours))
        .join(SupportEntry, SupportEntry.municipality_code == Municipality.code)
        .where(*period)
        .group_by(Municipality.code, Municipality.name).order_by(Municipality.name)).all()
    entries = db.session.execute(
        select(SupportEntry, Municipality.name).join(Municipality)
        .where(*period)
        .order_by(SupportEntry.date.desc(), SupportEntry.id.desc()).limit(200)).all()
    return render_template("followup/support.html", form=form, totals=totals, entries=entries,
                           forms_labels=SUPPORT_FORMS, since=since, until=until)


@bp.post("/uppfoljning/stod/<int:entry_id>/ta-bort")
@login_required
def support_delete(entry_id: int):
    _admin()
    entry = db.get_or_404(SupportEntry, entry_id)
    services.delete_support(current_user, entry)
    db.session.commit()
    flash(_("Stödinsatsen är borttagen."), "success")
    return redirect(url_for(".support"))


# -- dashboard ---------------------------------------------------------------------------------


@bp.get("/uppfoljning/oversikt")
@login_required
def dashboard_page():
    """The programme year unless another period is asked for; activity per municipality beside
    the network totals (the county view shows the same for one county)."""
    _admin()
    since, until, error = activity.parse_period(request.args)
    rows = dashboard.municipality_rows(since, until)
    per_municipality = activity.activity_by_municipality(since, until, dashboard.support_of(rows))
    nothing = dict.fromkeys(activity.FIGURES, 0)
    activity_rows = [activity.ActivityRow(r.code, r.name, per_municipality.get(r.code, nothing))
                     for r in rows]
    return render_template("followup/dashboard.html", rows=rows, since=since, until=until, error=error,
                           statuses=STATUSES, trends=trend_labels(),
                           by_form=dashboard.support_by_form(since, until),
                           activity=activity.network_activity(*_datetimes(since, until)),
                           activity_rows=activity_rows, headers=activity.figure_headers(),
                           figures=activity.FIGURES,
                           network_total=activity.totals(list(per_municipality.values())))


def _datetimes(since, until):
    """The period's bounds as the per-municipality figures take them (whole Stockholm days),
    so the network totals and the table beside them agree at the period's edges."""
    return (activity.bounds(since, since)[0] if since else None,
            activity.bounds(until, until)[1] if until else None)


CHARTS = ("atgarder", "indikatorer", "stod")


def dashboard_chart_svg(name: str, rows: list[dashboard.MunicipalityRow]) -> str:
    names = [r.name for r in rows]
    if name == "atgarder":
        title, unit = _("Åtgärder per kommun och status"), _("Antal åtgärder")
        series = {str(STATUSES[s]): [r.measures[s.value] for r in rows] for s in MeasureStatus}
        colours = ["#4d5560", "#0b4f8a", "#1e6b34", "#a4161a"]  # planned, ongoing, finished, cancelled
    elif name == "indikatorer":
        title, unit = _("Indikatorer per kommun: läge mot målet"), _("Antal indikatorer")
        series = {text: [r.trends[key] for r in rows] for key, text in trend_labels().items()}
        colours = ["#1e6b34", "#0b4f8a", "#a3470b", "#8a939c"]  # reached, improving, not, no data
    else:
        title, unit = _("Stöd per kommun"), _("Timmar")
        series = {_("Timmar"): [r.support_hours for r in rows]}
        colours = None
    fingerprint = hashlib.sha256(repr((names, series)).encode()).hexdigest()
    return charts.cached(("dashboard", name, fingerprint), lambda: charts.bar_chart(
        chart_id=f"dashboard-{name}", title=title, categories=names, series=series, unit=unit,
        desc=_("Samma siffror finns i tabellen på översiktssidan."), colours=colours))


@bp.get("/uppfoljning/oversikt/diagram/<name>.svg")
@login_required
def dashboard_chart(name: str):
    _admin()
    if name not in CHARTS:
        abort(404)
    since, until = _period()
    rows = [r for r in dashboard.municipality_rows(since, until)
            if r.measure_total or r.support_count or r.indicator_total]
    return svg_response(dashboard_chart_svg(name, rows))


# -- exports and the printable report ----------------------------------------------------------


def municipality_table(rows: list[dashboard.MunicipalityRow]) -> exports.Table:
    trends = trend_labels()
    headers = ([_("Kommun"), _("Kommunkod"), _("Lägesbild"), _("Åtgärdsplan"), _("Samordningsfunktion"),
                _("Senaste lägesbild"), _("Åtgärdsplaner")]
               + [str(STATUSES[s]) for s in MeasureStatus]
               + list(trends.values())
               + [_("Stödtillfällen"), _("Stödtimmar"), _("Publicerade erfarenhetsrapporter")])
    data = [[r.name, r.code, duties.picture_text(r.duties.picture), duties.plan_text(r.duties.plan),
             duties.coordination_text(r.duties.coordination), r.picture_year, r.plans]
            + [r.measures[s.value] for s in MeasureStatus]
            + [r.trends[k] for k in trends] + [r.support_count, r.support_hours, r.published_reports]
            for r in rows]
    return headers, data


def indicator_table() -> exports.Table:
    trends = trend_labels()
    names = dict(db.session.execute(select(Municipality.code, Municipality.name)).all())
    headers = [_("Kommun"), _("Åtgärdens namn"), _("Indikator"), _("Enhet"), _("Baslinje"),
               _("Baslinjens datum"), _("Senaste värde"), _("Senaste datum"), _("Målvärde"), _("Läge")]
    data = [[names.get(i.municipality_code, i.municipality_code), i.measure, i.name, i.unit,
             i.baseline_value, i.baseline_date, i.latest, i.latest_date, i.target_value,
             trends[dashboard.trend(i.baseline_value, i.target_value, i.desired_direction, i.latest)]]
            for i in dashboard.indicator_rows()]
    return headers, data


def support_table(since, until) -> exports.Table:
    headers = [_("Datum"), _("Kommun"), _("Ämne"), _("Form"), _("Timmar"), _("Av vem")]
    data = [[d, m, t, label(SUPPORT_FORMS, f), h, g] for d, m, t, f, h, g in
            dashboard.support_entries(since, until)]
    return headers, data


def report_table() -> exports.Table:
    headers = [_("Rubrik"), _("Kommun"), _("Tema"), _("Publicerad")]
    data = [[t, m, label(THEMES, th), p.date() if p else None]
            for _id, t, th, p, m in dashboard.published_reports()]
    return headers, data


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/uppfoljning/oversikt/export.csv")
@login_required
def dashboard_csv():
    _admin()
    since, until = _period()
    convention = "intl" if request.args.get("konvention") == "intl" else "sv"
    body = exports.to_csv(municipality_table(dashboard.municipality_rows(since, until)), convention)
    return _download(body, "text/csv", "uppfoljning-kommuner.csv")


@bp.get("/uppfoljning/oversikt/export.xlsx")
@login_required
def dashboard_xlsx():
    _admin()
    since, until = _period()
    body = exports.to_xlsx({
        _("Kommuner"): municipality_table(dashboard.municipality_rows(since, until)),
        _("Indikatorer"): indicator_table(),
        _("Stöd"): support_table(since, until),
        _("Erfarenhetsrapporter"): report_table(),
        _("Nätverkets aktivitet"): activity.activity_table(*_datetimes(since, until)),
    })
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "uppfoljning.xlsx")


@bp.get("/uppfoljning/oversikt/rapport")
@login_required
def programme_report():
    _admin()
    since, until = _period()
    rows = dashboard.municipality_rows(since, until)
    return render_template(
        "followup/programme_report.html", rows=rows, since=since, until=until, statuses=STATUSES,
        trends=trend_labels(), by_form=dashboard.support_by_form(since, until),
        indicators=indicator_table(), reports=dashboard.published_reports(),
        activity=activity.network_activity(*_datetimes(since, until)), today=dt.date.today())
