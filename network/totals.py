"""Running totals per Stockholm day, shared by the features that keep them (issue 22): the day a
moment counts for, and whether a period asked for is whole days (then the totals answer it).

A period's whole calendar months can be read from a feature's month rows and only its edges
from the day rows (``month_split``): a year is then twelve rows per municipality, not 365.

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


def month_of(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the key of its month row."""
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_split(days: Days) -> tuple[Days | None, list[Days]]:
    """(the whole months inside the days, as first days of the first and last month, None for
    none; the day ranges outside them). Open ends stay open: every month before, or after."""
    first, last = days
    months_from = None if first is None else first if first.day == 1 else _next_month(first)
    if last is None:
        months_to = None
    elif _next_month(last) - dt.timedelta(days=1) == last:
        months_to = month_of(last)
    else:
        months_to = month_of(month_of(last) - dt.timedelta(days=1))
    if months_from is not None and months_to is not None and months_from > months_to:
        return None, [days]
    edges = []
    if first is not None and months_from != first:
        edges.append((first, months_from - dt.timedelta(days=1)))
    if last is not None and (months_to is None or _next_month(months_to) <= last):
        edges.append((_next_month(months_to) if months_to else month_of(last), last))
    return (months_from, months_to), edges
