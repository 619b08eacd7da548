"""``flask seed-demo`` gives the forum something to show (network/forums/demo.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from network.accounts.models import Group, GroupRole, GroupVisibility, Membership, User
from network.forums.models import Category, CategoryWatch, Post, Topic, TopicWatch
from network.notifications.models import Notification
from network.resources import services as resources


@pytest.fixture
def app_config(app_config):
    app_config["DEMO_MODE"] = True
    return app_config


@pytest.fixture
def seeded(runner, db):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    return result


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def person(db, email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def category(db, name) -> Category:
    return db.session.scalar(select(Category).where(Category.name == name))


def topics_in(db, cat) -> list[Topic]:
    return list(db.session.scalars(select(Topic).where(Topic.category_id == cat.id)
                                   .order_by(Topic.id)))


def posts_of(db, topic) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.topic_id == topic.id)
                                   .order_by(Post.number)))


def test_topics_have_replies_from_different_people(seeded, db):
    topics = db.session.scalars(select(Topic)).all()
    assert 6 <= len(topics) <= 10
    for topic in topics:
        posts = posts_of(db, topic)
        assert 2 <= topic.reply_count == len(posts) - 1 <= 6
        assert len({p.author_id for p in posts}) >= 2
    assert sum(t.pinned for t in topics) == 1
    [pinned] = [t for t in topics if t.pinned]
    assert category(db, "Allmänt").id == pinned.category_id


def test_categories_span_the_network_a_thematic_group_and_a_closed_group(seeded, db):
    assert category(db, "Allmänt").group_id is None
    groups = {c.group.name for c in db.session.scalars(select(Category)) if c.group}
    assert "Nyrekrytering till kriminella nätverk" in groups
    closed = db.session.scalars(select(Category).join(Group).where(
        Group.visibility == GroupVisibility.CLOSED)).all()
    assert closed and all(c.visibility == "group" and topics_in(db, c) for c in closed)


def test_the_expert_answer_is_marked_and_one_question_is_open(seeded, db, login):
    qa = db.session.scalar(select(Category).where(Category.is_qa.is_(True)))
    facilitators = set(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == qa.group_id, Membership.role == GroupRole.FACILITATOR)))
    answered, open_question = topics_in(db, qa)
    answer = db.session.get(Post, answered.answer_post_id)
    assert answer.topic_id == answered.id and answer.number > 1
    assert answer.author_id in facilitators
    assert open_question.answer_post_id is None and open_question.reply_count >= 2

    member = login(person(db, "sofia.holm@uppsala.example.se"))
    page = member.get(f"/forum/t/{answered.id}").get_data(as_text=True)
    assert "Lösning" in page and "Besvarad" in page
    assert open_question.title in member.get("/forum/obesvarade").get_data(as_text=True)


def test_closed_group_topics_are_hidden_from_other_demo_people(seeded, db, login):
    malmo = db.session.scalar(select(Group).where(Group.name == "Samverkansgrupp Malmö"))
    [closed] = db.session.scalars(select(Category).where(Category.group_id == malmo.id)).all()
    topics = topics_in(db, closed)
    insider = login(person(db, "mikael.persson@mkb.example.se"))
    outsider = login(person(db, "erik.lundberg@orebro.example.se"))
    for topic in topics:
        assert insider.get(f"/forum/t/{topic.id}").status_code == 200
        assert outsider.get(f"/forum/t/{topic.id}").status_code == 404
    assert outsider.get(f"/forum/k/{closed.id}").status_code == 404
    index = outsider.get("/forum/").get_data(as_text=True)
    assert all(t.title not in index for t in topics)
    assert topics[0].title in insider.get("/forum/").get_data(as_text=True)


def test_the_mention_reaches_the_police_officer_in_the_closed_group(seeded, db):
    officer = person(db, "sara.johansson@polisen.example.se")
    mentions = db.session.scalars(select(Notification).where(
        Notification.user_id == officer.id, Notification.kind == "forum_mention")).all()
    assert len(mentions) == 1 and "Rosengård" in mentions[0].title


def test_a_quote_links_back_to_the_quoted_post(seeded, db):
    quoting = db.session.scalars(select(Post).where(Post.reply_to_id.is_not(None))).all()
    assert quoting
    for post in quoting:
        assert f"/forum/inlagg/{post.reply_to_id}" in post.body_html
        assert "<blockquote>" in post.body_html


def test_a_reply_carries_the_library_method_guide(seeded, db, login):
    topic = db.session.scalar(select(Topic).where(Topic.title.startswith("Trygghetsvandring")))
    reader = person(db, "hanna.bjork@polisen.example.se")
    found = resources.attachments_for(reader, "forum_post", [p.id for p in posts_of(db, topic)])
    [(post_id, [attached])] = found.items()
    assert attached.title.startswith("Metodstöd: trygghetsvandringar") and attached.files
    page = login(reader).get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert attached.title in page


def test_people_watch_categories_and_topics(seeded, db):
    assert count(db, CategoryWatch) >= 3
    hanna = person(db, "hanna.bjork@polisen.example.se")
    assert db.session.scalar(select(func.count()).select_from(TopicWatch).where(
        TopicWatch.user_id == hanna.id)) == 1


def test_seeding_twice_with_if_empty_adds_nothing(seeded, runner, db):
    tables = (Category, Topic, Post, TopicWatch, CategoryWatch)
    before = {model.__name__: count(db, model) for model in tables}
    assert before["Category"] == 6
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "inga demodata skapade" in again.output
    assert {model.__name__: count(db, model) for model in tables} == before


def test_demo_posts_are_spread_over_the_last_weeks_in_order(seeded, db):
    from network.db import utcnow
    from network.forums.models import Post

    posts = db.session.scalars(select(Post).order_by(Post.topic_id, Post.number)).all()
    now = utcnow()
    assert all(now - dt.timedelta(days=31) < p.created_at < now for p in posts)
    assert len({p.created_at.date() for p in posts}) >= 5
    for earlier, later in zip(posts, posts[1:], strict=False):
        if earlier.topic_id == later.topic_id:
            assert earlier.created_at < later.created_at


def test_the_demo_routes_advice_questions_to_the_experts_on_their_theme(seeded, db):
    advice = db.session.scalar(select(Category).where(Category.is_qa.is_(True),
                                                      Category.theme == "uppfoljning"))
    assert advice is not None
    expert = person(db, "johan.ekstrom@bra.example.se")
    assert [row.theme for row in expert.expertise] == ["nyrekrytering", "uppfoljning"]
    routed = db.session.scalars(select(Notification.title).where(
        Notification.user_id == expert.id, Notification.kind == "forum_expert_question")).all()
    questions = db.session.scalars(select(Topic.title).where(
        Topic.category_id == advice.id, Topic.author_id != expert.id)).all()
    assert routed and len(routed) == len(questions)


def test_posts_are_written_in_office_hours_on_working_days(seeded, db):
    """Demo data looks like real use: Swedish office hours, Monday to Friday."""
    from zoneinfo import ZoneInfo

    stockholm = ZoneInfo("Europe/Stockholm")
    for post in db.session.scalars(select(Post)):
        local = post.created_at.astimezone(stockholm)
        assert local.weekday() < 5 and 8 <= local.hour < 18, (post.topic_id, post.number, local)
