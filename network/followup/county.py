"""Activity per municipality beside the network totals, and the county view.

The figures come from functions each feature exposes (forums, resources, events' attendance,
chat) and follow-up's own support log; a person's activity counts for the municipality of their
organisation. The default period is the current programme year (a calendar year), shown on the
page; a period whose end precedes its start is refused with a message.

County-board staff (``User.overseen_county``) see their own county only; programme staff any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from network import permissions
from network.accounts.models import County, Municipality
from network.chat import activity as chat_activity
from network.events import attendance
from network.extensions import db
from network.followup import dashboard, duties
from network.followup.labels import STATUSES
from network.followup.programme import trend_labels
from network.followup.views import bp
from network.forums import activity as forum_activity
from network.resources import activity as resource_activity

FIGURES = ("forum_topics", "forum_replies", "resources_shared", "events_attended", "chat_messages",
           "chat_participants", "support_count", "support_hours")


def figure_headers() -> list[str]:
    return [_("Nya forumtrådar"), _("Forumsvar"), _("Delade resurser"), _("Deltagande på träffar"),
            _("Meddelanden i workshoppar"), _("Deltagare i workshoppar"), _("Stödtillfällen"),
            _("Stödtimmar")]


@dataclass
class ActivityRow:
    code: str | None
    name: str
    figures: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


def programme_year(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    year = (today or duties.today()).year
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def parse_period(args) -> tuple[dt.date, dt.date, str | None]:
    """(since, until, error): the programme year unless the page asks for another period."""
    since, until = programme_year()
    try:
        since = dt.date.fromisoformat(args["fran"]) if args.get("fran") else since
        until = dt.date.fromisoformat(args["till"]) if args.get("till") else until
    except ValueError:
        return (*programme_year(), _("Ange datum som ÅÅÅÅ-MM-DD."))
    if until < since:
        return (*programme_year(),
                _("Periodens slut kan inte vara före dess början. Visar programåret i stället."))
    return since, until, None


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(since, dt.time.min, tzinfo=duties.STOCKHOLM).astimezone(dt.UTC)
    end = dt.datetime.combine(until, dt.time.max, tzinfo=duties.STOCKHOLM).astimezone(dt.UTC)
    return start, end


def activity_by_municipality(since: dt.date, until: dt.date,
                             support: list[dashboard.MunicipalityRow]) -> dict[str | None, dict[str, float]]:
    """{municipality code (None: people without a municipality): figures} for the period."""
    start, end = _bounds(since, until)
    result: dict[str | None, dict[str, float]] = {}

    def row(code: str | None) -> dict[str, float]:
        return result.setdefault(code, dict.fromkeys(FIGURES, 0))

    for code, counts in forum_activity.posts_by_municipality(start, end).items():
        row(code)["forum_topics"], row(code)["forum_replies"] = counts["topics"], counts["replies"]
    for code, count in resource_activity.shared_by_municipality(start, end).items():
        row(code)["resources_shared"] = count
    for code, count in attendance.attended_by_municipality(start, end).items():
        row(code)["events_attended"] = count
    for code, counts in chat_activity.participation_by_municipality(start, end).items():
        row(code)["chat_messages"] = counts["messages"]
        row(code)["chat_participants"] = counts["participants"]
    for r in support:
        if r.support_count:
            row(r.code)["support_count"], row(r.code)["support_hours"] = r.support_count, r.support_hours
    return result


def totals(figures: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(f.get(key, 0) for f in figures) for key in FIGURES}


# -- the county view ---------------------------------------------------------------------------


def _may_see_county(code: str) -> bool:
    return permissions.is_programme_staff(current_user) or permissions.overseen_county(current_user) == code


@bp.get("/uppfoljning/lan")
@login_required
def counties():
    own = permissions.overseen_county(current_user)
    if own is not None:
        return redirect(url_for(".county", code=own, **request.args))
    if not permissions.is_programme_staff(current_user):
        abort(403)
    return render_template("followup/counties.html",
                           counties=list(db.session.scalars(select(County).order_by(County.name))))


@bp.get("/uppfoljning/lan/<code>")
@login_required
def county(code: str):
    county = db.get_or_404(County, code)
    if not _may_see_county(code):
        abort(404)
    since, until, error = parse_period(request.args)
    municipalities = db.session.execute(select(Municipality.code, Municipality.name)
                                        .where(Municipality.county_code == code)
                                        .order_by(Municipality.name)).all()
    in_county = {c for c, _n in municipalities}
    everyone = dashboard.municipality_rows(since, until)
    rows = [r for r in everyone if r.code in in_county]
    activity = activity_by_municipality(since, until, everyone)
    activity_rows = [ActivityRow(c, n, activity.get(c, dict.fromkeys(FIGURES, 0))) for c, n in municipalities]
    return render_template(
        "followup/county.html", county=county, rows=rows, since=since, until=until, error=error,
        statuses=STATUSES, trends=trend_labels(), activity_rows=activity_rows, headers=figure_headers(),
        figures=FIGURES, county_total=totals([r.figures for r in activity_rows]),
        network_total=totals(list(activity.values())), link=True)
