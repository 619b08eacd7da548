"""Network activity for the programme report, read through functions the features expose:
the network totals (``network_activity``) and the same per municipality and period
(``activity_by_municipality``: a person's activity counts for the municipality of their
organisation; the default period is the current programme year, a calendar year, shown on the
page; a period whose end precedes its start is refused with a message).

Each source is a function ``(since, until) -> dict[str, number]`` keyed by stable names; the
labels live here (``FIGURE_LABELS``), unknown keys are shown as they are. Follow-up never queries
another feature's tables: events answers for meetings and attendance (``events.attendance``:
held means past and not cancelled; registrations and attendance are counted apart), forums,
resources and chat through their ``services.stats``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from network.chat import activity as chat_activity
from network.chat import services as chat
from network.events import attendance
from network.followup import duties
from network.forums import activity as forum_activity
from network.forums import services as forums
from network.i18n import gettext as _
from network.i18n import lazy_gettext as _l
from network.resources import activity as resource_activity
from network.resources import services as resources

SOURCES = (
    ("events", _l("Träffar och deltagande"), attendance.stats),
    ("forums", _l("Forumaktivitet"), forums.stats),
    ("resources", _l("Delade och nedladdade resurser"), resources.stats),
    ("chat", _l("Deltagande i workshoppar"), chat.stats),
)


FIGURE_LABELS = {
    "resources_shared": _l("Resurser delade under perioden"),
    "downloads": _l("Nedladdningar under perioden"),
    "downloads_total": _l("Nedladdningar hittills"),
    "meetings_held": _l("Träffar genomförda"),
    "registrations": _l("Anmälningar"),
    "attended": _l("Deltagare som kom"),
    "topics": _l("Nya forumtrådar"),
    "posts": _l("Nya foruminlägg"),
    "rooms": _l("Workshoppar"),
    "messages": _l("Meddelanden"),
    "participants": _l("Deltagare"),
    "authors": _l("Aktiva skribenter"),
    "attended_none": _l("Deltagare utan organisation"),
}


def figure_label(key: str) -> str:
    if key in FIGURE_LABELS:
        return str(FIGURE_LABELS[key])
    if key.startswith("attended_"):  # attendance by organisation type
        from network.followup.labels import ORG_TYPES, label

        return str(_l("Deltagare: %(type)s", type=label(ORG_TYPES, key.removeprefix("attended_"))))
    return key


@dataclass
class Activity:
    feature: str
    title: Any
    figures: dict[str, Any]


def network_activity(since: dt.datetime | None, until: dt.datetime | None) -> list[Activity]:
    return [Activity(feature, title, {figure_label(key): value for key, value in stats(since, until).items()})
            for feature, title, stats in SOURCES]


def activity_table(since: dt.datetime | None, until: dt.datetime | None):
    """The network activity as one export table: (part of the platform, figure, value)."""
    header = [str(_l("Del av plattformen")), str(_l("Mått")), str(_l("Värde"))]
    rows = [[str(a.title), key, value]
            for a in network_activity(since, until) for key, value in a.figures.items()]
    return header, rows


# -- per municipality --------------------------------------------------------------------------


FIGURES = ("forum_topics", "forum_replies", "resources_shared", "resources_downloaded",
           "events_attended", "chat_messages", "chat_participants", "support_count", "support_hours")


def figure_headers() -> list[str]:
    return [_("Nya forumtrådar"), _("Forumsvar"), _("Delade resurser"), _("Nedladdade resurser"),
            _("Deltagande på träffar"),
            _("Meddelanden i workshoppar"), _("Deltagare i workshoppar"), _("Stödtillfällen"),
            _("Stödtimmar")]


@dataclass
class ActivityRow:
    code: str | None
    name: str
    figures: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))

    @property
    def values(self) -> list[float]:
        return [self.figures[key] for key in FIGURES]


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


def bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(since, dt.time.min, tzinfo=duties.STOCKHOLM).astimezone(dt.UTC)
    end = dt.datetime.combine(until, dt.time.max, tzinfo=duties.STOCKHOLM).astimezone(dt.UTC)
    return start, end


def activity_by_municipality(since: dt.date, until: dt.date, support: dict[str, tuple[int, float]]
                             ) -> dict[str | None, dict[str, float]]:
    """{municipality code (None: people without a municipality): figures} for the period;
    ``support``: {code: (entries, hours)} in it (``dashboard.support_by_municipality``)."""
    start, end = bounds(since, until)
    result: dict[str | None, dict[str, float]] = {}

    def row(code: str | None) -> dict[str, float]:
        return result.setdefault(code, dict.fromkeys(FIGURES, 0))

    for code, counts in forum_activity.posts_by_municipality(start, end).items():
        row(code)["forum_topics"], row(code)["forum_replies"] = counts["topics"], counts["replies"]
    for code, count in resource_activity.shared_by_municipality(start, end).items():
        row(code)["resources_shared"] = count
    for code, count in resource_activity.downloads_by_municipality(since, until).items():
        row(code)["resources_downloaded"] = count
    for code, count in attendance.attended_by_municipality(start, end).items():
        row(code)["events_attended"] = count
    for code, counts in chat_activity.participation_by_municipality(start, end).items():
        row(code)["chat_messages"] = counts["messages"]
        row(code)["chat_participants"] = counts["participants"]
    for code, (count, hours) in support.items():
        if count:
            row(code)["support_count"], row(code)["support_hours"] = count, hours
    return result


def totals(figures: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(f.get(key, 0) for f in figures) for key in FIGURES}
