"""Forum topics linked to measures: visibility is always the forums feature's decision."""

from __future__ import annotations

import pytest

from network.accounts.models import GroupVisibility
from network.followup import topics
from network.forums import services as forums


@pytest.fixture
def closed_topic(world, make, db):
    """A topic in a closed forum group that world.member belongs to but world.facilitator does not."""
    group = make.group(name="Slutet nätverk", visibility=GroupVisibility.CLOSED, members=[world.member])
    category = forums.create_category(world.admin, "Slutna samtal", group=group)
    post, _ = forums.create_topic(world.member, category, "Hemlig tråd om gängkonflikt", "Känsligt")
    db.session.commit()
    return post.topic


@pytest.fixture
def open_topic(world, db):
    category = forums.create_category(world.admin, "Öppet forum")
    post, _ = forums.create_topic(world.member, category, "Erfarenheter av trygghetsvandringar", "Hej")
    db.session.commit()
    return post.topic


@pytest.mark.parametrize("ref", ["{id}", "https://natverket.example.se/forum/t/{id}#svar-2", " {id} "])
def test_topic_reference_is_read_from_an_id_or_an_address(ref):
    assert topics.parse_topic_ref(ref.format(id=42)) == 42


@pytest.mark.parametrize("ref", ["", "abc", "/forum/k/3"])
def test_nonsense_topic_reference_gives_none(ref):
    assert topics.parse_topic_ref(ref) is None


def test_a_member_links_a_topic_by_its_address_and_sees_it_on_the_measure(world, open_topic, login):
    client = login(world.member)
    page = client.post(f"/uppfoljning/atgard/{world.measure.id}/forumtradar",
                       data={"topic": f"http://localhost/forum/t/{open_topic.id}"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Forumtråden är länkad till åtgärden." in page
    assert "Erfarenheter av trygghetsvandringar" in page and f'href="/forum/t/{open_topic.id}"' in page
    again = client.post(f"/uppfoljning/atgard/{world.measure.id}/forumtradar",
                        data={"topic": str(open_topic.id)}, follow_redirects=True).get_data(as_text=True)
    assert "Forumtråden är redan länkad." in again


def test_a_viewer_outside_the_closed_group_does_not_see_the_linked_topic_title(world, closed_topic, login):
    login(world.member).post(f"/uppfoljning/atgard/{world.measure.id}/forumtradar",
                             data={"topic": str(closed_topic.id)})
    assert "Hemlig tråd" in login(world.member).get(f"/uppfoljning/atgard/{world.measure.id}").get_data(
        as_text=True)
    page = login(world.facilitator).get(f"/uppfoljning/atgard/{world.measure.id}").get_data(as_text=True)
    assert "Hemlig tråd" not in page and "Inga länkade forumtrådar." in page


def test_a_topic_the_actor_cannot_read_cannot_be_linked(world, closed_topic, login):
    page = login(world.facilitator).post(f"/uppfoljning/atgard/{world.measure.id}/forumtradar",
                                         data={"topic": str(closed_topic.id)},
                                         follow_redirects=True).get_data(as_text=True)
    assert "Ange adressen eller numret till en forumtråd som du kan läsa." in page
    assert topics.linked_topics(world.admin, world.measure.id) == []


def test_unlinking_removes_the_topic_from_the_measure(world, open_topic, login, db):
    topics.link_topic(world.measure, open_topic)
    db.session.commit()
    client = login(world.member)
    client.post(f"/uppfoljning/atgard/{world.measure.id}/forumtradar/{open_topic.id}/ta-bort")
    assert topics.linked_topics(world.admin, world.measure.id) == []


@pytest.mark.parametrize("who,status", [("outsider", 404), ("other_local", 404)])
def test_people_who_cannot_see_the_measure_cannot_link_topics(world, open_topic, login, who, status):
    response = login(getattr(world, who)).post(f"/uppfoljning/atgard/{world.measure.id}/forumtradar",
                                               data={"topic": str(open_topic.id)})
    assert response.status_code == status
    assert topics.linked_topics(world.admin, world.measure.id) == []
