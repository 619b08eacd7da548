"""Sessions in the database (``user_sessions``): the embedded mode's store.

The lookup replaces the account query every request makes anyway (one joined query), so it
costs no extra round trip. Opening a session and noting "last seen" are neutral writes for the
cache; deleting rows is a normal write, so the page cache's memory of "this cookie is that
person" (network/pagecache.py) is dropped with the new data generation at the commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import contains_eager

from network.accounts.models import User, UserSession
from network.extensions import db

# One prepared query: it runs on every request and replaces the plain account lookup.
_BY_KEY = (
    select(UserSession).join(UserSession.user).options(contains_eager(UserSession.user))
    .where(UserSession.key_hash == bindparam("key_hash"), UserSession.expires_at > bindparam("now"))
)


class DatabaseSessions:
    name = "database"

    def create(self, user: User, key_hash: str, user_agent: str, remember: bool,
               now: dt.datetime, expires: dt.datetime) -> int:
        record = UserSession(user_id=user.id, key_hash=key_hash, user_agent=user_agent,
                             remember=remember, created_at=now, last_seen_at=now,
                             expires_at=expires)
        db.session.add(record)
        db.session.flush()
        return record.id

    def lookup(self, key_hash: str, now: dt.datetime
               ) -> tuple[int, User, dt.datetime, dt.datetime] | None:
        """(session id, account, last seen, expiry) of the live session, or None."""
        record = db.session.scalars(_BY_KEY, {"key_hash": key_hash, "now": now}).first()
        return None if record is None else (record.id, record.user, record.last_seen_at,
                                            record.expires_at)

    def touch(self, session_id: int, now: dt.datetime, expires: dt.datetime) -> None:
        db.session.execute(
            update(UserSession).where(UserSession.id == session_id)
            .values(last_seen_at=now, expires_at=expires)
            .execution_options(synchronize_session=False, cache_neutral=True))

    def parse_id(self, raw: str) -> int | None:
        return int(raw) if raw.isdigit() and len(raw) < 19 else None

    def get(self, session_id: int) -> UserSession | None:
        return db.session.get(UserSession, session_id)

    def delete(self, session_id: int, user_id: int) -> None:
        db.session.execute(delete(UserSession).where(UserSession.id == session_id)
                           .execution_options(synchronize_session=False))

    def delete_all(self, user_id: int, keep: int | None) -> int:
        stmt = delete(UserSession).where(UserSession.user_id == user_id)
        if keep is not None:
            stmt = stmt.where(UserSession.id != keep)
        result = db.session.execute(stmt.execution_options(synchronize_session=False))
        return result.rowcount or 0

    def active(self, user_id: int, now: dt.datetime) -> list[UserSession]:
        return list(db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > now)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))

    def purge(self, now: dt.datetime) -> int:
        result = db.session.execute(
            delete(UserSession).where(UserSession.expires_at <= now)
            .execution_options(synchronize_session=False, cache_neutral=True))
        return result.rowcount or 0

    def ended(self) -> None:
        """Nothing to do: the DELETE raises the data generation when it commits."""
