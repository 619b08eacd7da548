"""Read paths: listings with the access filter inside the query and a fixed number of queries.

Unread state: a member's ``TopicRead.last_read_number`` against the topic's ``last_number``.
A topic they have never opened counts as new only if it was active after they joined, so a new
member does not find the whole archive "new".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from network import fulltext
from network.accounts.models import Group, User
from network.accounts.permissions import visible_groups_filter
from network.extensions import db
from network.forums.models import (
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Category,
    Flag,
    Post,
    Topic,
    TopicRead,
    TopicWatch,
)
from network.forums.permissions import moderated_categories_filter, visible_categories_filter
from network.forums.services import KIND_POST, KIND_TOPIC
from network.permissions import is_member, scope_filter, visibility_scope
from network.resources import services as resources


@dataclass
class Page:
    """What ``macros.pagination`` needs, for any list."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, edge: int = 2, around: int = 2):
        last = 0
        for n in range(1, self.pages + 1):
            if n <= edge or n > self.pages - edge or abs(n - self.page) <= around:
                if last and n - last > 1:
                    yield None
                yield n
                last = n


@dataclass
class TopicRow:
    topic: Topic
    read_number: int | None
    is_new: bool
    unread: int = 0
    extra: dict = field(default_factory=dict)


def _read_column(member: bool):
    if not member:
        return literal(None).label("read_number")
    return TopicRead.last_read_number.label("read_number")


def _with_read(stmt, member: bool, reader_id: Any):
    """The reader's read position joined in: ``reader_id`` is their id, or a parameter in a
    statement built once for many readers."""
    if not member:
        return stmt
    return stmt.outerjoin(TopicRead, and_(TopicRead.topic_id == Topic.id,
                                          TopicRead.user_id == reader_id))


def _rows(user: Any, results) -> list[TopicRow]:
    rows = []
    joined = user.created_at if is_member(user) else None
    for topic, read_number in results:
        if not is_member(user):
            rows.append(TopicRow(topic, None, False))
        elif read_number is None:
            rows.append(TopicRow(topic, None, bool(joined and topic.last_post_at > joined),
                                 unread=0))
        else:
            rows.append(TopicRow(topic, read_number, False,
                                 unread=max(0, topic.last_number - read_number)))
    return rows


CATEGORIES_PER_PAGE = 50


def category_page(user: Any, page: int = 1, per_page: int = CATEGORIES_PER_PAGE) -> Page:
    """One page of the categories the user may read, network-wide first, in their set order: the
    forum index stays bounded with hundreds of groups."""
    base = (select(Category).outerjoin(Group, Group.id == Category.group_id)
            .where(visible_categories_filter(user)))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    items = list(db.session.scalars(
        base.options(contains_eager(Category.group))
        .order_by(Category.archived, Category.group_id.is_not(None), Group.name,
                  Category.position, Category.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)


# A category's "with news" badge counts at most this many topics (and shows "99+" beyond).
UNREAD_CAP = 99


def unread_by_category(user: Any, category_ids: list[int]) -> dict[int, int]:
    """{category id: topics with something new for the user, up to ``UNREAD_CAP + 1``}, in one
    query: per category a subquery reads its most recently active topics through the category's
    activity index (``ix_forum_topics_category_unread``, 0025) until the cap is reached, never a
    count of every topic of a category with 50,000 of them."""
    if not is_member(user) or not category_ids:
        return {}
    new = (TopicRead.topic_id.is_(None) & (Topic.last_post_at > user.created_at)) | (
        TopicRead.last_read_number < Topic.last_number)
    newest = (_with_read(select(Topic.id), True, user.id)
              .where(Topic.category_id == Category.id, Topic.deleted_at.is_(None), new)
              .order_by(Topic.last_post_at.desc()).limit(UNREAD_CAP + 1)
              .correlate(Category).subquery())
    counted = select(func.count()).select_from(newest).scalar_subquery()
    rows = db.session.execute(select(Category.id, counted)
                              .where(Category.id.in_(category_ids))).all()
    return {category_id: count for category_id, count in rows if count}


# The unanswered topics of a category are counted up to this many (pages beyond are not linked).
TOPIC_COUNT_CAP = 10_000


def category_topics(user: Any, category: Category, page: int = 1,
                    unanswered: bool = False) -> Page:
    """One page of the category's topics. The pages are counted from the category's running
    ``topic_count`` (its topics not deleted, kept by the services), and the unanswered ones up
    to ``TOPIC_COUNT_CAP``: a category with 50,000 topics is not counted on every view."""
    member = is_member(user)
    conditions = [Topic.category_id == category.id, Topic.deleted_at.is_(None)]
    if unanswered:
        conditions.append(Topic.answer_post_id.is_(None))
        total = db.session.scalar(select(func.count()).select_from(
            select(Topic.id).where(*conditions).limit(TOPIC_COUNT_CAP).subquery())) or 0
    else:
        total = category.topic_count
    results = db.session.execute(
        _with_read(select(Topic, _read_column(member)), member, user.id if member else None)
        .where(*conditions)
        .options(joinedload(Topic.author), joinedload(Topic.last_post_author))
        .order_by(Topic.pinned.desc(), Topic.last_post_at.desc(), Topic.id.desc())
        .limit(TOPICS_PER_PAGE).offset((page - 1) * TOPICS_PER_PAGE)).all()
    return Page(_rows(user, results), page, TOPICS_PER_PAGE, total)


def latest_topics(user: Any, limit: int = 8, unanswered_qa: bool = False,
                  page: int = 1, counted: bool = True) -> Page:
    """Recently active topics across every category the user may read. ``counted=False`` for a
    box without pages: no count of every visible topic (it grows with the forum). A topic's last
    author is joined (one per topic), not fetched by a second query. The statements are built
    once per visibility scope (the reader's read positions are a parameter)."""
    scope, member = visibility_scope(user), is_member(user)
    total = None
    if counted:
        total = db.session.scalar(_latest_count(scope, unanswered_qa)) or 0
    results = db.session.execute(_latest(scope, member, unanswered_qa, limit, page),
                                 {"reader_id": user.id if member else None}).all()
    if total is None:
        total = (page - 1) * limit + len(results)
    return Page(_rows(user, results), page, limit, total)


def _latest_conditions(scope: tuple, unanswered_qa: bool) -> list:
    conditions = [Topic.deleted_at.is_(None), Category.archived.is_(False),
                  scope_filter(scope, Category.visibility, Category.group_id)]
    if unanswered_qa:
        conditions += [Category.is_qa.is_(True), Topic.answer_post_id.is_(None),
                       Topic.locked.is_(False)]
    return conditions


@lru_cache(maxsize=256)
def _latest_count(scope: tuple, unanswered_qa: bool) -> Select:
    base = (select(Topic).join(Category, Category.id == Topic.category_id)
            .where(*_latest_conditions(scope, unanswered_qa)))
    return select(func.count()).select_from(base.subquery())


@lru_cache(maxsize=512)
def _latest(scope: tuple, member: bool, unanswered_qa: bool, limit: int, page: int) -> Select:
    stmt = _with_read(select(Topic, _read_column(member))
                      .join(Category, Category.id == Topic.category_id),
                      member, bindparam("reader_id"))
    return (stmt.where(*_latest_conditions(scope, unanswered_qa))
            .options(contains_eager(Topic.category), joinedload(Topic.last_post_author))
            .order_by(Topic.last_post_at.desc(), Topic.id.desc())
            .limit(limit).offset((page - 1) * limit))


def post_by_id(post_id: int) -> Select:
    return (select(Post).where(Post.id == post_id)
            .options(joinedload(Post.topic).joinedload(Topic.category).joinedload(Category.group)))


@cache
def _topic_by_id() -> Select:
    """The topic with its category and group (what every access check reads), the id as a
    parameter, built once per process: the topic page asks it on every view, and building an
    eager-loading statement costs more than running it."""
    return (select(Topic).where(Topic.id == bindparam("topic_id"))
            .options(joinedload(Topic.category).joinedload(Category.group)))


def load_topic(topic_id: int) -> Topic | None:
    return db.session.execute(_topic_by_id(), {"topic_id": topic_id}).scalar()


def load_topic_for(topic_id: int, user: Any) -> tuple[Topic, TopicRead | None, bool] | None:
    """The topic page's topic with the reader's read position and whether they watch it, in
    one query (a visitor has neither); None when there is no such topic."""
    reader_id = user.id if is_member(user) else None
    row = db.session.execute(_topic_for_reader(), {"topic_id": topic_id,
                                                   "reader_id": reader_id}).first()
    return None if row is None else (row[0], row[1], row[2] is not None)


@cache
def _topic_for_reader() -> Select:
    reader = bindparam("reader_id")
    return (select(Topic, TopicRead, TopicWatch.user_id)
            .outerjoin(TopicRead, and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == reader))
            .outerjoin(TopicWatch, and_(TopicWatch.topic_id == Topic.id,
                                        TopicWatch.user_id == reader))
            .where(Topic.id == bindparam("topic_id"))
            .options(joinedload(Topic.category).joinedload(Category.group)))


def load_post(post_id: int) -> Post | None:
    return db.session.scalar(post_by_id(post_id))


def topic_posts(topic: Topic, page: int) -> list[Post]:
    """The posts numbered into ``page`` (20 per page), with authors and their organisations, in
    one query (each post has at most one of each: joined, not a query per relationship)."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    return list(db.session.scalars(_topic_posts(), {
        "topic_id": topic.id, "first": first, "end": first + POSTS_PER_PAGE}))


@cache
def _topic_posts() -> Select:
    """``topic_posts``' statement, built once per process (its values are parameters)."""
    return (select(Post).where(Post.topic_id == bindparam("topic_id"),
                               Post.number >= bindparam("first"), Post.number < bindparam("end"))
            .options(joinedload(Post.author).joinedload(User.organisation))
            .order_by(Post.number))


def post_attachments(user: Any, posts: list[Post | None]) -> dict[int, list]:
    """{post id: attachments the user may see} for a page of posts, in one query.

    Deleted posts show none, whoever reads them (moderators included).
    """
    ids = [p.id for p in posts if p is not None and p.deleted_at is None]
    return resources.attachments_for(user, KIND_POST, ids)


def any_attachments(posts: list[Post]) -> bool:
    """Whether any of ``posts`` has a library resource linked to it, whoever may see it."""
    return resources.any_links(KIND_POST, [post.id for post in posts])


def first_unread_number(topic: Topic, read: TopicRead | None) -> int:
    """The first post number after the read position that still exists (not deleted)."""
    after = read.last_read_number if read else 0
    number = db.session.scalar(
        select(func.min(Post.number)).where(Post.topic_id == topic.id, Post.number > after,
                                            Post.deleted_at.is_(None)))
    return number or topic.last_number


def read_state(user: Any, topic: Topic) -> TopicRead | None:
    if not is_member(user):
        return None
    return db.session.get(TopicRead, (user.id, topic.id))


def flag_queue(user: Any) -> list[tuple[Post, list[Flag]]]:
    """Unresolved flags on posts the user may moderate, grouped by post, oldest first."""
    flags = list(db.session.scalars(
        select(Flag).join(Post, Post.id == Flag.post_id).join(Topic, Topic.id == Post.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .where(Flag.resolved_at.is_(None), moderated_categories_filter(user))
        .options(selectinload(Flag.user),
                 joinedload(Flag.post).joinedload(Post.topic).joinedload(Topic.category),
                 joinedload(Flag.post).joinedload(Post.author))
        .order_by(Flag.created_at, Flag.id)))
    grouped: dict[int, tuple[Post, list[Flag]]] = {}
    for flag in flags:
        grouped.setdefault(flag.post_id, (flag.post, []))[1].append(flag)
    return list(grouped.values())


def open_flag_count(user: Any) -> int:
    return db.session.scalar(
        select(func.count(func.distinct(Flag.post_id))).join(Post, Post.id == Flag.post_id)
        .join(Topic, Topic.id == Post.topic_id).join(Category, Category.id == Topic.category_id)
        .where(Flag.resolved_at.is_(None), moderated_categories_filter(user))) or 0


def move_targets(user: Any, topic: Topic) -> list[Category]:
    """Categories a moderator may move a topic into: those they moderate, not archived."""
    return [c for c in db.session.scalars(
        select(Category).outerjoin(Group, Group.id == Category.group_id)
        .where(moderated_categories_filter(user), Category.archived.is_(False),
               Category.id != topic.category_id)
        .options(contains_eager(Category.group))
        .order_by(Category.group_id.is_not(None), Group.name, Category.position))]


def searchable_groups(user: Any) -> list[Group]:
    """Groups that own a category the user can read, for the search filter."""
    return list(db.session.scalars(
        select(Group).where(visible_groups_filter(user),
                            Group.id.in_(select(Category.group_id).where(
                                visible_categories_filter(user))))
        .order_by(Group.name)))


def search(user: Any, query: str, *, group_id: int | None = None,
           since: dt.datetime | None = None, until: dt.datetime | None = None,
           page: int = 1) -> fulltext.Results:
    return fulltext.search(user, query, kinds=[KIND_TOPIC, KIND_POST], group_id=group_id,
                           since=since, until=until, page=page, per_page=20)
