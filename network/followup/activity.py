"""Network activity for the programme report, read through the other features' services.

Each feature may offer ``services.stats(since, until) -> dict[str, number]`` keyed by stable
names; the labels live here (``FIGURE_LABELS``), unknown keys are shown as they are. Features that
do not (yet) offer it are listed as pending instead of being read around: follow-up never queries
another feature's tables.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

SOURCES = (
    ("events", _l("Träffar och deltagande")),
    ("forums", _l("Forumaktivitet")),
    ("resources", _l("Delade och nedladdade resurser")),
    ("chat", _l("Deltagande i workshoppar")),
)


FIGURE_LABELS = {
    "resources_shared": _l("Resurser delade under perioden"),
    "downloads_total": _l("Nedladdningar hittills"),
    "meetings_held": _l("Träffar genomförda"),
    "registrations": _l("Anmälningar"),
    "attended": _l("Deltagare"),
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
    figures: dict[str, Any] | None  # None: the feature offers no stats yet


def network_activity(since: dt.datetime | None, until: dt.datetime | None) -> list[Activity]:
    result = []
    for feature, title in SOURCES:
        try:
            module = importlib.import_module(f"network.{feature}.services")
        except ImportError:
            module = None
        stats = getattr(module, "stats", None)
        figures = None
        if callable(stats):
            figures = {figure_label(key): value for key, value in stats(since, until).items()}
        result.append(Activity(feature, title, figures))
    return result


def activity_table(since: dt.datetime | None, until: dt.datetime | None):
    """The network activity as one export table: (part of the platform, figure, value)."""
    header = [str(_l("Del av plattformen")), str(_l("Mått")), str(_l("Värde"))]
    rows = [[str(a.title), key, value]
            for a in network_activity(since, until) for key, value in (a.figures or {}).items()]
    return header, rows
