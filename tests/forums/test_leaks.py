"""Closed-group content never reaches outsiders: pages, search (hits, snippets, counts), feeds,
notifications, mention autocompletion and email."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.accounts.models import GroupVisibility
from network.forums import services
from network.notifications.models import Notification

SECRET = "Hemlighetsfull"  # a word that appears only in closed content


@pytest.fixture
def closed(forum, make, db):
    group, member, category = forum.closed_setup()
    facilitator = make.user(name="Fia Facilitator")
    from network.accounts.models import GroupRole
    from network.accounts.services import add_member

    add_member(None, group, facilitator, GroupRole.FACILITATOR)
    topic = forum.topic(category, author=member, title=f"{SECRET} lägesbild",
                        body=f"{SECRET} information om våldet i området")
    reply = forum.reply(topic, author=facilitator, body=f"{SECRET} svar med detaljer")
    db.session.commit()
    return {"group": group, "member": member, "category": category, "topic": topic,
            "reply": reply, "facilitator": facilitator}


def _outsiders(make, login, client):
    return {"visitor": client, "member": login(make.user(name="Utom Stående"))}


def test_closed_pages_are_not_found_for_outsiders(closed, make, login, client):
    topic, reply, category = closed["topic"], closed["reply"], closed["category"]
    for who, c in _outsiders(make, login, client).items():
        for url in (f"/forum/k/{category.id}", f"/forum/t/{topic.id}", f"/forum/t/{topic.id}/olast",
                    f"/forum/inlagg/{reply.id}", f"/forum/k/{category.id}/flode.atom",
                    f"/forum/mentions/{topic.id}", f"/forum/mentions/kategori/{category.id}"):
            response = c.get(url)
            assert response.status_code in (302, 404), (who, url, response.status_code)
            assert SECRET not in response.data.decode(), (who, url)
    # and the member sees it
    assert SECRET in login(closed["member"]).get(f"/forum/t/{topic.id}").data.decode()


def test_closed_content_is_absent_from_listings_and_start_page(closed, make, login, client):
    for c in _outsiders(make, login, client).values():
        for url in ("/forum/", "/", "/forum/obesvarade"):
            assert SECRET not in c.get(url).data.decode(), url
    assert SECRET in login(closed["member"]).get("/forum/").data.decode()


def test_search_results_snippets_and_counts_never_include_closed_content(closed, make, login,
                                                                          client, forum):
    forum.topic(forum.category(), title="Öppen tråd", body="våld i centrum, öppet för alla")
    member_view = login(make.user()).get("/forum/sok?q=våld").data.decode()
    assert SECRET not in member_view and "1 träff" in member_view
    visitor_view = client.get("/forum/sok?q=hemlighetsfull").data.decode()
    assert SECRET not in visitor_view and "0 träffar" in visitor_view
    insider = login(closed["member"]).get("/forum/sok?q=hemlighetsfull").data.decode()
    assert "2 träffar" in insider and "<mark>" in insider


def test_search_by_group_filter_does_not_reveal_closed_group(closed, make, login):
    page = login(make.user()).get(f"/forum/sok?q=hemlighetsfull&group={closed['group'].id}")
    assert SECRET not in page.data.decode() and "0 träffar" in page.data.decode()
    assert closed["group"].name not in page.data.decode()


def test_feed_of_a_closed_or_members_category_does_not_exist(closed, forum, client, login):
    members_only = forum.category()
    forum.topic(members_only, title="Medlemsnytt")
    for c in (client, login(closed["member"])):
        assert c.get(f"/forum/k/{closed['category'].id}/flode.atom").status_code == 404
        assert c.get(f"/forum/k/{members_only.id}/flode.atom").status_code == 404


def test_watchers_and_mentions_outside_the_group_get_no_notification_or_email(closed, make, db,
                                                                              mail, forum):
    outsider = make.user(name="Utom Stående")
    topic = closed["topic"]
    # Even a stale watch row (e.g. from before a move) does not notify an outsider.
    from network.forums.models import CategoryWatch, TopicWatch

    db.session.merge(TopicWatch(user_id=outsider.id, topic_id=topic.id))
    db.session.merge(CategoryWatch(user_id=outsider.id, category_id=closed["category"].id))
    db.session.flush()
    forum.reply(topic, author=closed["member"], body=f"{SECRET} @utom.stående läs detta")
    forum.topic(closed["category"], author=closed["member"], title=f"{SECRET} nytt")
    notes = db.session.scalars(select(Notification).where(Notification.user_id == outsider.id)).all()
    assert notes == []
    for message in mail.deliver():
        assert message["To"] != outsider.email
        assert SECRET not in message.get_body(("plain",)).get_content() or message["To"] in {
            closed["member"].email, closed["facilitator"].email}


def test_mention_autocompletion_offers_only_people_who_can_see_the_topic(closed, make, login, forum):
    make.user(name="Utom Stående")
    inside = login(closed["member"]).get(f"/forum/mentions/{closed['topic'].id}?q=f").get_json()
    assert [p["name"] for p in inside] == ["Fia Facilitator"]
    assert login(closed["member"]).get(f"/forum/mentions/{closed['topic'].id}?q=ut").get_json() == []
    open_topic = forum.topic(forum.category())
    everyone = login(closed["member"]).get(f"/forum/mentions/{open_topic.id}?q=ut").get_json()
    assert [p["handle"] for p in everyone] == ["utom.stående"]


def test_notifications_of_a_topic_moved_out_of_reach_are_hidden(forum, make, db, app):
    reader = make.user()
    topic = forum.topic(forum.category(), author=reader)
    forum.reply(topic, body=f"{SECRET} svar")
    _group, _member, closed_category = forum.closed_setup()
    services.move_topic(make.admin(), topic, closed_category)
    from network.notifications.services import notifications_for

    with app.test_request_context():
        assert notifications_for(reader) == []


def test_moderation_queue_of_another_group_is_not_shown(closed, make, login, db):
    other_facilitator = make.user()
    make.group(facilitators=[other_facilitator])
    services.flag_post(closed["member"], closed["reply"], "other", f"{SECRET} flagga")
    db.session.commit()
    page = login(other_facilitator).get("/forum/moderering").data.decode()
    assert SECRET not in page
    assert SECRET in login(closed["facilitator"]).get("/forum/moderering").data.decode()


def test_public_group_members_category_is_hidden_from_visitors(forum, make, client):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    category = forum.category(group=group, visibility="members")
    topic = forum.topic(category, title=f"{SECRET} för medlemmar")
    assert client.get(f"/forum/t/{topic.id}").status_code == 404
    assert SECRET not in client.get("/forum/").data.decode()
