"""Locale choice, fast template translation and Swedish date and file-size formatting.

Message ids are written in Swedish, the platform's first language, so the Swedish interface is
complete by construction; English comes from the ``en`` catalogs. Each feature keeps its own
catalog under ``network/<feature>/translations`` so features never edit one shared file.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import flask_babel
from babel.units import format_unit
from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    dirs = [PACKAGE_DIR / "translations"]
    dirs += sorted(p for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())
    return [str(d) for d in dirs if d.is_dir()]


def select_locale() -> str:
    if not has_request_context():  # CLI commands and workers: the first language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = current_user.locale if current_user and current_user.is_authenticated else None
    return choose_locale(user_locale)


def choose_locale(user_locale: str | None) -> str:
    """The visitor's choice this session, else the account's language, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if user_locale in languages:
        return user_locale
    # Swedish first: English only when the visitor chose it or the browser asks for nothing else.
    best = request.accept_languages.best_match(languages)
    return "en" if best == "en" and not request.accept_languages.quality("sv") else "sv"


def _translations():
    """The request's catalog, looked up once: Flask-Babel's own lookup costs ~20 µs per string."""
    try:
        return g._network_translations
    except AttributeError:
        g._network_translations = flask_babel.get_translations()
        return g._network_translations


def localtime(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime in the user's time zone (Europe/Stockholm)."""
    return flask_babel.to_user_timezone(value)


def format_datetime(value: dt.datetime | None, format: str = "medium") -> str:
    """'26 nov. 2026 18:41' in Swedish: date with short month and time without seconds."""
    if value is None:
        return ""
    return _remembered_datetime(value, "d MMM y HH:mm" if format == "medium" else format)


def datetimeformat(value: dt.datetime | None, format: str | None = None) -> str:
    """Flask-Babel's ``datetimeformat`` filter, remembered (see ``_remembered_datetime``)."""
    if value is None:  # Flask-Babel's meaning: now
        return flask_babel.format_datetime(None, format)
    return _remembered_datetime(value, format)


def _remembered_datetime(value: dt.datetime, format: str | None) -> str:
    """A page of 20 posts formats 20 timestamps, the same ones on every view; Babel's formatting
    (time zone, locale data, pattern) is a noticeable part of the page's cost. The result depends
    on the value, the pattern, the locale and the time zone only, which make the key."""
    return _formatted(value, format, str(flask_babel.get_locale()),
                      str(flask_babel.get_timezone()))


@functools.lru_cache(maxsize=8192)
def _formatted(value: dt.datetime, format: str | None, _locale: str, _timezone: str) -> str:
    return flask_babel.format_datetime(value, format)


def format_date(value: dt.date | dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = localtime(value)
    return flask_babel.format_date(value, format)


# CLDR unit names, smallest first; each step is 1024 times the previous one.
_SIZE_UNITS = ("digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")


def format_filesize(num_bytes: int | None) -> str:
    """A file size in the current locale: "611 byte", "1,2 kB", "3,4 MB" in Swedish and
    "611 bytes", "1.2 kB", "3.4 MB" in English (unit names from CLDR through Babel).

    Steps of 1024, as the upload limit is configured (``100 * 1024 * 1024`` shows as "100 MB"),
    so a file shown as larger than the limit is one the library refuses. One decimal below 10
    of a unit ("1,2 kB"), none above ("64 kB").
    """
    if num_bytes is None:
        return ""
    locale = flask_babel.get_locale()
    if abs(num_bytes) < 1024:
        return format_unit(int(num_bytes), "digital-byte", length="long", locale=locale)
    value, step = num_bytes / 1024, 0
    while abs(_rounded(value)) >= 1024 and step < len(_SIZE_UNITS) - 1:
        value, step = value / 1024, step + 1
    return format_unit(_rounded(value), _SIZE_UNITS[step], length="short", format="#,##0.#",
                       locale=locale)


def _rounded(value: float) -> float:
    return round(value, 1) if abs(value) < 10 else round(value)


def init_app(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["filesize"] = format_filesize
