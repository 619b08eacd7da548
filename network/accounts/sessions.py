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

from network.accounts.models import User
from network.accounts.session_db import DatabaseSessions
from network.accounts.session_redis import RedisSessions, SessionStoreUnavailable
from network.db import utcnow
from network.i18n import gettext as _
from network.permissions import check_access

KEY_PREFIX = "s1."  # a cookie of another shape (an older one) is simply not signed in
STORES = ("database", "redis")
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
    try:
        found = store().lookup(_hash(key[len(KEY_PREFIX):]), now)
    except SessionStoreUnavailable:
        if has_request_context():
            # Signed out for the rest of this request (Flask-Login asks ``g`` first), so the
            # 503 page renders instead of failing on the same lookup.
            g._login_user = current_app.login_manager.anonymous_user()
        raise
    if found is None or not found[1].is_active:
        return None
    session_id, user, last_seen = found
    user.session_key = key
    user.server_session_id = session_id
    user.session_touch_due = (
        now - last_seen >= dt.timedelta(minutes=current_app.config["SESSION_TOUCH_MINUTES"]))
    return user


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
