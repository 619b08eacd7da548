"""Whole rendered pages, reused for the same person, language and URL while the data holds.

The pages read most (the start page, forum topics, the experience bank) are rendered once and
then served from memory until the data generation changes (any committed write, see
``network/cache.py``), the member's own personal generation changes (their read positions),
or their TTL passes (for what changes with the clock alone). A view opts in
with ``@cached_page(ttl=...)`` placed directly under its route decorator.

Why reuse is safe: a page is stored only after its view ran in full — loading, the permission
check, rendering — and answered 200 for that identity (one person, or "not logged in"). It is
handed out again only to the same identity at the same generation, when every input of that
check is unchanged. Each kept rendering has its own ETag: a reload within its life answers 304
Not Modified to the same identity, and to nobody else (the ETag is looked up under the
identity's own key, never compared across people). Session-bound values never enter the
cache: the CSRF token and the forms' double-submit keys are rendered as placeholders and filled
in fresh for each response (``fresh_value``). The reader's notification badge is a placeholder
too, filled per response and part of the response's ETag (``register_personal_value``): their
notifications come and go without renewing their pages. Pages with flashed messages, non-200
answers and POSTs are never cached.

The identity comes from the session without loading the account: Flask-Login's ``_user_id``
(which carries the account's session token) is checked once per generation with the normal
loader, so a changed password, a deactivation or a role change (all writes) is seen at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from network import cache, i18n

AUTH_TTL = 300
_RENDERING = "_network_page_rendering"
_CSRF_FIELD = "csrf_token"


# Placeholders carry a secret of this process: anyone can type the private-use characters
# into a post or a name, and a guessable placeholder in user content would be filled with the
# reader's CSRF token. The secret never leaves the process (pages are filled before sending).
_SECRET = secrets.token_hex(16)
_MARKER = re.compile("\ue000" + _SECRET + "([a-z_]+)\ue001")


def _placeholder(name: str) -> str:
    return f"\ue000{_SECRET}{name}\ue001"


_FRESH: dict[str, Callable[[], str]] = {"csrf": generate_csrf}
# Values of the reader that change apart from the page (the notification badge): filled in for
# every response like the fresh ones, and part of the response's ETag, so that a reload sees a
# changed value although the page around it is kept.
_PERSONAL: set[str] = set()
_USER_ID = "_network_page_user_id"


def register_fresh_value(name: str, factory: Callable[[], str]) -> None:
    """A value that must differ per response (e.g. a form's double-submit key)."""
    _FRESH[name] = factory


def register_personal_value(name: str, factory: Callable[[], str]) -> None:
    """A value of the reader's own that the page shows but is not stamped with: ``factory()``
    makes it for every response (it may ask ``page_user_id()``, which loads nobody). Its own
    freshness is the factory's business (e.g. a count kept by its own scopes)."""
    _FRESH[name] = factory
    _PERSONAL.add(name)


def page_user_id() -> int | None:
    """Whom the page is for, without loading the account when the cache knows them."""
    user_id = g.get(_USER_ID)
    if user_id is None and current_user.is_authenticated:
        user_id = current_user.id
    return user_id


def fresh_value(name: str) -> str:
    """The value for a page: a placeholder while rendering for the cache, else a new one."""
    if g.get(_RENDERING):
        return _placeholder(name)
    return _FRESH[name]()


def _identity(generation: int) -> tuple | None:
    """(who, language) for the cache key, or None when this request must not use the cache."""
    user_id = session.get("_user_id")
    if user_id is None:
        if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return None  # Flask-Login restores the session from it: let the view run
        return ("anonymous", i18n.choose_locale(None))
    key = ("auth", hashlib.blake2b(str(user_id).encode(), digest_size=16).digest())
    known = cache.cache().get(key, generation)
    if known is None:
        if not current_user.is_authenticated:
            return None
        known = (current_user.id, current_user.locale)
        cache.cache().set(key, known, generation, AUTH_TTL)
    setattr(g, _USER_ID, known[0])
    return (known[0], i18n.choose_locale(known[1]))


def _split(body: str) -> list[str]:
    """Text and placeholder names alternating, so that a hit only joins (no search)."""
    return _MARKER.split(body)


def _personal_values(parts: list[str]) -> dict[str, str]:
    return {name: _FRESH[name]() for name in parts[1::2] if name in _PERSONAL}


def _filled(parts: list[str], known: dict[str, str] | None = None) -> str:
    if len(parts) == 1:
        return parts[0]
    filled = list(parts)
    for i in range(1, len(filled), 2):
        name = filled[i]
        filled[i] = known[name] if known and name in known else _FRESH[name]()
    return "".join(filled)


def _serve(parts: list[str], headers: list[tuple[str, str]], etag: str, state: str) -> Any:
    personal = _personal_values(parts)
    if personal:
        # The reader's badge is not in the kept page: a changed one makes another ETag.
        etag += "-" + hashlib.blake2b(repr(sorted(personal.items())).encode(),
                                      digest_size=6).hexdigest()
    if request.if_none_match.contains(etag):
        # The reader's copy is this very rendering: kept for this identity, at this data, within
        # its TTL, so its per-response values (CSRF token, form keys) are at most a TTL old.
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(_filled(parts, personal), mimetype="text/html",
                                              headers=headers)
    response.set_etag(etag)
    # Browsers ask again on every use; shared caches never keep a person's page.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.headers["X-Page-Cache"] = state
    return response


Scopes = Callable[..., tuple[str, ...]]


def cached_page(ttl: float = 60, scopes: Scopes | None = None) -> Callable:
    """``scopes(**view_kwargs)`` names every scope the page shows data of (see
    ``network/cache.py``); without it the page depends on all data."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if (request.method not in ("GET", "HEAD") or "_flashes" in session
                    or not current_app.config.get("PAGE_CACHE", True)):
                return view(*args, **kwargs)
            generation = cache.generation()
            identity = _identity(generation) if generation is not None else None
            if identity is None:
                return view(*args, **kwargs)
            key = ("page", request.host, request.full_path, *identity)
            # A member's page also holds what only they see (read markers, the badge): it is
            # valid while their own scope holds too (see network/cache.py).
            generation = cache.scope_stamp(
                generation, scopes(**kwargs) if scopes is not None else None,
                None if identity[0] == "anonymous" else identity[0])
            if generation is None:
                return view(*args, **kwargs)
            stored = cache.pages().get(key, generation)
            if stored is not None:
                return _serve(*stored, state="hit")
            response = _render(view, args, kwargs)
            if (response.status_code != 200 or response.mimetype != "text/html"
                    or response.is_streamed or "_flashes" in session
                    or "Set-Cookie" in response.headers):
                return _fill_in(response)
            headers = [(k, v) for k, v in response.headers.items()
                       if k not in ("Content-Length", "Content-Type")]
            parts = _split(response.get_data(as_text=True))
            stored = (parts, headers, secrets.token_urlsafe(12))  # this rendering's ETag
            cache.pages().set(key, stored, generation, ttl)
            return _serve(*stored, state="miss")
        return wrapper
    return decorator


def _fill_in(response: Any) -> Any:
    """A response not kept (an error page, a redirect, a flash): its placeholders filled in."""
    if response.mimetype == "text/html" and not response.is_streamed:
        response.set_data(_filled(_split(response.get_data(as_text=True))))
    response.headers["X-Page-Cache"] = "skip"
    return response


def _render(view: Callable, args: tuple, kwargs: dict) -> Any:
    """Run the view with every per-response value as a placeholder."""
    setattr(g, _RENDERING, True)
    setattr(g, _CSRF_FIELD, _placeholder("csrf"))  # what every csrf_token() call returns now
    try:
        return current_app.make_response(view(*args, **kwargs))
    finally:
        g.pop(_RENDERING, None)
        g.pop(_CSRF_FIELD, None)
