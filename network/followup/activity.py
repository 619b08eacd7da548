"""Network activity for the programme report, read through functions the features expose.

Each source is a function ``(since, until) -> dict[str, number]`` keyed by stable names; the
labels live here (``FIGURE_LABELS``), unknown keys are shown as they are. Follow-up never queries
another feature's tables: events answers for meetings and attendance (``events.attendance``:
held means past and not cancelled; registrations and attendance are counted apart), forums,
resources and chat through their ``services.stats``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from network.chat import services as chat
from network.events import attendance
from network.forums import services as forums
from network.resources import services as resources

SOURCES = (
    ("events", _l("Träffar och deltagande"), attendance.stats),
    ("forums", _l("Forumaktivitet"), forums.stats),
    ("resources", _l("Delade och nedladdade resurser"), resources.stats),
    ("chat", _l("Deltagande i workshoppar"), chat.stats),
)


FIGURE_LABELS = {
    "resources_shared": _l("Resurser delade under perioden"),
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
