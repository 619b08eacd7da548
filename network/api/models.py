"""Personal access tokens: a member's key for programs calling ``/api/v1/``.

The token itself is shown once, when it is made; the database keeps its SHA-256
(``network.accounts.tokens``: 256 random bits, nothing to brute-force).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import User
from network.db import UTCDateTime, utcnow
from network.extensions import db
from network.i18n import lazy_gettext as _l


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


class WebhookEvent(enum.StrEnum):
    RESOURCE_PUBLISHED = "resource.published"
    EVENT_CREATED = "event.created"
    EVENT_CHANGED = "event.changed"
    EVENT_CANCELLED = "event.cancelled"
    REPORT_PUBLISHED = "experience_report.published"

    @property
    def label(self) -> str:
        return str(WEBHOOK_EVENT_LABELS[self])


WEBHOOK_EVENT_LABELS = {
    WebhookEvent.RESOURCE_PUBLISHED: _l("Ny offentlig resurs i biblioteket"),
    WebhookEvent.EVENT_CREATED: _l("Offentligt evenemang skapat"),
    WebhookEvent.EVENT_CHANGED: _l("Offentligt evenemang ändrat"),
    WebhookEvent.EVENT_CANCELLED: _l("Offentligt evenemang inställt"),
    WebhookEvent.REPORT_PUBLISHED: _l("Erfarenhetsrapport publicerad"),
}


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Webhook(db.Model):
    """An HTTPS endpoint an admin registered; it receives public content only."""

    __tablename__ = "api_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(String(300))  # space-separated WebhookEvent values
    secret: Mapped[str] = mapped_column(String(64))  # the HMAC key; the receiver has it too
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def event_set(self) -> set[str]:
        return set(self.events.split())


class WebhookDelivery(db.Model):
    __tablename__ = "api_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("api_webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the exact JSON body that is signed and sent
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_status: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    webhook: Mapped[Webhook] = relationship()
