"""Categories, topics, posts, read state, watching, flags and edit history."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import Group, User
from network.db import TimestampMixin, UTCDateTime, utcnow
from network.extensions import db

POSTS_PER_PAGE = 20
TOPICS_PER_PAGE = 30


class Category(TimestampMixin, db.Model):
    """A place for topics, owned by a group or (group_id NULL) by the whole network."""

    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                                 index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # permissions.Visibility; defaults from the group when the category is created.
    visibility: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    # Question-and-answer (rådgivning): one reply can be marked as the answer.
    is_qa: Mapped[bool] = mapped_column(default=False)
    # A library theme (the experts' themes): new questions here reach the experts on it.
    theme: Mapped[str | None] = mapped_column(String(40), index=True)
    archived: Mapped[bool] = mapped_column(default=False)
    topic_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[Group | None] = relationship()


class Topic(db.Model):
    __tablename__ = "forum_topics"
    __table_args__ = (Index("ix_forum_topics_category_activity", "category_id", "last_post_at"),
                      Index("ix_forum_topics_last_post_at", "last_post_at"),
                      # The category page's order: pinned first, then latest activity (0020_scale).
                      Index("ix_forum_topics_category_order", "category_id", "pinned",
                            "last_post_at", "id"),
                      # The forum index's "with news" badges, read from the index alone
                      # (0025_unread): the columns queries.unread_by_category reads.
                      Index("ix_forum_topics_category_unread", "category_id", "last_post_at",
                            "id", "last_number", postgresql_where=text("deleted_at IS NULL"),
                            sqlite_where=text("deleted_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_post_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # Posts are numbered 1, 2, 3... within their topic; numbers are never reused, so read
    # positions, pages and permalinks stay stable when posts are deleted.
    last_number: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(default=False)
    # locked: frozen, nobody replies or edits. closed: only moderators reply.
    locked: Mapped[bool] = mapped_column(default=False)
    closed: Mapped[bool] = mapped_column(default=False)
    # No foreign key: topics and posts would reference each other. Services keep it valid.
    answer_post_id: Mapped[int | None]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    category: Mapped[Category] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_post_author: Mapped[User | None] = relationship(foreign_keys=[last_post_author_id])

    @property
    def pages(self) -> int:
        return max(1, -(-self.last_number // POSTS_PER_PAGE))


class Post(db.Model):
    __tablename__ = "forum_posts"
    __table_args__ = (UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised at save time
    # The post this one quotes or answers, for the "in reply to" link.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id",
                                                               ondelete="SET NULL"))
    # A per-form random key: a double-clicked submit finds the post the first click made.
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The municipality of the author's organisation when the post was written (None: none), the
    # one the overview's totals counted it for (tallies.py), so deleting it later uncounts the
    # same row wherever the author has moved since. History, not a reference: no foreign key.
    municipality_code: Mapped[str | None] = mapped_column(String(4))

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reply_to: Mapped[Post | None] = relationship(remote_side=[id], foreign_keys=[reply_to_id])

    @property
    def page(self) -> int:
        return (self.number - 1) // POSTS_PER_PAGE + 1


class PostRevision(db.Model):
    """The text a post had before an edit; moderators can read the history."""

    __tablename__ = "forum_post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"),
                                         index=True)
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))
    # Who wrote this version, and when it was replaced.
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    editor: Mapped[User | None] = relationship()


class TopicRead(db.Model):
    """How far a member has read a topic: the highest post number seen."""

    __tablename__ = "forum_topic_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    last_read_number: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TopicWatch(db.Model):
    __tablename__ = "forum_topic_watches"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


class CategoryWatch(db.Model):
    __tablename__ = "forum_category_watches"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="CASCADE"), primary_key=True, index=True)


class ActivityDay(db.Model):
    """Running totals for the programme overview: topics and replies written per Stockholm day
    and municipality of the author's organisation ("" for none), kept by the services in the
    writing transaction (tallies.py), so a year's figures read at most a row per day and
    municipality with activity, however many posts were written (issue 22)."""

    __tablename__ = "forum_activity_days"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True, default="")
    topics: Mapped[int] = mapped_column(default=0)
    replies: Mapped[int] = mapped_column(default=0)


class ActivityMonth(db.Model):
    """ActivityDay summed per calendar month (``day`` the month's first day), kept beside it in
    the same upserts: a programme year reads twelve rows per municipality, not 365 (47,000 rows
    and 14 ms of the county view at national scale), and only a period's partial months read
    days (``network.totals.month_split``)."""

    __tablename__ = "forum_activity_months"

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True, default="")
    topics: Mapped[int] = mapped_column(default=0)
    replies: Mapped[int] = mapped_column(default=0)


class AuthorYear(db.Model):
    """Posts not deleted per author and (Stockholm) year: the programme year's active authors
    are its rows with posts, at most one per member (tallies.py keeps them with ActivityDay)."""

    __tablename__ = "forum_author_years"

    year: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    posts: Mapped[int] = mapped_column(default=0)


class FlagReason(enum.StrEnum):
    INAPPROPRIATE = "inappropriate"
    PERSONAL_DATA = "personal_data"  # names of suspects, victims, addresses...
    SPAM = "spam"
    OTHER = "other"


class Flag(db.Model):
    __tablename__ = "forum_flags"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(24), default="")  # dismissed | removed

    post: Mapped[Post] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
