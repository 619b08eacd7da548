"""The one way dates and times are shown: Jinja filters and their Python functions.

Every template uses these filters and nothing else (no ``strftime``, no feature's own family):

- ``value|date`` "6 dec. 2026" / "Dec 6, 2026"; ``value|date("long")``, ``"full"``, ``"short"``
  (Babel's styles) or a Babel pattern such as ``"LLLL y"`` for a month heading;
- ``value|time`` "14:00" (24-hour clock in both languages, as Swedish services write it);
- ``value|datetime`` "6 dec. 2026 kl. 14:00" / "Dec 6, 2026 at 14:00" (the date part takes the
  same styles as ``date``);
- ``value|timeago`` a ``<time>`` element reading "för 3 minuter sedan" / "3 minutes ago" for
  the last week, the date and time after that, with the exact time as its title and its
  machine-readable ``datetime`` attribute;
- ``value|timetag(...)`` the same ``<time>`` element around ``datetime`` (or ``date`` with
  ``date_only=True``).

Aware datetimes (stored in UTC) are shown in Europe/Stockholm (``BABEL_DEFAULT_TIMEZONE``); plain
dates are shown as they are. Formats come from Babel's locale data in the request's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import flask_babel
from babel.dates import TIMEDELTA_UNITS
from flask import Flask
from markupsafe import Markup, escape

from network.i18n import get_locale, get_timezone
from network.i18n import gettext as _

# Relative times read well for a week ("för 3 dagar sedan"); older ones read better as dates.
RELATIVE_FOR = dt.timedelta(days=7)


def localtime(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime in the user's time zone (Europe/Stockholm); naive ones are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return flask_babel.to_user_timezone(value)


def format_date(value: dt.date | dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return _formatted_date(value, format, str(get_locale()),
                           str(get_timezone()))


@functools.lru_cache(maxsize=8192)
def _formatted_date(value: dt.date | dt.datetime, format: str, _locale: str, _timezone: str) -> str:
    """A page of 20 posts formats the same timestamps on every view, and Babel's formatting (time
    zone, locale data, pattern) was about 7 % of a topic page. The result depends only on the
    value, the pattern, the locale and the time zone, which make the key."""
    if isinstance(value, dt.datetime):
        value = localtime(value).date()
    return flask_babel.format_date(value, format)


def format_time(value: dt.datetime | dt.time | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = localtime(value).time()
    return value.strftime("%H:%M")


def format_datetime(value: dt.datetime | None, format: str = "medium") -> str:
    """The date in ``format`` and the time joined as the language says it: "kl." / "at"."""
    if value is None:
        return ""
    return _formatted_datetime(value, format, str(get_locale()),
                               str(get_timezone()))


@functools.lru_cache(maxsize=8192)
def _formatted_datetime(value: dt.datetime, format: str, _locale: str, _timezone: str) -> str:
    """Like ``_formatted_date``: the same timestamps are shown on every view of a page."""
    return _("%(date)s kl. %(time)s", date=format_date(value, format), time=format_time(value))


def iso(value: dt.date | dt.datetime) -> str:
    """The machine-readable form for ``<time datetime=…>``: UTC with its offset, or the date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return value.isoformat()


def timetag(value: dt.date | dt.datetime | None, format: str = "medium",
            date_only: bool = False) -> Markup:
    if value is None:
        return Markup("")
    shown = format_date(value, format) if date_only or not isinstance(value, dt.datetime) \
        else format_datetime(value, format)
    return Markup('<time datetime="{}">{}</time>').format(iso(value), shown)


def timeago(value: dt.datetime | None, now: dt.datetime | None = None) -> Markup:
    """"för 3 minuter sedan" in a ``<time>`` carrying the exact moment; the exact time itself
    once the moment is more than a week away."""
    if value is None:
        return Markup("")
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    delta = aware - (now or dt.datetime.now(dt.UTC))
    seconds = delta.total_seconds()
    if abs(seconds) >= RELATIVE_FOR.total_seconds():
        shown = None
    elif abs(seconds) < 60:
        shown = "now"
    else:
        shown = _relative_unit(seconds)
    # What the element reads depends on nothing else: a page of posts (or topics) shows the
    # same few moments on every view, and building the element was a tenth of a topic page.
    key = (aware, shown, str(get_locale()), str(get_timezone()))
    tag = _TIMEAGO.get(key)
    if tag is None:
        if len(_TIMEAGO) > 8192:
            _TIMEAGO.clear()
        tag = _TIMEAGO[key] = _timeago_tag(aware, shown, delta)
    return tag


_TIMEAGO: dict[tuple, Markup] = {}
_RELATIVE_THRESHOLD = 0.9


def _relative_unit(seconds: float) -> tuple[str, int, bool]:
    """(unit, count, future): all that Babel's ``format_timedelta`` output depends on, chosen
    and rounded as Babel does."""
    for unit, unit_seconds in TIMEDELTA_UNITS:
        count = abs(seconds) / unit_seconds
        if count >= _RELATIVE_THRESHOLD or unit == "second":
            return unit, int(round(max(1, count) if unit == "second" else count)), seconds >= 0
    raise AssertionError("Babel's units end with the second")


def _timeago_tag(aware: dt.datetime, shown: Any, delta: dt.timedelta) -> Markup:
    exact = format_datetime(aware)
    if shown is None:
        return Markup('<time datetime="{}">{}</time>').format(iso(aware), exact)
    label = _("just nu") if shown == "now" else flask_babel.format_timedelta(
        delta, add_direction=True, threshold=_RELATIVE_THRESHOLD)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso(aware), escape(exact), label)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        localtime=localtime,
        date=format_date,
        time=format_time,
        datetime=format_datetime,
        timetag=timetag,
        timeago=timeago,
    )
