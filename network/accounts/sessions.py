"""Server-side sessions: a signed-in browser is a row the server can end.

The login cookie (Flask-Login's ``_user_id``, and the remember-me cookie) carries a random key;
only its SHA-256 is stored (``UserSession.key_hash``). Every request looks the key up, so ending
a session — logging out, a password change, a deactivation, the member ending it on "Mina
sessioner" — makes a copied cookie worthless at once.

Sessions live in the database in both the embedded and the scaled mode: the lookup replaces the
account query every request already made, so it costs no extra round trip.

Cache: opening a session and noting "last seen" change no cached page (``register_neutral`` and
``cache_neutral``); ending one is a normal write, so the page cache's memory of "this cookie is
that person" (network/pagecache.py) is dropped with the new data generation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import contains_eager

from network.accounts.models import User, UserSession
from network.db import utcnow
from network.extensions import db
from network.permissions import check_access

KEY_PREFIX = "s1."  # a cookie of another shape (an older one) is simply not signed in


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _idle() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def open_session(user: User, *, user_agent: str = "", remember: bool = False) -> str:
    """Start a session for ``user``; returns the key for the cookie (shown nowhere else)."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(user_id=user.id, key_hash=_hash(secret), user_agent=user_agent[:255],
                         remember=remember, created_at=now, last_seen_at=now,
                         expires_at=now + _idle())
    db.session.add(record)
    db.session.flush()
    user.session_key = KEY_PREFIX + secret
    user.server_session_id = record.id
    return user.session_key


# One prepared query: it runs on every request and replaces the plain account lookup.
_BY_KEY = (
    select(UserSession).join(UserSession.user).options(contains_eager(UserSession.user))
    .where(UserSession.key_hash == bindparam("key_hash"), UserSession.expires_at > bindparam("now"))
)


def load_user(key: str) -> User | None:
    """Flask-Login's loader: the active account of a live session, or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    record = db.session.scalars(
        _BY_KEY, {"key_hash": _hash(key[len(KEY_PREFIX):]), "now": utcnow()}).first()
    if record is None or not record.user.is_active:
        return None
    user = record.user
    user.session_key = key
    user.server_session_id = record.id
    user.session_touch_due = (
        utcnow() - record.last_seen_at
        >= dt.timedelta(minutes=current_app.config["SESSION_TOUCH_MINUTES"]))
    return user


def touch(session_id: int) -> None:
    """Note that the session was used now (and push its expiry); a write no page depends on."""
    now = utcnow()
    db.session.execute(
        update(UserSession).where(UserSession.id == session_id)
        .values(last_seen_at=now, expires_at=now + _idle())
        .execution_options(synchronize_session=False, cache_neutral=True))


def current_session_id(user: User) -> int | None:
    return getattr(user, "server_session_id", None)


def end_current(user: User) -> None:
    """Logging out: the session this request came with ends on the server."""
    session_id = current_session_id(user)
    if session_id is not None:
        db.session.execute(delete(UserSession).where(UserSession.id == session_id))
    user.session_key = None
    user.server_session_id = None


def end_all_sessions(user: User, *, keep: int | None = None) -> int:
    """End every session of ``user`` (but ``keep``): password change, reset, deactivation."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    if keep is None or keep != current_session_id(user):
        user.session_key = None
        user.server_session_id = None
    return result.rowcount or 0


def end_session(actor: User, record: UserSession) -> None:
    """The member (or an administrator) ends one session, e.g. a forgotten shared computer."""
    check_access("accounts.session.end", actor, record)
    db.session.execute(delete(UserSession).where(UserSession.id == record.id)
                       .execution_options(synchronize_session=False))
    if record.user_id != actor.id:
        from network.accounts.services import audit

        audit(actor, "user.session.end", record.user, session_id=record.id)


def active_sessions(user: User) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    return list(db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def purge_expired() -> int:
    """Delete sessions past their expiry (they are already refused); returns how many."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.expires_at <= utcnow())
        .execution_options(synchronize_session=False, cache_neutral=True))
    return result.rowcount or 0


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
