"""Every forum action asks ``permissions.check_access`` itself: a caller that skips the view
(CLI, socket, API) is refused the same way, and a refused action changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from network.accounts.models import AuditLog
from network.forums import services
from network.forums.models import Category, Flag, Post, Topic, TopicWatch
from network.permissions import AccessDenied


def _snapshot(db):
    counts = tuple(db.session.scalar(select(func.count()).select_from(m))
                   for m in (Category, Topic, Post, Flag, TopicWatch, AuditLog))
    posts = tuple(db.session.execute(select(Post.id, Post.body, Post.deleted_at)).all())
    topics = tuple(db.session.execute(
        select(Topic.id, Topic.category_id, Topic.locked, Topic.pinned, Topic.answer_post_id)).all())
    return counts, posts, topics


@pytest.fixture
def closed(forum, make):
    group, member, category = forum.closed_setup()
    topic = forum.topic(category, author=member)
    reply = forum.reply(topic, author=member)
    return group, member, category, topic, reply


def _refusals(outsider, member, category, topic, reply, other_category):
    """(name, call) for each action an outsider (or a plain member) must not perform."""
    return [
        ("start topic", lambda: services.create_topic(outsider, category, "Smyg", "Text")),
        ("reply", lambda: services.reply(outsider, topic, "Smyg")),
        ("edit", lambda: services.edit_post(outsider, reply, "Ändrat")),
        ("delete", lambda: services.delete_post(outsider, reply)),
        ("lock", lambda: services.moderate_topic(member, topic, "lock")),
        ("move", lambda: services.move_topic(member, topic, other_category)),
        ("mark answer", lambda: services.mark_answer(outsider, topic, reply)),
        ("flag", lambda: services.flag_post(outsider, reply, "spam")),
        ("resolve flags", lambda: services.resolve_flags(member, reply, "remove")),
        ("watch", lambda: services.watch_topic(outsider, topic)),
        ("watch category", lambda: services.watch_category(outsider, category)),
        ("read position", lambda: services.mark_read(outsider, topic, 2, None)),
        ("history", lambda: services.revisions(member, reply)),
        ("rename category", lambda: services.update_category(
            member, category, name="X", description="", is_qa=False, visibility="group")),
        ("archive category", lambda: services.set_category_archived(member, category, True)),
        ("reorder category", lambda: services.move_category(member, category, 1)),
        ("create network category", lambda: services.create_category(member, "Ny")),
    ]


def test_refused_actions_raise_and_change_nothing(forum, make, db, closed):
    _group, member, category, topic, reply = closed
    outsider = make.user()
    other_category = forum.category()
    db.session.commit()
    before = _snapshot(db)
    for name, call in _refusals(outsider, member, category, topic, reply, other_category):
        with pytest.raises(AccessDenied):
            call()
        db.session.rollback()
        assert _snapshot(db) == before, name


def test_the_same_actions_are_allowed_to_those_the_pages_allow(forum, make, db, closed):
    group, member, category, topic, reply = closed
    admin = make.admin()
    other_category = forum.category()
    services.moderate_topic(admin, topic, "lock")
    services.moderate_topic(admin, topic, "unlock")
    flagger = make.user()
    from network.accounts.services import add_member

    add_member(None, group, flagger)
    services.flag_post(flagger, reply, "spam")
    assert services.resolve_flags(admin, reply, "dismiss") == 1
    services.move_topic(admin, topic, other_category)
    assert topic.category_id == other_category.id


def test_a_refused_action_through_a_page_is_a_403_with_nothing_changed(forum, make, db, login, closed):
    _group, member, _category, topic, _reply = closed
    db.session.commit()
    before = _snapshot(db)
    response = login(member).post(f"/forum/t/{topic.id}/moderera", data={"action": "lock"})
    assert response.status_code in (403, 404)
    assert _snapshot(db) == before
