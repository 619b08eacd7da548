"""Parts of pages rendered once for everyone who would see them alike, not once per member.

A member's whole page is kept for that member alone (``network/pagecache.py``), and under real
use (many members, many pages, writes every second) it is seldom asked for again before the
data it shows changes. Parts of it are the same for many readers, though: the library's list
for everyone of one visibility scope, the newest resources on the start page. ``shared()`` keeps
such a part's HTML under a key naming *everything the rendering reads of its reader* (the
caller's ``reader`` value, e.g. ``permissions.visibility_scope``; the language, time zone and
URL prefix are added here) and stamped with the scopes of the data it shows (see
``network/cache.py``): a write to those scopes, or to ``structural``, renders it anew for the
next reader, and the TTL bounds what changes with the clock.

What may be shared: a rendering whose every input is in its key. Nothing session-bound may be in
it: a rendering that holds a form's CSRF token is refused (``SharedRenderingError``), as a
token in a shared part would be handed to other people. A form is shared with ``with_slots()``:
it renders placeholders (carrying a secret of this process, which user content cannot forge)
where the token and other per-response values go, and they are filled in for every response.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from network import cache
from network.i18n import get_locale, get_timezone

_STORE = "network_shared_fragments"
_SECRET = secrets.token_hex(16)
MAX_FRAGMENTS = 2048  # per process: a few parts per visibility scope, language and page


class SharedRenderingError(RuntimeError):
    """A shared part held something of one session (a CSRF token)."""


def shared(name: str, reader: Any, scopes: tuple[str, ...], render: Callable[[], str],
           ttl: float = 60.0) -> Markup:
    """``render()``'s HTML, kept for every reader whose ``reader`` value (and language, time zone
    and URL prefix) is the same, while ``structural`` and ``scopes`` hold and for ``ttl``
    seconds at most. ``name`` tells the part (and its arguments) apart from others."""

    def checked() -> str:
        html = render()
        if 'name="csrf_token"' in html:
            raise SharedRenderingError(f"{name}: a shared part must hold no form")
        return html

    return _kept(name, reader, scopes, checked, ttl)


def _kept(name: str, reader: Any, scopes: tuple[str, ...], render: Callable[[], str],
          ttl: float) -> Markup:
    stamp = cache.cache().generation.scope_values((cache.STRUCTURAL, *scopes))
    key = (name, reader, str(get_locale()), str(get_timezone()), request.script_root)
    store: cache.Cache = current_app.extensions[_STORE]
    html = store.get(key, stamp)
    if html is None:
        html = Markup(render())  # noqa: S704 - rendered by a template, which escaped it
        store.set(key, html, stamp, ttl)
    return html


def with_slots(name: str, reader: Any, scopes: tuple[str, ...],
               render: Callable[[dict[str, str]], str], slots: dict[str, Callable[[], str]],
               ttl: float = 60.0) -> Markup:
    """Like ``shared()``, for a part with values of this response in it (a form's CSRF token, a
    double-submit key). ``render(placeholders)`` puts ``placeholders[slot]`` where each slot's
    value goes; ``slots[slot]()`` gives the value, escaped when filled in. The token of this
    session must not be in the rendering (``SharedRenderingError``): it goes in a slot."""
    placeholders = {slot: f"\ue004{_SECRET}{slot}\ue005" for slot in slots}

    def checked() -> str:
        html = render(placeholders)
        if generate_csrf() in html:
            raise SharedRenderingError(f"{name}: the CSRF token must be a slot")
        return html

    html = _kept(name, reader, scopes, checked, ttl)
    for slot, fill in slots.items():
        html = html.replace(placeholders[slot], escape(fill()))
    return html


def init_app(app: Flask) -> None:
    app.extensions[_STORE] = cache.Cache(app.extensions["network_cache"].generation, MAX_FRAGMENTS)
