"""Events, recurring series, agenda items, registrations and calendar-feed tokens.

Times are stored as aware UTC; the wall-clock time people entered lives in Europe/Stockholm
and is recomputed from the series rule, so occurrences keep their local time across DST.
A series keeps its RFC 5545 rule (for feeds) and materialises one ``Event`` row per
occurrence (registrations belong to an occurrence).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import Group, User
from network.db import TimestampMixin, UTCDateTime, utcnow
from network.extensions import db

TZID = "Europe/Stockholm"


class EventType(enum.StrEnum):
    NETWORK_MEETING = "natverkstraff"
    WORKSHOP = "workshop"
    WEBINAR = "webbinarium"
    STUDY_VISIT = "studiebesok"
    LOCAL_MEETING = "samverkansmote"


class EventStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"


class EventSeries(TimestampMixin, db.Model):
    """A recurring rule. ``dtstart_local`` is the naive Stockholm wall-clock start."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    # The RRULE value without DTSTART, e.g. "FREQ=MONTHLY;BYDAY=+3WE;COUNT=12".
    rrule: Mapped[str] = mapped_column(String(200))
    dtstart_local: Mapped[dt.datetime] = mapped_column(DateTime())
    duration_minutes: Mapped[int]
    all_day: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[Group] = relationship()
    occurrences: Mapped[list[Event]] = relationship(
        back_populates="series", order_by="Event.original_start_at"
    )


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_visibility_group", "visibility", "group_id"),
        UniqueConstraint("series_id", "original_start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[EventType] = mapped_column(String(24))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    all_day: Mapped[bool] = mapped_column(default=False)
    place: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    visibility: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int | None]
    registration_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[EventStatus] = mapped_column(String(16), default=EventStatus.SCHEDULED)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Raised on each change of time, place or status, so calendar clients replace their copy.
    sequence: Mapped[int] = mapped_column(default=0)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="CASCADE"), index=True
    )
    # The rule's start for this occurrence (RECURRENCE-ID); unchanged when the occurrence moves.
    original_start_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Edited on its own (moved or changed): written to feeds as a RECURRENCE-ID override.
    is_exception: Mapped[bool] = mapped_column(default=False)
    # Registrations holding a seat (not waitlisted), a running total the registration services
    # keep in their transaction (registrations.py), so the programme overview sums it over the
    # held meetings instead of counting every registration (issue 22).
    registered_total: Mapped[int] = mapped_column(default=0, server_default="0")

    group: Mapped[Group] = relationship()
    created_by: Mapped[User | None] = relationship()
    series: Mapped[EventSeries | None] = relationship(back_populates="occurrences")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    @property
    def cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def last_local_date(self) -> dt.date:
        """The last Stockholm day the event covers (all-day ends are exclusive midnights)."""
        from network.events.timeutil import to_local

        return to_local(self.end_at - dt.timedelta(seconds=1)).date()

    @property
    def multi_day(self) -> bool:
        from network.events.timeutil import to_local

        return self.last_local_date != to_local(self.start_at).date()


class AgendaItem(db.Model):
    __tablename__ = "event_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # Local (Stockholm) wall-clock time as "HH:MM", or empty.
    time: Mapped[str] = mapped_column(String(5), default="")
    title: Mapped[str] = mapped_column(String(200))
    speaker: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[Event] = relationship(back_populates="agenda")


class Registration(TimestampMixin, db.Model):
    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(String(16), default=RegistrationStatus.REGISTERED)
    # Free-text needs (accessibility, diet): deleted 30 days after the event.
    needs: Mapped[str] = mapped_column(Text, default="")
    promoted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship()


class CalendarToken(db.Model):
    """A person's secret feed URL; only the SHA-256 of the token is kept."""

    __tablename__ = "event_calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """The last calendar invitation (iTIP) sent to one person for one occurrence (``event_id``)
    or for a whole series they registered for at once (``series_id``, one recurring meeting).

    Kept after unregistering, so a later invitation with the same UID still gets a higher
    SEQUENCE than the cancellation before it (calendar programs ignore lower ones).
    """

    __tablename__ = "event_invitations"
    __table_args__ = (UniqueConstraint("event_id", "user_id"), UniqueConstraint("series_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(default=0)
    # "REQUEST" while the meeting stands in the person's calendar, "CANCEL" after it left.
    method: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InvitationOptOut(db.Model):
    """A member who wants the plain confirmation with a calendar file instead of invitations."""

    __tablename__ = "event_invitation_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
