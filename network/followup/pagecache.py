"""A small in-process cache of whole public pages for visitors without an account.

The experience bank is read far more than it changes, mostly by visitors who all get the same
page. For them the rendered HTML is kept per (path with query, language, data version); the data
version is read from the database on every request, so a publish, edit or unpublish in any worker
is seen at once. The page's CSRF token (the language switch form) differs per visitor, so the
page is cached with a placeholder and each response gets the visitor's own token.
Pages with flashed messages, and every logged-in user, are rendered normally.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

PLACEHOLDER = "\ue000csrf-token\ue001"
MAX_PAGES = 256
_lock = threading.Lock()


def _pages() -> OrderedDict[Hashable, str]:
    """One cache per app (tests build many apps in one process)."""
    return current_app.extensions.setdefault("followup_page_cache", OrderedDict())


def cacheable() -> bool:
    return not current_user.is_authenticated and "_flashes" not in session


def public_page(version: Hashable, render: Callable[..., str]) -> Response:
    """``render(csrf_token=callable)`` builds the page; it is called only on a miss."""
    key = (request.full_path, str(get_locale()), version)
    pages = _pages()
    with _lock:
        body = pages.get(key)
        if body is not None:
            pages.move_to_end(key)
    state = "hit"
    if body is None:
        state = "miss"
        body = render(csrf_token=lambda: PLACEHOLDER)
        with _lock:
            pages[key] = body
            while len(pages) > MAX_PAGES:
                pages.popitem(last=False)
    response = Response(body.replace(PLACEHOLDER, generate_csrf()), mimetype="text/html")
    response.headers["X-Page-Cache"] = state
    return response


def clear() -> None:
    with _lock:
        _pages().clear()
