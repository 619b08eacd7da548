"""Network activity for the programme report, read through the other features' services.

Each feature may offer ``services.stats(since, until) -> dict[str, number]`` (label → value,
labels already translated). Features that do not (yet) offer it are listed as pending instead of
being read around: follow-up never queries another feature's tables.
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
        result.append(Activity(feature, title, dict(stats(since, until)) if callable(stats) else None))
    return result
