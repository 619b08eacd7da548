"""Server-side sessions: a signed-in browser is a record the server can end.

The login cookie (Flask-Login's ``_user_id``, and the remember-me cookie) carries a random key;
only its SHA-256 is stored. Every request looks the key up, so ending a session — logging out, a
password change, a deactivation, the member ending it on "Mina sessioner" — makes a copied
cookie worthless at once.

Where they are kept is ``SESSION_STORE``: ``database`` (the ``user_sessions`` table,
network/accounts/session_db.py; the embedded mode's default) or ``redis``
(network/accounts/session_redis.py; the default when ``REDIS_URL`` is set). The functions here
are the same for both; a session's id is an integer in the database and a string in Redis.

Cache: opening a session and noting "last seen" change no cached page; ending one drops the page
cache's memory of "this cookie is that person" (network/pagecache.py) on every process.

Known sessions: each process keeps what a session's lookup found (the session's id, times and
the account's columns) while neither ``structural`` (any change of an account: deactivation,
password, roles) nor ``sessions`` (a session ended in Redis; in the database ending one is a
DELETE, which raises ``structural``) moved, and never past the session's own expiry. A request
of a known session gets its account without a query (``Session.merge(load=False)``, SQLAlchemy's
way of putting a cached object back in a session); the account's columns that change without
raising anything (``last_login_at``) are left out and read when used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached

from network import cache
from network.accounts.models import User
from network.accounts.session_db import DatabaseSessions
from network.accounts.session_redis import RedisSessions, SessionStoreUnavailable
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access

KEY_PREFIX = "s1."  # a cookie of another shape (an older one) is simply not signed in
STORES = ("database", "redis")
SESSIONS_SCOPE = "sessions"  # raised when a session ends outside the database (Redis)
_KNOWN = "network_known_sessions"
KNOWN_MAX = 4096  # sessions remembered per process
KNOWN_TTL = 300.0
# Columns an account changes without raising a scope (a login's time): never taken from memory.
_NOT_KEPT = frozenset({"last_login_at"})
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Choose the store: ``SESSION_STORE``, else Redis when the app has one."""
    name = app.config.get("SESSION_STORE") or ("redis" if app.config.get("REDIS_URL") else "database")
    if name not in STORES:
        raise RuntimeError(f"SESSION_STORE must be one of {', '.join(STORES)}, not {name!r}")
    if name == "redis":
        if not app.config.get("REDIS_URL"):
            raise RuntimeError("SESSION_STORE=redis needs REDIS_URL")
        app.extensions["network_sessions"] = RedisSessions(
            app.config["REDIS_URL"], app.config.get("SESSION_REDIS_PREFIX", "network-session"))
    else:
        app.extensions["network_sessions"] = DatabaseSessions()
    # What each process knows of live sessions (below), kept by the shared generations.
    app.extensions[_KNOWN] = cache.Cache(app.extensions["network_cache"].generation, KNOWN_MAX)


def store() -> DatabaseSessions | RedisSessions:
    return current_app.extensions["network_sessions"]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _idle() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def open_session(user: User, *, user_agent: str = "", remember: bool = False) -> str:
    """Start a session for ``user``; returns the key for the cookie (shown nowhere else)."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    user.server_session_id = store().create(user, _hash(secret), user_agent[:255], remember,
                                            now, now + _idle())
    user.session_key = KEY_PREFIX + secret
    return user.session_key


def load_user(key: str) -> User | None:
    """Flask-Login's loader: the active account of a live session, or None.

    The store away (Redis down) answers 503; the error page itself is then rendered signed out.
    """
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    now = utcnow()
    key_hash = _hash(key[len(KEY_PREFIX):])
    stamp = _known_stamp()
    known = _known().get(key_hash, stamp)
    if known is not None and known.expires_at > now:
        return _signed_in(db.session.merge(known.user, load=False), key, known, now)
    try:
        found = store().lookup(key_hash, now)
    except SessionStoreUnavailable:
        if has_request_context():
            # Signed out for the rest of this request (Flask-Login asks ``g`` first), so the
            # 503 page renders instead of failing on the same lookup.
            g._login_user = current_app.login_manager.anonymous_user()
        raise
    if found is None or not found[1].is_active:
        return None
    found = Found(*found)
    _known().set(key_hash, found.remembered(), stamp, KNOWN_TTL)
    return _signed_in(found.user, key, found, now)


def _signed_in(user: User, key: str, found: Found, now: dt.datetime) -> User | None:
    if not user.is_active:
        return None
    user.session_key = key
    user.server_session_id = found.session_id
    user.session_touch_due = (now - found.last_seen_at >= dt.timedelta(
        minutes=current_app.config["SESSION_TOUCH_MINUTES"]))
    return user


@dataclass(frozen=True)
class Found:
    """What a store's lookup found: the live session and its account."""

    session_id: Any
    user: User
    last_seen_at: dt.datetime
    expires_at: dt.datetime

    def remembered(self) -> Found:
        """This, with a detached copy of the account's loaded columns (no relationships, and
        nothing of this request's own): what a process keeps of the session."""
        state = inspect(self.user)
        copy = User.__mapper__.class_manager.new_instance()
        kept = {attr.key for attr in User.__mapper__.column_attrs} - _NOT_KEPT
        copy.__dict__.update({k: v for k, v in state.dict.items() if k in kept})
        make_transient_to_detached(copy)
        return Found(self.session_id, copy, self.last_seen_at, self.expires_at)


def _known() -> cache.Cache:
    return current_app.extensions[_KNOWN]


def _known_stamp() -> tuple[int, ...] | None:
    return cache.cache().generation.scope_values((cache.STRUCTURAL, SESSIONS_SCOPE))


def forget_known(key: str | None) -> None:
    """This process looks the session up again (after noting "last seen" in it)."""
    if key and key.startswith(KEY_PREFIX):
        _known().delete(_hash(key[len(KEY_PREFIX):]))


def touch(session_id: Any) -> None:
    """Note that the session was used now (and push its expiry); a write no page depends on.

    Best effort: a store that does not answer just now leaves "last seen" as it was.
    """
    now = utcnow()
    try:
        store().touch(session_id, now, now + _idle())
    except SessionStoreUnavailable:
        log.warning("session store unavailable: last seen not noted")


def current_session_id(user: User) -> Any:
    return getattr(user, "server_session_id", None)


def find(session_id: str) -> Any:
    """The session with this id (as a URL carries it), or None."""
    parsed = store().parse_id(str(session_id))
    return None if parsed is None else store().get(parsed)


def end_current(user: User) -> None:
    """Logging out: the session this request came with ends on the server."""
    session_id = current_session_id(user)
    if session_id is not None:
        store().delete(session_id, user.id)
        store().ended()
    user.session_key = None
    user.server_session_id = None


def end_all_sessions(user: User, *, keep: Any = None) -> int:
    """End every session of ``user`` (but ``keep``): password change, reset, deactivation."""
    ended = store().delete_all(user.id, keep)
    store().ended()
    if keep is None or keep != current_session_id(user):
        user.session_key = None
        user.server_session_id = None
    return ended


def end_session(actor: User, record: Any) -> None:
    """The member (or an administrator) ends one session, e.g. a forgotten shared computer."""
    check_access("accounts.session.end", actor, record)
    store().delete(record.id, record.user_id)
    store().ended()
    if record.user_id != actor.id:
        from network.accounts.services import audit
        from network.extensions import db

        audit(actor, "user.session.end", db.session.get(User, record.user_id),
              session_id=record.id)


def active_sessions(user: User) -> list:
    """The user's live sessions, most recently used first."""
    return store().active(user.id, utcnow())


def purge_expired() -> int:
    """Delete sessions past their expiry (they are already refused); returns how many.

    With Redis the records expire by themselves: this drops what they left in the owners'
    indexes, and any rows left in the database from before the switch.
    """
    now = utcnow()
    removed = store().purge(now)
    if store().name != "database":
        removed += DatabaseSessions().purge(now)
    return removed


# -- describing a session to its owner --------------------------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = ((r"iPhone|iPad|iPod", "iOS"), (r"Android", "Android"), (r"Windows", "Windows"),
            (r"Mac OS X|Macintosh", "macOS"), (r"CrOS", "ChromeOS"), (r"Linux", "Linux"))


@dataclass(frozen=True)
class Device:
    browser: str
    system: str
    mobile: bool

    def describe(self) -> str:
        if not self.browser and not self.system:
            return _("Okänd enhet")
        if not self.system:
            return self.browser
        if not self.browser:
            return self.system
        return _("%(browser)s på %(system)s", browser=self.browser, system=self.system)


def describe_device(user_agent: str) -> Device:
    """Browser and system from a User-Agent header; nothing else (no address, no place)."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), "")
    mobile = "Mobile" in user_agent or system in ("iOS", "Android")
    return Device(browser, system, mobile)
