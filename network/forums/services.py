"""Every change to the forums goes through these functions (Zulip's ``do_*`` discipline).

They take plain arguments and the acting user, change the session and flush; the request
commits. Callers have already checked permissions (``network.forums.permissions``); the
services keep data consistent: counters, read state, the search index and notifications.

Search index: kind ``forum_topic`` holds a topic's title and first post (object id = topic id),
kind ``forum_post`` each reply (object id = post id, title = its topic's title). Both carry the
category's visibility and group, and are updated whenever these change (category edit, topic
move) and removed when the content is deleted.

Attachments live in the resource library and are linked to a post as ("forum_post", post.id)
through ``network.resources.services`` (this package writes no files). ``create_topic``,
``reply`` and ``edit_post`` take an ``Attachments``: uploaded files become library resources
owned by the poster with the category's audience (a closed group's topic gives group-only
resources; a public category asks for public, which the library's review step still guards),
and picked resources are linked as they are. A refused file raises the library's
``ResourceError`` before anything is kept: the caller rolls back, so there is no post and no
file. A repeated submit (same form key) attaches nothing twice. Readers see an attachment only
as far as they may see the resource (``queries.post_attachments``, one query per page); a
soft-deleted post shows none, and the resource page lists a post only to those who may read it
(the "forum_post" resolver in ``__init__``). The forum's search entries, feeds and
notifications carry the post text only, never attachment names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from network import fulltext
from network.accounts.models import Group, Membership, NetworkRole, User
from network.accounts.services import audit, user_municipality
from network.db import utcnow
from network.extensions import db
from network.forums import mentions, tallies
from network.forums import permissions as forums_permissions  # noqa: F401  (registers the forum actions)
from network.forums.models import (
    Category,
    CategoryWatch,
    Flag,
    FlagReason,
    Post,
    PostRevision,
    Topic,
    TopicRead,
    TopicWatch,
)
from network.i18n import gettext
from network.markdown import plain_text, render_markdown
from network.permissions import Visibility, check_access, default_visibility_for
from network.resources import services as resources
from network.totals import whole_days

KIND_TOPIC = "forum_topic"
KIND_POST = "forum_post"
# Without a form key, the same text from the same person in the same topic within this window
# is taken to be a repeated submit, not a new post.
DUPLICATE_WINDOW = dt.timedelta(seconds=30)
UNCHANGED = object()  # an argument left out on purpose


class ForumError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


@dataclass
class Attachments:
    """What a form adds to (or, when editing, removes from) a post's attachments.

    ``uploads`` become new library resources; ``picked`` are resources the view has checked the
    actor may see; ``removed`` are resource ids to unlink.
    """

    uploads: Sequence[resources.Upload] = ()
    picked: Sequence = ()
    removed: Sequence[int] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.uploads or self.picked or self.removed)


def topic_path(topic_id: int) -> str:
    return f"/forum/t/{topic_id}"


def post_path(post_id: int) -> str:
    return f"/forum/inlagg/{post_id}"


# -- categories ------------------------------------------------------------------------------


def allowed_visibilities(group: Group | None) -> list[Visibility]:
    """A category may be as open as its group, never more."""
    order = [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.GROUP]
    if group is None:
        return [Visibility.PUBLIC, Visibility.MEMBERS]
    widest = default_visibility_for(group)
    return order[order.index(widest):]


def create_category(actor: User, name: str, *, group: Group | None = None, description: str = "",
                    is_qa: bool = False, visibility: str | None = None,
                    theme: str | None = None) -> Category:
    check_access("forums.create_category", actor, group)
    theme = _known_theme(theme)
    level = Visibility(visibility) if visibility else default_visibility_for(group)
    if level not in allowed_visibilities(group):
        raise ForumError("visibility wider than the group's")
    position = db.session.scalar(
        select(func.coalesce(func.max(Category.position), 0)).where(
            Category.group_id.is_(None) if group is None else Category.group_id == group.id)
    ) or 0
    category = Category(name=name.strip(), group=group, group_id=group.id if group else None,
                        description=description.strip(), is_qa=is_qa, visibility=level.value,
                        position=position + 1, theme=theme)
    db.session.add(category)
    db.session.flush()
    audit(actor, "forums.category.create", category, name=category.name, visibility=level.value)
    return category


def update_category(actor: User, category: Category, *, name: str, description: str,
                    is_qa: bool, visibility: str, theme: str | None | object = UNCHANGED) -> Category:
    """Change a category; ``theme`` left out keeps the current one (``None`` clears it)."""
    check_access("forums.update_category", actor, category)
    theme = category.theme if theme is UNCHANGED else _known_theme(theme)
    level = Visibility(visibility)
    if level not in allowed_visibilities(category.group):
        raise ForumError("visibility wider than the group's")
    changed_access = level.value != category.visibility
    category.name, category.description, category.is_qa = name.strip(), description.strip(), is_qa
    category.visibility, category.theme = level.value, theme
    db.session.flush()
    if changed_access:
        reindex_access(category)
    audit(actor, "forums.category.update", category, name=category.name, visibility=level.value,
          theme=theme)
    return category


def _known_theme(theme: str | None) -> str | None:
    """A library theme (the experts' themes) or nothing; anything else is refused."""
    from network.accounts.directory import theme_labels

    if not theme:
        return None
    if theme not in theme_labels():
        raise ForumError(gettext("Okänt tema."))
    return theme


def set_category_archived(actor: User, category: Category, archived: bool) -> None:
    check_access("forums.archive_category", actor, category)
    category.archived = archived
    db.session.flush()
    audit(actor, "forums.category.archive" if archived else "forums.category.unarchive", category)


def move_category(actor: User, category: Category, direction: int) -> None:
    """Swap places with the neighbour above (-1) or below (+1) among the same owner's categories."""
    check_access("forums.move_category", actor, category)
    siblings = list(db.session.scalars(
        select(Category).where(
            Category.group_id.is_(None) if category.group_id is None
            else Category.group_id == category.group_id)
        .order_by(Category.position, Category.id)))
    index = siblings.index(category)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        item.position = position
    db.session.flush()
    audit(actor, "forums.category.reorder", category, position=category.position)


def reindex_access(category: Category) -> None:
    """Tell the search index who may now find this category's topics and posts."""
    topic_ids = list(db.session.scalars(select(Topic.id).where(Topic.category_id == category.id)))
    post_ids = list(db.session.scalars(
        select(Post.id).where(Post.topic_id.in_(topic_ids), Post.number > 1))) if topic_ids else []
    fulltext.update_access(KIND_TOPIC, topic_ids, visibility=category.visibility,
                           group_id=category.group_id)
    fulltext.update_access(KIND_POST, post_ids, visibility=category.visibility,
                           group_id=category.group_id)


# -- attachments -----------------------------------------------------------------------------


def attachment_visibility(category: Category) -> Visibility:
    """The audience an uploaded file gets: the category's, and never wider than a closed group."""
    level = Visibility(category.visibility)
    group = category.group
    if group is not None and default_visibility_for(group) == Visibility.GROUP:
        return Visibility.GROUP
    return level


def _store_uploads(actor: User, category: Category, attachments: Attachments | None) -> list:
    """Check and store the uploaded files as library resources, before the post exists.

    First, so that a refused file stops the request before there is a post to undo (on SQLite a
    savepoint opened outside a transaction commits when released, so the post's own savepoint
    must come after these rows have opened the transaction).
    """
    if not attachments or not attachments.uploads:
        return []
    if len(attachments.uploads) > resources.MAX_FILES_PER_UPLOAD:
        raise resources.ResourceError(gettext("Högst %(n)s filer åt gången.",
                                              n=resources.MAX_FILES_PER_UPLOAD))
    visibility = attachment_visibility(category).value
    return [resources.create_uploaded_resource(actor, upload, visibility=visibility,
                                               group_id=category.group_id)
            for upload in attachments.uploads]


def _link(actor: User, post: Post, stored: list, attachments: Attachments | None) -> None:
    if not attachments:
        return
    for resource in [*stored, *attachments.picked]:
        resources.attach(actor, resource, KIND_POST, post.id)
    for resource_id in attachments.removed:
        resource = resources.get_visible(actor, resource_id)
        if resource is not None and resources.detach(actor, resource, KIND_POST, post.id) \
                and actor.id != post.author_id:
            audit(actor, "forums.post.detach", post, resource_id=resource.id, topic_id=post.topic_id)


def _discard(actor: User, stored: list) -> None:
    """A repeated submit lost the race: the files it stored belong to no post."""
    for resource in stored:
        resources.delete_resource(actor, resource)


# -- posting ---------------------------------------------------------------------------------


def _existing_submission(actor: User, client_key: str | None, topic: Topic | None,
                         body: str) -> Post | None:
    if client_key:
        post = db.session.scalar(select(Post).where(Post.client_key == client_key))
        if post is not None and post.author_id == actor.id:
            return post
        if post is not None:
            raise ForumError("form key already used")
    if topic is not None:
        return db.session.scalar(
            select(Post).where(Post.topic_id == topic.id, Post.author_id == actor.id,
                               Post.body == body, Post.deleted_at.is_(None),
                               Post.created_at >= utcnow() - DUPLICATE_WINDOW)
            .order_by(Post.id.desc()).limit(1))
    return None


def _index_topic(topic: Topic, first_post: Post) -> None:
    fulltext.index_entry(KIND_TOPIC, topic.id, title=topic.title, body=plain_text(first_post.body_html),
                         url=topic_path(topic.id), visibility=topic.category.visibility,
                         group_id=topic.category.group_id, created_at=topic.created_at,
                         boost=topic.answer_post_id is not None)


def _index_post(post: Post) -> None:
    topic = post.topic
    fulltext.index_entry(KIND_POST, post.id, title=topic.title, body=plain_text(post.body_html),
                         url=post_path(post.id), visibility=topic.category.visibility,
                         group_id=topic.category.group_id, created_at=post.created_at)


def _new_post(actor: User, topic: Topic, number: int, body: str, client_key: str | None,
              reply_to: Post | None = None, now: dt.datetime | None = None) -> Post:
    now = now or utcnow()
    post = Post(topic=topic, topic_id=topic.id, number=number, author_id=actor.id, body=body,
                body_html=render_markdown(body), client_key=client_key or None,
                reply_to_id=reply_to.id if reply_to else None, created_at=now,
                municipality_code=user_municipality(actor))  # what count_post counts
    db.session.add(post)
    return post


def create_topic(actor: User, category: Category, title: str, body: str, *,
                 client_key: str | None = None, attachments: Attachments | None = None,
                 now: dt.datetime | None = None) -> tuple[Post, bool]:
    """Start a topic; returns (first post, created). A repeated submit returns the first one.

    ``now`` is for imports and demo data; people's posts get the current time."""
    check_access("forums.create_topic", actor, category)
    existing = _existing_submission(actor, client_key, None, body)
    if existing is not None:
        return existing, False
    stored = _store_uploads(actor, category, attachments)
    now = now or utcnow()
    try:
        with db.session.begin_nested():
            topic = Topic(category=category, category_id=category.id, author_id=actor.id,
                          title=title.strip(), created_at=now, last_post_at=now,
                          last_post_author_id=actor.id, last_number=1)
            db.session.add(topic)
            db.session.flush()
            post = _new_post(actor, topic, 1, body, client_key, now=now)
            db.session.flush()
    except IntegrityError:
        # Two clicks raced past the check above; the other one made the post.
        _discard(actor, stored)
        return _existing_submission(actor, client_key, None, body), False
    _link(actor, post, stored, attachments)
    tallies.count_post(post)
    category.topic_count = tallies.stepped(Category.topic_count, 1)
    category.last_post_at = now
    _index_topic(topic, post)
    watch_topic(actor, topic)
    _remember_read(actor, topic, 1)
    db.session.flush()
    _notify_new_post(actor, post, new_topic=True)
    return post, True


def reply(actor: User, topic: Topic, body: str, *, client_key: str | None = None,
          reply_to: Post | None = None, attachments: Attachments | None = None,
          now: dt.datetime | None = None) -> tuple[Post, bool]:
    """Add a post to ``topic``; returns (post, created). A repeated submit returns the first."""
    check_access("forums.reply", actor, topic)
    existing = _existing_submission(actor, client_key, topic, body)
    if existing is not None:
        return existing, False
    if reply_to is not None and reply_to.topic_id != topic.id:
        reply_to = None
    stored = _store_uploads(actor, topic.category, attachments)
    try:
        with db.session.begin_nested():
            # One UPDATE hands out the next number atomically, on both backends.
            number = db.session.execute(
                update(Topic).where(Topic.id == topic.id)
                .values(last_number=Topic.last_number + 1)
                .returning(Topic.last_number)
                .execution_options(synchronize_session=False,
                                   cache_scopes=counter_scopes(topic))
            ).scalar_one()
            post = _new_post(actor, topic, number, body, client_key, reply_to, now=now)
            db.session.flush()
    except IntegrityError:
        db.session.refresh(topic)
        _discard(actor, stored)
        return _existing_submission(actor, client_key, topic, body), False
    _link(actor, post, stored, attachments)
    tallies.count_post(post)
    now = post.created_at
    topic.last_number = number
    topic.reply_count = tallies.stepped(Topic.reply_count, 1)
    topic.last_post_at, topic.last_post_author_id = now, actor.id
    topic.category.last_post_at = now
    _index_post(post)
    watch_topic(actor, topic)
    _remember_read(actor, topic, number)
    db.session.flush()
    _notify_new_post(actor, post, new_topic=False)
    return post, True


def edit_post(actor: User, post: Post, body: str, *, title: str | None = None,
              attachments: Attachments | None = None) -> Post:
    """Change the text (the old one goes to the history) and add or remove attachments."""
    check_access("forums.edit_post", actor, post)
    topic = post.topic
    new_title = title.strip() if title is not None and post.number == 1 else None
    _link(actor, post, _store_uploads(actor, topic.category, attachments), attachments)
    if body == post.body and (new_title is None or new_title == topic.title):
        return post
    db.session.add(PostRevision(post_id=post.id, body=post.body,
                                title=topic.title if post.number == 1 else None,
                                editor_id=post.edited_by_id or post.author_id))
    post.body, post.body_html = body, render_markdown(body)
    post.edited_at, post.edited_by_id = utcnow(), actor.id
    if new_title:
        topic.title = new_title
    db.session.flush()
    if post.number == 1:
        _index_topic(topic, post)
        if new_title:
            reply_ids = list(db.session.scalars(
                select(Post.id).where(Post.topic_id == topic.id, Post.number > 1,
                                      Post.deleted_at.is_(None))))
            for reply_post in db.session.scalars(select(Post).where(Post.id.in_(reply_ids))):
                _index_post(reply_post)
    else:
        _index_post(post)
    if actor.id != post.author_id:
        audit(actor, "forums.post.edit", post, topic_id=topic.id)
    return post


def revisions(actor: User, post: Post) -> list[PostRevision]:
    check_access("forums.see_history", actor, post)
    return list(db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)))


def delete_post(actor: User, post: Post) -> None:
    """Soft delete. Deleting a topic's first post deletes the topic."""
    check_access("forums.delete_post", actor, post)
    _delete_post(actor, post)


def _delete_post(actor: User, post: Post) -> None:
    now = utcnow()
    topic = post.topic
    post.deleted_at, post.deleted_by_id = now, actor.id
    tallies.uncount_post(post)
    if post.number == 1:
        topic.deleted_at = now
        topic.category.topic_count = tallies.stepped(Category.topic_count, -1)
        fulltext.remove_entry(KIND_TOPIC, topic.id)
        for post_id in db.session.scalars(select(Post.id).where(Post.topic_id == topic.id,
                                                                Post.number > 1)):
            fulltext.remove_entry(KIND_POST, post_id)
    else:
        topic.reply_count = tallies.stepped(Topic.reply_count, -1)
        fulltext.remove_entry(KIND_POST, post.id)
        if topic.answer_post_id == post.id:
            topic.answer_post_id = None
    db.session.flush()
    if actor.id != post.author_id:
        audit(actor, "forums.post.delete", post, topic_id=topic.id)
        if post.number == 1:
            audit(actor, "forums.topic.delete", topic, title=topic.title)


# -- moderation ------------------------------------------------------------------------------

TOPIC_ACTIONS = {
    "pin": ("pinned", True), "unpin": ("pinned", False),
    "lock": ("locked", True), "unlock": ("locked", False),
    "close": ("closed", True), "open": ("closed", False),
}


def moderate_topic(actor: User, topic: Topic, action: str) -> None:
    check_access("forums.moderate_topic", actor, topic)
    attribute, value = TOPIC_ACTIONS[action]
    setattr(topic, attribute, value)
    db.session.flush()
    audit(actor, f"forums.topic.{action}", topic, title=topic.title)


def move_topic(actor: User, topic: Topic, target: Category) -> None:
    check_access("forums.move_topic", actor, topic, target)
    source = topic.category
    if target.id == source.id:
        return
    topic.category, topic.category_id = target, target.id
    if topic.deleted_at is None:  # the counts are of the topics not deleted
        source.topic_count = tallies.stepped(Category.topic_count, -1)
        target.topic_count = tallies.stepped(Category.topic_count, 1)
    if topic.answer_post_id and not target.is_qa:
        topic.answer_post_id = None
    db.session.flush()
    post_ids = list(db.session.scalars(select(Post.id).where(Post.topic_id == topic.id,
                                                             Post.number > 1)))
    fulltext.update_access(KIND_TOPIC, [topic.id], visibility=target.visibility,
                           group_id=target.group_id)
    fulltext.update_access(KIND_POST, post_ids, visibility=target.visibility,
                           group_id=target.group_id)
    # Watchers who cannot see the new category stop getting its news.
    viewers = select(User.id).where(*viewer_conditions(target))
    db.session.execute(delete(TopicWatch).where(TopicWatch.topic_id == topic.id,
                                                TopicWatch.user_id.not_in(viewers)))
    audit(actor, "forums.topic.move", topic, from_category=source.id,
          to_category=target.id)


def mark_answer(actor: User, topic: Topic, post: Post | None) -> None:
    """Mark ``post`` as the answer to a question (or clear it with None)."""
    check_access("forums.mark_answer", actor, topic)
    if post is not None and (post.topic_id != topic.id or post.number == 1
                             or post.deleted_at is not None):
        raise ForumError("not a reply in this topic")
    topic.answer_post_id = post.id if post else None
    db.session.flush()
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    if first is not None:
        _index_topic(topic, first)  # answered questions rank slightly ahead in search
    if actor.id != topic.author_id:
        audit(actor, "forums.topic.answer", topic, post_id=post.id if post else None)
    if post is not None and post.author is not None and post.author_id != actor.id:
        _send(post.author, "forum_answer", topic, post,
              lambda: gettext("Ditt svar markerades som lösning: %(title)s", title=topic.title))


def flag_post(actor: User, post: Post, reason: str, note: str = "") -> Flag:
    check_access("forums.flag_post", actor, post)
    FlagReason(reason)
    flag = db.session.scalar(select(Flag).where(Flag.post_id == post.id, Flag.user_id == actor.id,
                                                Flag.resolved_at.is_(None)))
    if flag is None:
        flag = Flag(post_id=post.id, user_id=actor.id, reason=reason, note=note.strip())
        db.session.add(flag)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            # An old, resolved flag by the same person: flag again by reopening it.
            flag = db.session.scalar(select(Flag).where(Flag.post_id == post.id,
                                                        Flag.user_id == actor.id))
            flag.resolved_at, flag.resolved_by_id, flag.resolution = None, None, ""
    flag.reason, flag.note = reason, note.strip()
    db.session.flush()
    notify_flag(post, flag)
    return flag


def resolve_flags(actor: User, post: Post, action: str) -> int:
    """``dismiss`` the flags on a post, or ``remove`` the post; returns how many were resolved."""
    check_access("forums.resolve_flags", actor, post)
    flags = list(db.session.scalars(select(Flag).where(Flag.post_id == post.id,
                                                       Flag.resolved_at.is_(None))))
    if action == "remove" and post.deleted_at is None:
        _delete_post(actor, post)
    now = utcnow()
    for flag in flags:
        flag.resolved_at, flag.resolved_by_id = now, actor.id
        flag.resolution = "removed" if action == "remove" else "dismissed"
    db.session.flush()
    audit(actor, f"forums.flag.{'remove' if action == 'remove' else 'dismiss'}", post,
          flags=len(flags), topic_id=post.topic_id)
    return len(flags)


# -- watching and reading --------------------------------------------------------------------


def watch_topic(user: User, topic: Topic, watching: bool = True) -> None:
    if watching:
        check_access("forums.watch_topic", user, topic)
    row = db.session.get(TopicWatch, (user.id, topic.id))
    if watching and row is None:
        db.session.add(TopicWatch(user_id=user.id, topic_id=topic.id))
    elif not watching and row is not None:
        db.session.delete(row)
    db.session.flush()


def watch_category(user: User, category: Category, watching: bool = True) -> None:
    if watching:
        check_access("forums.watch_category", user, category)
    row = db.session.get(CategoryWatch, (user.id, category.id))
    if watching and row is None:
        db.session.add(CategoryWatch(user_id=user.id, category_id=category.id))
    elif not watching and row is not None:
        db.session.delete(row)
    db.session.flush()


def _remember_read(user: User, topic: Topic, number: int) -> None:
    row = db.session.get(TopicRead, (user.id, topic.id))
    if row is None:
        db.session.add(TopicRead(user_id=user.id, topic_id=topic.id, last_read_number=number))
    elif number > row.last_read_number:
        row.last_read_number, row.read_at = number, utcnow()


def mark_read(user: User, topic: Topic, number: int, row: TopicRead | None) -> None:
    """Move the read position forward (never back) after the user has seen post ``number``."""
    check_access("forums.mark_read", user, topic)
    if row is None:
        db.session.add(TopicRead(user_id=user.id, topic_id=topic.id, last_read_number=number))
    elif number > row.last_read_number:
        row.last_read_number, row.read_at = number, utcnow()
    db.session.flush()


# -- what a write changes, for the page cache (network/cache.py) ----------------------------


def topic_scope(topic_id: int) -> str:
    """The cache scope of one topic's page: its posts and its own row."""
    return f"forums:topic:{topic_id}"


def topic_page_scope(topic_id: int, page: int) -> str:
    """The scope of one page of a topic's posts (``forums/topic_body.py``): a reply on the last
    page leaves the sections of the pages before it in place."""
    return f"forums:topic:{topic_id}:page:{page}"


def category_scope(category_id: int) -> str:
    """The cache scope of one category's page: its row and its topics' rows (the list shows
    topics' titles, counters and last posts, never posts' text)."""
    return f"forums:category:{category_id}"


def counter_scopes(topic: Topic) -> tuple[str, ...]:
    """What a change to the topic's counters alone (a reply) renews: the forum's listings, the
    topic's page and its category's page."""
    return ("forums", topic_scope(topic.id), category_scope(topic.category_id))


def register_cache_scopes() -> None:
    """A post or a topic changes the forum's listings and its own topic page, not the pages of
    other topics. A category whose counters alone moved (a new topic or reply) changes the
    listings; any other change to it (name, visibility, archiving) changes every forum page.
    Topic rows change with every reply (their counters), which changes only that topic's page
    and its category's page: a reply in one group's category leaves the other categories'
    pages in place."""
    from network.cache import changed_only, register_personal, register_scopes

    register_scopes(Post, lambda post: ("forums", topic_scope(post.topic_id),
                                        topic_page_scope(post.topic_id, post.page)))
    # A topic changed beyond its counters (new, edited, moved, deleted) may show on other
    # pages than its own (links, moves): "forums:*" too.
    register_scopes(Topic, lambda topic: counter_scopes(topic) if changed_only(
        topic, "last_post_at", "last_post_author_id", "last_number", "reply_count")
        else ("forums", "forums:*", topic_scope(topic.id)))
    register_scopes(Category, lambda category: ("forums", category_scope(category.id))
                    if changed_only(category, "topic_count", "last_post_at") else None)
    # Read positions and watching are shown to their member alone.
    for model in (TopicRead, TopicWatch, CategoryWatch):
        register_personal(model, "user_id")


def register_access_rules() -> str:
    """What decides who may read a topic (``permissions.can_view_topic``): its category and
    whether it is deleted, the category's visibility and group; memberships are structural.
    Returns the forum's access scope."""
    from network.cache import access_scope, register_access

    scope = access_scope("forums")
    register_access(Topic, scope, "category_id", "deleted_at")
    register_access(Category, scope, "visibility", "group_id")
    return scope


# -- notifications ---------------------------------------------------------------------------


def viewer_conditions(category: Category) -> list:
    """SQL over ``User``: active people who may see the category (mirrors can_view_content)."""
    conditions = [User.active.is_(True), User.deleted_at.is_(None)]
    if category.visibility == Visibility.GROUP.value:
        members = select(Membership.user_id).where(Membership.group_id == category.group_id)
        conditions.append(or_(User.role == NetworkRole.ADMIN.value, User.id.in_(members)))
    return conditions


def _send(recipient: User, kind: str, topic: Topic, post: Post, title_fn) -> None:
    """Notify in the recipient's language (the title is built inside their locale)."""
    from flask_babel import force_locale

    from network.notifications.services import notify

    with force_locale(recipient.locale or "sv"):
        title = title_fn()
    excerpt = plain_text(post.body_html)[:300]
    notify(recipient, kind, title[:300], url=post_path(post.id), body=excerpt,
           subject_type=KIND_TOPIC, subject_id=topic.id)


def _notify_new_post(actor: User, post: Post, *, new_topic: bool) -> None:
    topic = post.topic
    category = topic.category
    visible = viewer_conditions(category)
    sent: set[int] = {actor.id}

    handles = mentions.handles_in(post.body_html)
    if handles:
        for user in mentions.resolve(handles, visible):
            if user.id not in sent:
                sent.add(user.id)
                _send(user, "forum_mention", topic, post,
                      lambda: gettext("%(name)s nämnde dig i %(title)s", name=actor.display_name,
                                 title=topic.title))
    if new_topic:
        from network.forums.experts import notify_experts

        notify_experts(actor, post, sent)
        watchers = select(CategoryWatch.user_id).where(CategoryWatch.category_id == category.id)
        message = lambda: gettext("Nytt ämne i %(category)s: %(title)s",  # noqa: E731
                             category=category.name, title=topic.title)
        kind = "forum_topic"
    else:
        watchers = select(TopicWatch.user_id).where(TopicWatch.topic_id == topic.id)
        message = lambda: gettext("%(name)s svarade i %(title)s",  # noqa: E731
                             name=actor.display_name, title=topic.title)
        kind = "forum_reply"
    recipients = db.session.scalars(
        select(User).where(User.id.in_(watchers), User.id.not_in(sent), *visible)
        .order_by(User.id))
    for user in recipients:
        _send(user, kind, topic, post, message)


def notify_flag(post: Post, flag: Flag) -> None:
    """Tell the category's moderators that a post needs a look."""
    category = post.topic.category
    if category.group_id is None:
        moderators = select(User).where(User.role == NetworkRole.ADMIN.value,
                                        User.active.is_(True), User.deleted_at.is_(None))
    else:
        moderators = select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.group_id == category.group_id, Membership.role == "facilitator",
            User.active.is_(True), User.deleted_at.is_(None))
    for user in db.session.scalars(moderators):
        if user.id != flag.user_id:
            _send(user, "forum_flag", post.topic, post,
                  lambda: gettext("Ett inlägg har flaggats i %(title)s", title=post.topic.title))


def stats(since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Topics and posts created in [since, until] (deleted ones left out) and distinct authors.

    Whole Stockholm days (the overview's periods) read the running totals (tallies.py), and so do
    the authors of whole calendar years (the programme year); other periods count the posts."""
    days = whole_days(since, until)
    figures = tallies.totals(days) if days is not None else {"authors": None}
    if figures["authors"] is not None:
        return figures

    def period(column):
        conditions = []
        if since is not None:
            conditions.append(column >= since)
        if until is not None:
            conditions.append(column <= until)
        return conditions

    authors = db.session.scalar(select(func.count(func.distinct(Post.author_id))).where(
        Post.deleted_at.is_(None), *period(Post.created_at))) or 0
    if days is not None:
        return {**figures, "authors": authors}
    topics = db.session.scalar(select(func.count(Topic.id)).where(
        Topic.deleted_at.is_(None), *period(Topic.created_at))) or 0
    posts = db.session.scalar(select(func.count(Post.id)).where(
        Post.deleted_at.is_(None), *period(Post.created_at))) or 0
    return {"topics": topics, "posts": posts, "authors": authors}
