"""Personal calendar-feed addresses: only the hash of each secret token is stored."""

from __future__ import annotations

from sqlalchemy import select

from network.accounts.models import User
from network.accounts.tokens import hash_token, new_token, token_matches
from network.db import utcnow
from network.events.models import (
    CalendarToken,
)
from network.extensions import db


def calendar_token(user: User) -> CalendarToken | None:
    return db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))


def regenerate_calendar_token(user: User) -> str:
    """A new secret feed URL; any old one stops working. Returns the token (shown once)."""
    token, digest = new_token()
    row = calendar_token(user)
    if row is None:
        row = CalendarToken(user_id=user.id, token_hash=digest)
        db.session.add(row)
    else:
        row.token_hash, row.created_at = digest, utcnow()
    db.session.flush()
    return token


def revoke_calendar_token(user: User) -> None:
    row = calendar_token(user)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def user_for_token(token: str) -> User | None:
    """Look up by hash, then compare in constant time; inactive users have no feed."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == hash_token(token)))
    if row is None or not token_matches(token, row.token_hash):
        return None
    user = row.user
    return user if user.is_active else None
