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
token in a shared part would be handed to other people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from markupsafe import Markup

from network import cache
from network.i18n import get_locale, get_timezone

_STORE = "network_shared_fragments"
MAX_FRAGMENTS = 2048  # per process: a few parts per visibility scope, language and page


class SharedRenderingError(RuntimeError):
    """A shared part held something of one session (a CSRF token)."""


def shared(name: str, reader: Any, scopes: tuple[str, ...], render: Callable[[], str],
           ttl: float = 60.0) -> Markup:
    """``render()``'s HTML, kept for every reader whose ``reader`` value (and language, time zone
    and URL prefix) is the same, while ``structural`` and ``scopes`` hold and for ``ttl``
    seconds at most. ``name`` tells the part (and its arguments) apart from others."""
    stamp = cache.cache().generation.scope_values((cache.STRUCTURAL, *scopes))
    key = (name, reader, str(get_locale()), str(get_timezone()), request.script_root)
    store: cache.Cache = current_app.extensions[_STORE]
    html = store.get(key, stamp)
    if html is None:
        html = Markup(render())  # noqa: S704 - rendered by a template, which escaped it
        if 'name="csrf_token"' in html:
            raise SharedRenderingError(f"{name}: a shared part must hold no form")
        store.set(key, html, stamp, ttl)
    return html


def init_app(app: Flask) -> None:
    app.extensions[_STORE] = cache.Cache(app.extensions["network_cache"].generation, MAX_FRAGMENTS)
