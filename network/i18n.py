"""Locale choice, fast template translation and file-size formatting (dates: network/dates.py).

Message ids are written in Swedish, the platform's first language, so the Swedish interface is
complete by construction; English comes from the ``en`` catalogs. Each feature keeps its own
catalog under ``network/<feature>/translations`` so features never edit one shared file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import flask_babel
from babel import support
from babel.units import format_unit
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel.speaklater import LazyString
from flask_login import current_user
from wtforms.i18n import messages_path as wtforms_messages_path

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
    """The catalog of the locale in force, looked up once per locale and request.

    Flask-Babel's own lookup takes three context-local lookups per string (~20 µs, and pages
    show 50-100 strings); here the catalog is kept beside Flask-Babel's locale on the same
    context namespace and reused while that locale is the one in force, so ``force_locale``
    (mails and notices in the recipient's language) still gets its own catalog.
    """
    try:
        ctx = g._flask_babel
        cached = ctx.network_translations
    except (AttributeError, RuntimeError):  # no locale chosen yet, or no app context
        cached = None
        ctx = None
    if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
        return cached[1]
    translations = flask_babel.get_translations()
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None:
        ctx.network_translations = (getattr(ctx, "babel_locale", None), translations)
    return translations


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext``, through the request's cached catalog."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """``flask_babel.ngettext`` (``%(num)d`` is the number), through the cached catalog."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when shown, in the language in force then (labels, form fields)."""
    return LazyString(gettext, string, **variables)


def get_locale():
    """The request's locale (``flask_babel.get_locale``), read once it is chosen."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):
        return flask_babel.get_locale()
    return locale if locale is not None else flask_babel.get_locale()


def get_timezone():
    """The request's time zone (``flask_babel.get_timezone``), read once it is chosen."""
    try:
        zone = g._flask_babel.babel_tzinfo
    except (AttributeError, RuntimeError):
        return flask_babel.get_timezone()
    return zone if zone is not None else flask_babel.get_timezone()


@lru_cache(maxsize=8)
def _form_catalog(locale: str) -> support.Translations:
    return support.Translations.load(wtforms_messages_path(), [locale], domain="wtforms")


class FormTranslations:
    """WTForms' own messages ("Not a valid integer value.") in the request's language.

    Flask-WTF's translations read WTForms' catalog from disk on every request that builds a form
    (160 µs each time); the catalogs never change while the process runs, so here they are read
    once per locale and shared.
    """

    def gettext(self, string: str) -> str:
        return _form_catalog(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _form_catalog(str(get_locale())).ungettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


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
    locale = get_locale()
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
    app.jinja_env.filters["filesize"] = format_filesize  # dates: network/dates.py
