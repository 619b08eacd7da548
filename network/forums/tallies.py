"""Running totals of forum activity for the programme overview (issue 22): topics and replies
per Stockholm day and municipality (``ActivityDay``) and the same per calendar month
(``ActivityMonth``, written by the same upserts: a period's whole months are read from it and
only its partial months from the days), posts per author and year (``AuthorYear``).

The services call ``count_post`` when a post is written and ``uncount_post`` when one is deleted,
in the same transaction, as one atomic upsert each (ON CONFLICT ... DO UPDATE on PostgreSQL and
SQLite), so concurrent writers never lose an increment. A post counts for the municipality of
its author's organisation when it is written: the writer stores it on the post
(``Post.municipality_code``, from ``accounts.services.user_municipality``), and counting,
uncounting, ``rebuild`` and the counted periods all read that column, so an author who later
changes organisation (or is deleted) moves none of their old posts. ``rebuild`` recounts
everything from the posts: migration 0022's backfill and bulk writers (``seed-scale``) call it.
``stats`` and ``posts_by_municipality`` read the totals when the period is whole Stockholm days
(``network.totals.whole_days``), and count the posts otherwise.

The listings' counters on the rows themselves (``Category.topic_count``, ``Topic.reply_count``)
change by ``stepped``: the database adds to the value it holds, so two writers at once both
count. ``drift``/``recount_counters`` compare and mend all of them (``flask recount-totals``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, func, insert, or_, select, union_all, update

from network.db import add_to_totals
from network.extensions import db
from network.forums.models import ActivityDay, ActivityMonth, AuthorYear, Category, Post, Topic
from network.totals import Days, local_day, month_of, month_split, within_days

_SCOPES = ("forums",)  # a write here changes the forum's figures, nothing structural
_EVERY_PAGE = ("forums", "forums:*")  # counters mended in bulk show on any topic's page


def _upsert(model, keys: dict, deltas: dict) -> None:
    # Written in the same transaction as the post, which raises ``forums`` already: the totals
    # are part of the forum's data (only the programme overview, never a cached page, reads them).
    add_to_totals(db.session, model, keys, deltas, cache_scopes=_SCOPES)


def _tally(post: Post, step: int) -> None:
    day = local_day(post.created_at)
    first = post.number == 1
    code = post.municipality_code or ""
    steps = {"topics": step if first else 0, "replies": 0 if first else step}
    _upsert(ActivityDay, {"day": day, "municipality_code": code}, steps)
    _upsert(ActivityMonth, {"month": month_of(day), "municipality_code": code}, steps)
    if post.author_id is not None:
        _upsert(AuthorYear, {"year": day.year, "user_id": post.author_id}, {"posts": step})


def stepped(column, step: int):
    """``column + step``, computed by the database when the row is written (never below 0).
    Assigned to an ORM attribute it makes the UPDATE add to the stored value: the value read
    earlier in the request may be stale, and writing it back would lose a concurrent writer's
    step."""
    return column + step if step >= 0 else case((column + step < 0, 0), else_=column + step)


def count_post(post: Post) -> None:
    """A post was written (its ``created_at``, ``number``, ``author_id`` and
    ``municipality_code`` are set)."""
    _tally(post, 1)


def uncount_post(post: Post) -> None:
    """A post was deleted (it had been counted, for its stored municipality)."""
    _tally(post, -1)


# -- rebuilding -----------------------------------------------------------------------------------


def counted() -> tuple[dict[tuple[dt.date, str], list[int]], dict[tuple[int, int], int]]:
    """What the totals should hold, counted from the posts not deleted (days in Stockholm time,
    computed here so both databases agree): {(day, municipality): [topics, replies]} and
    {(year, author): posts}."""
    days: dict[tuple[dt.date, str], list[int]] = {}
    authors: dict[tuple[int, int], int] = {}
    rows = db.session.execute(
        select(Post.created_at, Post.number, Post.author_id, Post.municipality_code)
        .where(Post.deleted_at.is_(None)).execution_options(yield_per=20_000))
    for created_at, number, author_id, code in rows:
        day = local_day(created_at)
        tally = days.setdefault((day, code or ""), [0, 0])
        tally[0 if number == 1 else 1] += 1
        if author_id is not None:
            authors[(day.year, author_id)] = authors.get((day.year, author_id), 0) + 1
    return days, authors


def by_month(days: dict[tuple[dt.date, str], list[int]]) -> dict[tuple[dt.date, str], list[int]]:
    """The day totals summed per (first day of the month, municipality)."""
    months: dict[tuple[dt.date, str], list[int]] = {}
    for (day, code), (topics, replies) in days.items():
        tally = months.setdefault((month_of(day), code), [0, 0])
        tally[0] += topics
        tally[1] += replies
    return months


def rebuild() -> None:
    """Recount the totals from the posts: for the migration's backfill and for bulk writers."""
    days, authors = counted()
    for model in (ActivityDay, ActivityMonth, AuthorYear):
        db.session.execute(delete(model).execution_options(cache_scopes=_SCOPES))
    _insert(ActivityDay, [{"day": d, "municipality_code": c, "topics": t, "replies": r}
                          for (d, c), (t, r) in days.items()])
    _insert(ActivityMonth, [{"month": m, "municipality_code": c, "topics": t, "replies": r}
                            for (m, c), (t, r) in by_month(days).items()])
    _insert(AuthorYear, [{"year": y, "user_id": u, "posts": n} for (y, u), n in authors.items()])


def drift() -> int:
    """How many rows of the totals differ from counting the posts (missing, extra or wrong)."""
    days, authors = counted()
    stored_days = {(d, c): [t, r] for d, c, t, r in db.session.execute(select(
        ActivityDay.day, ActivityDay.municipality_code, ActivityDay.topics, ActivityDay.replies))
        if t or r}
    stored_months = {(m, c): [t, r] for m, c, t, r in db.session.execute(select(
        ActivityMonth.month, ActivityMonth.municipality_code, ActivityMonth.topics,
        ActivityMonth.replies)) if t or r}
    stored_authors = {(y, u): n for y, u, n in db.session.execute(
        select(AuthorYear.year, AuthorYear.user_id, AuthorYear.posts)) if n}
    return (_differing(days, stored_days) + _differing(by_month(days), stored_months)
            + _differing(authors, stored_authors))


def _differing(expected: dict, stored: dict) -> int:
    return sum(1 for key in expected.keys() | stored.keys() if expected.get(key) != stored.get(key))


def _topics_now():
    return (select(func.count(Topic.id))
            .where(Topic.category_id == Category.id, Topic.deleted_at.is_(None))
            .correlate(Category).scalar_subquery())


def _replies_now():
    return (select(func.count(Post.id))
            .where(Post.topic_id == Topic.id, Post.number > 1, Post.deleted_at.is_(None))
            .correlate(Topic).scalar_subquery())


def counter_drift() -> int:
    """Categories and topics whose counter differs from counting their topics and replies."""
    categories = db.session.scalar(select(func.count()).select_from(Category)
                                   .where(Category.topic_count != _topics_now()))
    topics = db.session.scalar(select(func.count()).select_from(Topic)
                               .where(Topic.reply_count != _replies_now()))
    return int(categories or 0) + int(topics or 0)


def recount_counters() -> None:
    """Set every category's and topic's counter to what counting gives (the rows that differ)."""
    db.session.execute(update(Category).where(Category.topic_count != _topics_now())
                       .values(topic_count=_topics_now())
                       .execution_options(synchronize_session=False, cache_scopes=_EVERY_PAGE))
    db.session.execute(update(Topic).where(Topic.reply_count != _replies_now())
                       .values(reply_count=_replies_now())
                       .execution_options(synchronize_session=False, cache_scopes=_EVERY_PAGE))


def _insert(model, rows: list[dict], batch: int = 5000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(insert(model).execution_options(cache_scopes=_SCOPES),
                           rows[start:start + batch])


# -- reading --------------------------------------------------------------------------------------


def _rows(days: Days):
    """(municipality_code, topics, replies) rows adding up to the days: the whole months' rows,
    and the day rows of the partial months at the edges."""
    months, edges = month_split(days)
    parts = []
    if months is not None:
        parts.append(select(ActivityMonth.municipality_code, ActivityMonth.topics,
                            ActivityMonth.replies).where(*within_days(ActivityMonth.month, months)))
    if edges:
        parts.append(select(ActivityDay.municipality_code, ActivityDay.topics, ActivityDay.replies)
                     .where(or_(*(ActivityDay.day.between(a, b) for a, b in edges))))
    return union_all(*parts).subquery("activity") if len(parts) > 1 else parts[0].subquery("activity")


def totals(days: Days) -> dict[str, int]:
    """{"topics", "posts"} in the days, and "authors" when they are whole calendar years
    (None otherwise)."""
    rows = _rows(days)
    topics, replies = db.session.execute(select(
        func.coalesce(func.sum(rows.c.topics), 0), func.coalesce(func.sum(rows.c.replies), 0))).one()
    first, last = days
    authors = None
    if (first is None or (first.month, first.day) == (1, 1)) and (
            last is None or (last.month, last.day) == (12, 31)):
        years = [AuthorYear.posts > 0]
        if first is not None:
            years.append(AuthorYear.year >= first.year)
        if last is not None:
            years.append(AuthorYear.year <= last.year)
        authors = db.session.scalar(select(func.count(func.distinct(AuthorYear.user_id)))
                                    .where(*years))
    return {"topics": int(topics), "posts": int(topics) + int(replies), "authors": authors}


def by_municipality(days: Days) -> dict[str | None, dict[str, int]]:
    activity = _rows(days)
    rows = db.session.execute(
        select(activity.c.municipality_code, func.sum(activity.c.topics), func.sum(activity.c.replies))
        .group_by(activity.c.municipality_code)).all()
    return {code or None: {"topics": int(topics or 0), "replies": int(replies or 0)}
            for code, topics, replies in rows if topics or replies}

