"""The PDF report for the government: the programme overview, charts and one section per
municipality, for a period (the programme year unless chosen), in Swedish or English."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from network.followup import activity, charts, dashboard, duties, report_pdf
from network.followup import permissions as followup_permissions
from network.followup.activity import bounds, parse_period
from network.followup.labels import STATUSES
from network.followup.models import MeasureStatus
from network.followup.programme import trend_labels
from network.followup.services import format_value
from network.followup.views import bp
from network.i18n import gettext as _

LANGUAGES = ("sv", "en")


def build_report(since: dt.date, until: dt.date) -> report_pdf.Report:
    """Everything the PDF shows, in the current locale."""
    rows = dashboard.municipality_rows(since, until)
    trends = trend_labels()
    headers = [_("Kommun"), _("Lägesbild"), _("Åtgärdsplan"), _("Samordningsfunktion"), _("Åtgärder"),
               str(STATUSES[MeasureStatus.ONGOING]), trends["achieved"], trends["improving"],
               _("Stödtimmar"), _("Publicerade rapporter")]
    table = [[r.name, duties.picture_text(r.duties.picture), duties.plan_text(r.duties.plan),
              duties.coordination_text(r.duties.coordination), r.measure_total,
              r.measures[MeasureStatus.ONGOING.value], r.trends["achieved"], r.trends["improving"],
              format_value(r.support_hours), r.published_reports] for r in rows]
    totals = [_("Totalt (%(count)s kommuner)", count=len(rows)), "", "", "",
              sum(r.measure_total for r in rows), sum(r.measures[MeasureStatus.ONGOING.value] for r in rows),
              sum(r.trends["achieved"] for r in rows), sum(r.trends["improving"] for r in rows),
              format_value(sum(r.support_hours for r in rows)), sum(r.published_reports for r in rows)]
    names = [r.name for r in rows]
    chart_list = []
    if rows:
        chart_list.append((_("Åtgärder per kommun och status"), charts.bar_chart_png(
            title=_("Åtgärder per kommun och status"), categories=names, unit=_("Antal åtgärder"),
            series={str(STATUSES[s]): [r.measures[s.value] for r in rows] for s in MeasureStatus},
            colours=["#4d5560", "#0b4f8a", "#1e6b34", "#a4161a"])))
        chart_list.append((_("Stöd per kommun"), charts.bar_chart_png(
            title=_("Stöd per kommun"), categories=names, unit=_("Timmar"),
            series={_("Timmar"): [r.support_hours for r in rows]})))
    sections = [report_pdf.Section(r.name, [
        (_("Lägesbild"), duties.picture_text(r.duties.picture)),
        (_("Åtgärdsplan"), duties.plan_text(r.duties.plan)),
        (_("Samordningsfunktion"), duties.coordination_text(r.duties.coordination)),
        (_("Åtgärder per status"), ", ".join(f"{STATUSES[s]}: {r.measures[s.value]}" for s in MeasureStatus)),
        (_("Indikatorer"), ", ".join(f"{text}: {r.trends[key]}" for key, text in trends.items())),
        (_("Stöd"), _("%(count)s tillfällen, %(hours)s timmar", count=r.support_count,
                      hours=format_value(r.support_hours))),
        (_("Publicerade rapporter"), str(r.published_reports)),
    ]) for r in rows]
    network = report_pdf.Section(_("Nätverkets aktivitet"), [
        (str(a.title), "; ".join(f"{k}: {v}" for k, v in a.figures.items())
         or _("Ingen aktivitet under perioden."))
        for a in activity.network_activity(*bounds(since, until))])
    return report_pdf.Report(
        title=_("Uppföljning av det brottsförebyggande arbetet"),
        subtitle=_("Kommunernas arbete enligt lag (2023:196) och nätverkets stöd"),
        period=_("Period: %(since)s – %(until)s", since=since.isoformat(), until=until.isoformat()),
        made=_("Framtagen %(date)s", date=duties.today().isoformat()),
        overview_title=_("Läget per kommun"), headers=headers, rows=table, totals=totals,
        charts=chart_list, sections_title=_("Kommunerna"), sections=sections + [network])


@bp.get("/uppfoljning/oversikt/rapport.pdf")
@login_required
def programme_report_pdf():
    if not followup_permissions.can_view_dashboard(current_user):
        abort(403)
    since, until, error = parse_period(request.args)
    if error:
        flash(error, "error")
        return redirect(url_for(".dashboard_page"))
    language = request.args.get("sprak", "sv")
    if language not in LANGUAGES:
        abort(404)
    with force_locale(language):
        body = report_pdf.render(build_report(since, until))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="uppfoljning-{since.isoformat()}-{until.isoformat()}-{language}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
