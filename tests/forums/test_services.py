"""Mentions, watching, notifications, answers and the search index, through the services."""

from __future__ import annotations

from sqlalchemy import select

from network.accounts.models import AuditLog, GroupVisibility
from network.forums import services
from network.forums.mentions import handle_of, handles_in
from network.fulltext import SearchEntry
from network.notifications.models import Notification
from network.notifications.services import notifications_for


def _notes(db, user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_handles_are_normalised_display_names():
    assert handle_of("Anna-Karin Öberg") == "anna-karin.öberg"
    assert handle_of("  Åsa   Lind ") == "åsa.lind"
    assert handles_in("<p>Hej @Åsa.Lind och @anna-karin.öberg.</p>") == {"åsa.lind", "anna-karin.öberg"}
    assert handles_in("<p>mejla anna@example.se</p><pre><code>@kod</code></pre>") == set()


def test_mention_notifies_a_person_who_can_see_the_topic(forum, make, db, mail):
    asa = make.user(name="Åsa Lind")
    topic = forum.topic()
    forum.reply(topic, body="Vad tycker @åsa.lind?")
    notes = _notes(db, asa)
    assert len(notes) == 1 and notes[0].kind == "forum_mention"
    assert "nämnde dig" in notes[0].title
    assert any("nämnde dig" in m["Subject"] for m in mail.deliver())


def test_mention_of_someone_outside_a_closed_group_notifies_nobody(forum, make, db, mail):
    group, member, category = forum.closed_setup()
    outsider = make.user(name="Utan Tillgång")
    topic = forum.topic(category, author=member)
    forum.reply(topic, author=member, body="Hej @utan.tillgång, se här")
    assert _notes(db, outsider) == []
    assert all(m["To"] != outsider.email for m in mail.deliver())


def test_watchers_of_a_topic_get_replies_but_not_their_own(forum, make, db):
    author, other = make.user(), make.user()
    topic = forum.topic(author=author)
    forum.reply(topic, author=other, body="svar ett")
    forum.reply(topic, author=author, body="svar två")
    assert [n.kind for n in _notes(db, author)] == ["forum_reply"]
    assert [n.kind for n in _notes(db, other)] == ["forum_reply"]


def test_unwatching_stops_notifications(forum, make, db):
    author = make.user()
    topic = forum.topic(author=author)
    services.watch_topic(author, topic, False)
    forum.reply(topic, body="tyst")
    assert _notes(db, author) == []


def test_category_watchers_hear_about_new_topics(forum, make, db):
    watcher = make.user()
    category = forum.category()
    services.watch_category(watcher, category)
    forum.topic(category, title="Nytt om trygghetsmätning")
    notes = _notes(db, watcher)
    assert len(notes) == 1 and "Nytt om trygghetsmätning" in notes[0].title


def test_removed_group_member_no_longer_sees_old_notifications(forum, make, db, app):
    from network.accounts.services import remove_member

    group, member, category = forum.closed_setup()
    leaver = make.user()
    from network.accounts.services import add_member

    add_member(None, group, leaver)
    topic = forum.topic(category, author=leaver)
    forum.reply(topic, author=member, body="hemligt svar")
    assert len(notifications_for(leaver)) == 1
    remove_member(None, group, leaver)
    with app.test_request_context():
        assert notifications_for(leaver) == []


def test_notification_is_in_the_recipients_language(forum, make, db):
    english = make.user()
    english.locale = "en"
    topic = forum.topic(author=english)
    forum.reply(topic, body="svar")
    assert _notes(db, english)[0].title.endswith(f"replied in {topic.title}")


def test_asker_marks_an_answer_and_the_helper_is_told(forum, make, db):
    asker, expert = make.user(), make.user()
    category = forum.category(is_qa=True)
    topic = forum.topic(category, author=asker)
    answer = forum.reply(topic, author=expert, body="Gör en trygghetsvandring")
    services.mark_answer(asker, topic, answer)
    assert topic.answer_post_id == answer.id
    assert any(n.kind == "forum_answer" for n in _notes(db, expert))


def test_facilitator_marking_an_answer_is_audited(forum, make, db):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    topic = forum.topic(forum.category(group=group, is_qa=True))
    answer = forum.reply(topic)
    services.mark_answer(facilitator, topic, answer)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "forums.topic.answer"))


def test_topics_and_replies_are_indexed_with_the_category_access(forum, make, db):
    group, member, category = forum.closed_setup()
    topic = forum.topic(category, author=member, title="Lägesbild", body="Första")
    post = forum.reply(topic, author=member, body="Andra")
    entries = {(e.kind, e.object_id): e for e in db.session.scalars(select(SearchEntry))}
    assert entries[("forum_topic", topic.id)].visibility == "group"
    assert entries[("forum_post", post.id)].group_id == group.id
    assert entries[("forum_post", post.id)].title == "Lägesbild"


def test_changing_category_visibility_updates_the_index(forum, make, db):
    admin = make.admin()
    group = make.group(visibility=GroupVisibility.MEMBERS)
    category = forum.category(group=group)
    topic = forum.topic(category)
    post = forum.reply(topic)
    services.update_category(admin, category, name=category.name, description="", is_qa=False,
                             visibility="group")
    db.session.expire_all()
    assert {e.visibility for e in db.session.scalars(select(SearchEntry))} == {"group"}
    assert db.session.get(SearchEntry, 1) is not None and post.id


def test_deleting_a_topic_removes_it_and_its_replies_from_the_index(forum, make, db):
    author = make.user()
    topic = forum.topic(author=author)
    forum.reply(topic)
    first = topic_first_post(db, topic)
    services.delete_post(author, first)
    assert db.session.scalars(select(SearchEntry)).all() == []


def test_category_cannot_be_wider_than_its_group(make, forum):
    import pytest

    group = make.group(visibility=GroupVisibility.CLOSED)
    with pytest.raises(services.ForumError):
        forum.category(group=group, visibility="members")
    assert forum.category(group=group).visibility == "group"
    assert forum.category().visibility == "members"


def topic_first_post(db, topic):
    from network.forums.models import Post

    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
