"""Stockholm wall-clock time ↔ UTC, and recurring rules expanded in local time.

Pure functions. A local time that does not exist (the spring-forward hour) or exists twice
(the fall-back hour) is refused with ``LocalTimeError`` rather than guessed: zoneinfo silently
picks one, so we detect both with a round trip through UTC for each ``fold``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, weekday

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_OCCURRENCES = 200
MAX_SPAN_DAYS = 731  # two years

WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class LocalTimeError(ValueError):
    """``kind`` is "nonexistent" or "ambiguous"."""

    def __init__(self, kind: str, value: dt.datetime) -> None:
        super().__init__(f"{kind} local time {value:%Y-%m-%d %H:%M}")
        self.kind = kind
        self.value = value


class RuleError(ValueError):
    """A recurrence the platform will not expand (unbounded or absurd)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def to_utc(local: dt.datetime) -> dt.datetime:
    """A naive Stockholm wall-clock time as aware UTC; refuses gaps and overlaps."""
    first = local.replace(tzinfo=STOCKHOLM, fold=0)
    second = local.replace(tzinfo=STOCKHOLM, fold=1)
    as_utc = first.astimezone(dt.UTC)
    if as_utc.astimezone(STOCKHOLM).replace(tzinfo=None) != local:
        raise LocalTimeError("nonexistent", local)
    if first.utcoffset() != second.utcoffset():
        raise LocalTimeError("ambiguous", local)
    return as_utc


def to_local(value: dt.datetime) -> dt.datetime:
    """Aware UTC → naive Stockholm wall-clock time."""
    return value.astimezone(STOCKHOLM).replace(tzinfo=None)


def local_date_to_utc(day: dt.date) -> dt.datetime:
    """Midnight at the start of a Stockholm day (always exists in Sweden)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=STOCKHOLM).astimezone(dt.UTC)


@dataclass(frozen=True)
class Rule:
    """What the form offers: weekly (every ``interval`` weeks) or monthly (by date or nth weekday)."""

    freq: str  # "weekly" | "monthly_date" | "monthly_weekday"
    interval: int = 1
    until: dt.date | None = None
    count: int | None = None

    def to_rrule(self, start: dt.datetime) -> str:
        """The RFC 5545 RRULE value for a series starting at the local ``start``."""
        parts = []
        if self.freq == "weekly":
            parts += ["FREQ=WEEKLY", f"BYDAY={WEEKDAY_CODES[start.weekday()]}"]
        elif self.freq == "monthly_date":
            parts += ["FREQ=MONTHLY", f"BYMONTHDAY={start.day}"]
        elif self.freq == "monthly_weekday":
            parts += ["FREQ=MONTHLY", f"BYDAY={nth_weekday_code(start.date())}"]
        else:
            raise RuleError("freq")
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count:
            parts.append(f"COUNT={self.count}")
        elif self.until:
            # UNTIL in UTC, at the end of the chosen local day, as RFC 5545 requires with a TZID start.
            end = local_date_to_utc(self.until + dt.timedelta(days=1)) - dt.timedelta(seconds=1)
            parts.append(f"UNTIL={end:%Y%m%dT%H%M%SZ}")
        return ";".join(parts)


def nth_weekday(day: dt.date) -> int:
    """1..4 for the first..fourth such weekday of the month, -1 when it is the last (5th)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def nth_weekday_code(day: dt.date) -> str:
    n = nth_weekday(day)
    return f"{'+' if n > 0 else ''}{n}{WEEKDAY_CODES[day.weekday()]}"


def expand(rule: Rule, start: dt.datetime) -> list[dt.datetime]:
    """Local start times of every occurrence; bounded or ``RuleError``."""
    if rule.count is None and rule.until is None:
        raise RuleError("unbounded")
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        raise RuleError("count")
    if not 1 <= rule.interval <= 12:
        raise RuleError("interval")
    limit = start + dt.timedelta(days=MAX_SPAN_DAYS)
    if rule.until is not None:
        if rule.until < start.date():
            raise RuleError("until_before_start")
        if rule.until > limit.date():
            raise RuleError("too_long")
    kwargs: dict = {"dtstart": start, "interval": rule.interval}
    if rule.freq == "weekly":
        freq, kwargs["byweekday"] = WEEKLY, WEEKDAYS[start.weekday()]
    elif rule.freq == "monthly_date":
        freq, kwargs["bymonthday"] = MONTHLY, start.day
    elif rule.freq == "monthly_weekday":
        freq = MONTHLY
        kwargs["byweekday"] = weekday(start.weekday(), nth_weekday(start.date()))
    else:
        raise RuleError("freq")
    if rule.count is not None:
        kwargs["count"] = rule.count
    else:
        kwargs["until"] = dt.datetime.combine(rule.until, dt.time(23, 59, 59))
    # Never materialise more than the bound, whatever the rule says.
    dates = []
    for value in rrule(freq, **kwargs):
        if value > limit:
            raise RuleError("too_long")
        dates.append(value)
        if len(dates) > MAX_OCCURRENCES:
            raise RuleError("count")
    if not dates:
        raise RuleError("empty")
    return dates
