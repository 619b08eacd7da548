"""Single sign-on: identities at OpenID providers linked to accounts, and the email domains
whose members may no longer sign in with a password (network/accounts/sso.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import User
from network.db import UTCDateTime, utcnow
from network.extensions import db


class SsoIdentity(db.Model):
    """A person's account at a configured provider (its ``sub``) linked to their network account."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))  # the key in OIDC_PROVIDERS
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")  # as the provider last said
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordLoginBlock(db.Model):
    """An email domain whose members sign in through single sign-on only (an admin's choice)."""

    __tablename__ = "password_login_blocks"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
