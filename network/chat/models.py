"""Workshop rooms and what is said in them.

A message's primary key is its place in the room's order: ids only grow, so "everything after
id N" is the catch-up query a reconnecting client needs. ``(room_id, client_uuid)`` is unique so
a send the client retries is stored once.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import Group, User
from network.db import TimestampMixin, UTCDateTime, utcnow
from network.events.models import Event
from network.extensions import db

MAX_MESSAGE_LENGTH = 4000
MAX_PROMPT_LENGTH = 1000
MAX_POLL_QUESTION_LENGTH = 300
MAX_POLL_OPTION_LENGTH = 200
MAX_POLL_OPTIONS = 10


class RoomStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class JoinRule(enum.StrEnum):
    GROUP = "group"  # every member of the room's group
    REGISTERED = "registered"  # only those registered for the room's event occurrence


class MessageKind(enum.StrEnum):
    TEXT = "text"
    SYSTEM = "system"


class ChatRoom(TimestampMixin, db.Model):
    __tablename__ = "chat_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[RoomStatus] = mapped_column(String(16), default=RoomStatus.OPEN)
    join_rule: Mapped[JoinRule] = mapped_column(String(16), default=JoinRule.GROUP)
    pinned_prompt: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The event occurrence the workshop belongs to; ad-hoc rooms have none. An occurrence that
    # is deleted leaves its rooms (and their history) in the group.
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True)

    group: Mapped[Group] = relationship()
    created_by: Mapped[User | None] = relationship()
    occurrence: Mapped[Event | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == RoomStatus.OPEN


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("room_id", "client_uuid", name="uq_chat_messages_room_client_uuid"),
        Index("ix_chat_messages_room_id_id", "room_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("chat_rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[MessageKind] = mapped_column(String(16), default=MessageKind.TEXT)
    body: Mapped[str] = mapped_column(Text)
    client_uuid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class ChatPoll(db.Model):
    __tablename__ = "chat_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("chat_rooms.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(MAX_POLL_QUESTION_LENGTH))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    options: Mapped[list[ChatPollOption]] = relationship(
        back_populates="poll", order_by="ChatPollOption.position", cascade="all, delete-orphan"
    )


class ChatPollOption(db.Model):
    __tablename__ = "chat_poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("chat_polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(MAX_POLL_OPTION_LENGTH))

    poll: Mapped[ChatPoll] = relationship(back_populates="options")


class ChatPollVote(db.Model):
    """One vote per person and poll: the primary key says so; voting again changes the vote."""

    __tablename__ = "chat_poll_votes"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("chat_polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("chat_poll_options.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChatRaisedHand(db.Model):
    """A raised hand is kept in the database so every server process sees the same queue."""

    __tablename__ = "chat_raised_hands"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("chat_rooms.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
