"""The forum's objects mapped onto ``network.permissions``: one function per action.

A category carries the visibility and group of everything in it; topics and posts inherit them.
"""

from __future__ import annotations

from typing import Any

from network import permissions
from network.forums.models import Category, Post, Topic


def can_view_category(user: Any, category: Category) -> bool:
    return permissions.can_view_content(user, category.visibility, category.group_id)


def can_manage_categories(user: Any, group: Any | None) -> bool:
    """Admins manage network-wide categories; facilitators those of their group."""
    if group is None:
        return permissions.is_admin(user)
    return permissions.can_manage_group(user, group)


def can_manage_category(user: Any, category: Category) -> bool:
    return can_manage_categories(user, category.group)


def can_moderate_category(user: Any, category: Category) -> bool:
    return permissions.can_moderate(user, category.group_id)


def can_start_topic(user: Any, category: Category) -> bool:
    return (permissions.is_member(user) and can_view_category(user, category) and not category.archived
            and permissions.can_post_in_group(user, category.group))


def can_view_topic(user: Any, topic: Topic) -> bool:
    if not can_view_category(user, topic.category):
        return False
    return topic.deleted_at is None or can_moderate_category(user, topic.category)


def can_moderate_topic(user: Any, topic: Topic) -> bool:
    return can_moderate_category(user, topic.category)


def can_reply(user: Any, topic: Topic) -> bool:
    category = topic.category
    if not (permissions.is_member(user) and can_view_topic(user, topic)) or topic.deleted_at is not None:
        return False
    if topic.locked or category.archived or not permissions.can_post_in_group(user, category.group):
        return False
    return not topic.closed or can_moderate_topic(user, topic)


def can_edit_post(user: Any, post: Post) -> bool:
    topic = post.topic
    if post.deleted_at is not None or not can_view_topic(user, topic) or topic.locked:
        return False
    return permissions.can_edit_own(user, post.author_id, topic.category.group_id)


def can_delete_post(user: Any, post: Post) -> bool:
    return can_edit_post(user, post)


def can_see_history(user: Any, post: Post) -> bool:
    return can_view_topic(user, post.topic) and can_moderate_topic(user, post.topic)


def can_flag(user: Any, post: Post) -> bool:
    return (permissions.is_member(user) and post.deleted_at is None and post.author_id != user.id
            and can_view_topic(user, post.topic))


def can_mark_answer(user: Any, topic: Topic) -> bool:
    if not (topic.category.is_qa and permissions.is_member(user) and can_view_topic(user, topic)):
        return False
    return topic.author_id == user.id or can_moderate_topic(user, topic)


def can_watch_topic(user: Any, topic: Topic) -> bool:
    return permissions.is_member(user) and can_view_topic(user, topic)


def can_watch_category(user: Any, category: Category) -> bool:
    return permissions.is_member(user) and can_view_category(user, category)


def can_move_topic(user: Any, topic: Topic, target: Category) -> bool:
    """Moderators of both the source and the target category."""
    return can_moderate_topic(user, topic) and can_moderate_category(user, target)


def can_resolve_flags(user: Any, post: Post) -> bool:
    return can_moderate_topic(user, post.topic)


def can_read_topic(user: Any, topic: Topic) -> bool:
    """Keep a read position: members who may see the topic."""
    return permissions.is_member(user) and can_view_topic(user, topic)


def visible_categories_filter(user: Any):
    """SQL: categories the user may read (for every listing, search join and panel)."""
    return permissions.visible_filter(user, Category.visibility, Category.group_id)


def moderated_categories_filter(user: Any):
    """SQL: categories whose content the user may moderate."""
    from sqlalchemy import false, true

    if permissions.is_admin(user):
        return true()
    groups = permissions.facilitated_group_ids(user)
    return Category.group_id.in_(groups) if groups else false()


def can_moderate_anything(user: Any) -> bool:
    """Whether the moderation queue is for this user at all."""
    return permissions.is_admin(user) or bool(permissions.facilitated_group_ids(user))


permissions.register_auth({
    "forums.create_category": can_manage_categories,
    "forums.update_category": can_manage_category,
    "forums.archive_category": can_manage_category,
    "forums.move_category": can_manage_category,
    "forums.create_topic": can_start_topic,
    "forums.reply": can_reply,
    "forums.edit_post": can_edit_post,
    "forums.delete_post": can_delete_post,
    "forums.see_history": can_see_history,
    "forums.moderate_topic": can_moderate_topic,
    "forums.move_topic": can_move_topic,
    "forums.mark_answer": can_mark_answer,
    "forums.flag_post": can_flag,
    "forums.resolve_flags": can_resolve_flags,
    "forums.watch_topic": can_watch_topic,
    "forums.watch_category": can_watch_category,
    "forums.mark_read": can_read_topic,
})
