"""Running totals per Stockholm day, shared by the features that keep them (issue 22): the day a
moment counts for, and whether a period asked for is whole days (then the totals answer it).

Each feature keeps its own totals table (forums' ``forum_activity_days``, the library's
``resource_share_days``), written with ``network.db.add_to_totals``; this module holds only what
they share about days, so both agree on where a day begins.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

Days = tuple[dt.date | None, dt.date | None]


def _local(moment: dt.datetime) -> dt.datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(STOCKHOLM)


def local_day(moment: dt.datetime) -> dt.date:
    """The Stockholm day of ``moment`` (naive: UTC)."""
    return _local(moment).date()


def whole_days(since: dt.datetime | None, until: dt.datetime | None) -> Days | None:
    """(first day, last day) when [since, until] is whole Stockholm days (None: open), as the
    overview asks; None when it is not, and the caller counts the rows."""
    if since is not None and _local(since).time() != dt.time.min:
        return None
    if until is not None and _local(until).time() != dt.time.max:
        return None
    return (local_day(since) if since else None, local_day(until) if until else None)


def within_days(column, days: Days) -> list:
    """Conditions keeping a date ``column`` in the days (both included; an open end is none)."""
    first, last = days
    return [c for c in (column >= first if first else None,
                        column <= last if last else None) if c is not None]
