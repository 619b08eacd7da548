"""The site's header and footer: rendered once per language, URL prefix and kind of reader.

Every page has them, and rendering them (a dozen translated strings and links) cost as much as a
small page. They are the same for everyone of one language, prefix and kind of reader (member or
visitor) but for a few values of this reader and request: their name, the CSRF token, the unread
badge, the page they are on. Those are *slots*, rendered as placeholders carrying a secret of this
process (user content cannot forge one) and filled in for every response, each escaped as the
template escaped it. While the page cache renders a page (``network/pagecache.py``) the token
and the badge are the page cache's own placeholders, filled in per response there.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from network.i18n import get_locale
from network.pagecache import fresh_value

UNREAD_BADGE = "unread_badge"
_PARTS = "network_chrome_parts"
_SECRET = secrets.token_hex(16)
_SLOT = re.compile("\ue002" + _SECRET + "([a-z]+)\ue003")
SLOTS = ("name", "csrf", "badge", "login", "here", "nav")


def _parts(template: str, member: bool) -> tuple[str, ...]:
    """The template rendered with its slots as placeholders, split so that filling only joins."""
    known: dict = current_app.extensions.setdefault(_PARTS, {})
    key = (template, str(get_locale()), request.script_root, member)
    parts = known.get(key)
    if parts is None:
        slot = {name: Markup(f"\ue002{_SECRET}{name}\ue003") for name in SLOTS}  # noqa: S704
        parts = known[key] = tuple(_SLOT.split(render_template(template, slot=slot,
                                                               member=member)))
    return parts


def _here() -> Markup:
    return escape(request.full_path if request.query_string else request.path)


_FILL: dict[str, Callable[[], str]] = {
    "name": lambda: escape(current_user.display_name),
    "csrf": lambda: escape(generate_csrf()),
    "badge": lambda: fresh_value(UNREAD_BADGE),
    "login": lambda: escape(url_for("accounts.login", next=request.path)),
    "here": _here,
    "nav": lambda: main_nav(),
}


def site_header() -> Markup:
    parts = list(_parts("_site_header.html", bool(current_user.is_authenticated)))
    for i in range(1, len(parts), 2):
        parts[i] = _FILL[parts[i]]()
    return Markup("".join(parts))  # noqa: S704 - the template and every slot's value escaped


def site_footer() -> Markup:
    return Markup(_parts("_site_footer.html", False)[0])  # noqa: S704 - rendered by its template


_NAV_LINKS = "network_nav_links"


def _nav_links(endpoints: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(path, escaped path, escaped label) of these menu entries, made once per language and
    prefix: they are the same for everyone shown these entries."""
    known: dict = current_app.extensions.setdefault(_NAV_LINKS, {})
    key = (endpoints, str(get_locale()), request.script_root)
    links = known.get(key)
    if links is None:
        labels = {item["endpoint"]: item["label"] for item in current_app.extensions["network_nav"]}
        paths = [url_for(endpoint) for endpoint in endpoints]
        links = known[key] = tuple((path, str(escape(path)), str(escape(labels[endpoint])))
                                   for endpoint, path in zip(endpoints, paths, strict=True))
    return links


def main_nav() -> Markup:
    """The main menu's entries for this reader, the page they are on marked ``aria-current``."""
    user = current_user._get_current_object()
    member = user.is_authenticated
    endpoints = tuple(
        item["endpoint"] for item in current_app.extensions["network_nav"]
        if item["endpoint"] in current_app.view_functions and (member or not item["members_only"])
        and (item["when"] is None or item["when"](user)))
    here = request.path
    return Markup("".join(  # noqa: S704 - every part was escaped when the links were made
        f'<li><a href="{href}"{_CURRENT if _is_here(here, path) else ""}>{label}</a></li>'
        for path, href, label in _nav_links(endpoints)))


_CURRENT = ' aria-current="page"'


def _is_here(here: str, path: str) -> bool:
    return here == path or (path != "/" and here.startswith(path))
