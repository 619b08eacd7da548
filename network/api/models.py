"""Personal access tokens: a member's key for programs calling ``/api/v1/``.

The token itself is shown once, when it is made; the database keeps its SHA-256
(``network.accounts.tokens``: 256 random bits, nothing to brute-force).
"""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import User
from network.db import UTCDateTime, utcnow
from network.extensions import db


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    FOLLOWUP = "followup"

    @property
    def label(self) -> str:
        return str(SCOPE_LABELS[self])


SCOPE_LABELS = {
    Scope.READ: _l("Läsa (allt du själv får se)"),
    Scope.WRITE: _l("Skriva (anmälningar, svar i forum, nya versioner)"),
    Scope.FOLLOWUP: _l("Uppföljningsdata (för programmets personal)"),
}


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, so its owner can tell tokens apart; not a secret.
    prefix: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated Scope values
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.revoked_at is None and (now or utcnow()) < self.expires_at
