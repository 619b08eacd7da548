"""Personal access tokens: make (shown once), list, revoke, and recognise on a request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from network.accounts.tokens import hash_token, new_token
from network.api.models import ApiToken, Scope
from network.db import utcnow
from network.extensions import db
from network.i18n import lazy_gettext as _l
from network.permissions import check_access

TOKEN_PREFIX = "nwk_"  # noqa: S105 - a recognisable prefix, not a secret
# The last-use time is written at most this often per token: a read costs no write in between.
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


class TokenError(ValueError):
    """A token request that cannot be carried out; the message is for the user."""


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    known = [s.value for s in Scope]
    chosen = sorted({s for s in scopes if s in known}, key=known.index)
    if not chosen:
        raise TokenError(_l("Välj minst en behörighet."))
    return chosen


def create_token(actor: Any, *, name: str, scopes: Iterable[str], days: int,
                 now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Return (row, the token itself): the caller shows it once; only its hash is kept."""
    chosen = _clean_scopes(scopes)
    check_access("api.create_token", actor, set(chosen))
    name = name.strip()
    if not name or len(name) > 80:
        raise TokenError(_l("Ge nyckeln ett namn (högst 80 tecken)."))
    max_days = current_app.config["API_TOKEN_MAX_DAYS"]
    if not 1 <= days <= max_days:
        raise TokenError(_l("Giltighetstiden ska vara mellan 1 och %(max)s dagar.", max=max_days))
    secret, _hash = new_token()
    token = TOKEN_PREFIX + secret
    now = now or utcnow()
    row = ApiToken(user_id=actor.id, name=name, token_hash=hash_token(token), prefix=token[:10],
                   scopes=" ".join(chosen), created_at=now, expires_at=now + dt.timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(actor: Any, token: ApiToken, now: dt.datetime | None = None) -> None:
    check_access("api.revoke_token", actor, token)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        token.revoked_by_id = actor.id
        db.session.flush()


def tokens_of(user: Any) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())))


def active_tokens(limit: int = 500) -> list[ApiToken]:
    """Every usable token, for admins (who may revoke any of them)."""
    now = utcnow()
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .order_by(ApiToken.last_used_at.desc(), ApiToken.id.desc()).limit(limit)))


def find(raw: str) -> ApiToken | None:
    """The token row for ``raw`` (revoked or expired ones too: the caller says which)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))


def note_use(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Remember the last use: one small UPDATE, rarely, that leaves cached pages valid."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_GRANULARITY:
        return
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        .execution_options(synchronize_session=False, cache_neutral=True))
    set_committed_value(token, "last_used_at", now)  # known to the session, nothing to flush
