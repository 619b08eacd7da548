"""Workshop rooms that belong to an event occurrence: who may join, the event page, the transcript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from network.chat import services
from network.chat.models import ChatMessage, ChatRoom, JoinRule
from network.events import registrations as events_registrations
from network.events import services as events
from network.events.models import EventType

START = dt.datetime(2027, 3, 10, 9, 0)  # local Stockholm time, in the future


@pytest.fixture
def workshop(db, make):
    """An occurrence of the group "Trygghetsnätverket" with a participant from outside the group."""
    fia = make.user(name="Fia Facilitator")
    gunnar = make.user(name="Gunnar Gruppmedlem")  # in the group, not registered
    rita = make.user(name="Rita Registrerad")  # registered, not in the group
    olle = make.user(name="Olle Utanför")
    group = make.group(name="Trygghetsnätverket", members=[gunnar], facilitators=[fia])
    event = events.create_event(fia, events.EventData(
        type=EventType.WORKSHOP, group=group, title="Workshop om belysning", start=START,
        end=START + dt.timedelta(hours=3), all_day=False, visibility="members"))
    events_registrations.register(rita, event)
    db.session.commit()
    return {"fia": fia, "gunnar": gunnar, "rita": rita, "olle": olle, "group": group, "event": event}


def _room(db, w, rule=JoinRule.REGISTERED, title="Belysningsrummet"):
    room = services.create_room(w["fia"], w["group"], title, rule, occurrence=w["event"])
    db.session.commit()
    return room


def test_a_registered_participant_joins_and_sends_in_the_event_room(chat, db, workshop):
    room = _room(db, workshop)
    rita = chat(workshop["rita"])
    assert rita.join(room)["ok"] is True
    assert rita.send(room, "Hej från Rita")["ok"] is True
    assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 1


def test_a_group_member_who_is_not_registered_cannot_join_a_registered_only_room(chat, db, workshop):
    room = _room(db, workshop)
    answer = chat(workshop["gunnar"]).join(room)
    assert answer["ok"] is False and answer["code"] == "not_found"
    assert chat(workshop["olle"]).join(room)["ok"] is False


def test_the_facilitator_may_let_the_whole_group_in_instead(chat, db, workshop):
    room = _room(db, workshop, JoinRule.GROUP)
    assert chat(workshop["gunnar"]).join(room)["ok"] is True
    assert chat(workshop["rita"]).join(room)["ok"] is False


def test_organisers_always_join_the_event_room(chat, db, workshop):
    room = _room(db, workshop)
    assert chat(workshop["fia"]).join(room)["ok"] is True


def test_a_waitlisted_person_cannot_join(chat, db, make, workshop):
    workshop["event"].capacity = 1
    waiting = make.user()
    assert events_registrations.register(waiting, workshop["event"]).status == "waitlisted"
    db.session.commit()
    assert chat(waiting).join(_room(db, workshop))["ok"] is False


def test_unregistering_removes_access_at_once(chat, db, workshop):
    room = _room(db, workshop)
    rita = chat(workshop["rita"])
    assert rita.join(room)["ok"] is True
    rita.received()
    events_registrations.unregister(workshop["rita"], workshop["event"])
    db.session.commit()
    # The open socket is taken out of the room as the cancellation commits (chat/revocation.py).
    assert [e["args"]["room_id"] for e in rita.received("access_revoked")] == [room.id]
    answer = rita.send(room, "Hallå?")
    assert answer["ok"] is False and answer["code"] == "not_found"
    assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 0


def test_the_rooms_list_includes_rooms_of_events_the_user_is_registered_for(login, db, workshop):
    _room(db, workshop)
    assert "Belysningsrummet" in login(workshop["rita"]).get("/workshoppar/").get_data(as_text=True)
    assert "Belysningsrummet" not in login(workshop["gunnar"]).get("/workshoppar/").get_data(as_text=True)


def test_the_event_page_links_the_room_only_for_those_who_may_join(login, db, workshop):
    room = _room(db, workshop)
    url = f"/evenemang/{workshop['event'].id}"
    link = f'href="/workshoppar/{room.id}"'
    assert link in login(workshop["rita"]).get(url).get_data(as_text=True)
    assert link in login(workshop["fia"]).get(url).get_data(as_text=True)
    for name in ("gunnar", "olle"):
        page = login(workshop[name]).get(url).get_data(as_text=True)
        assert link not in page and "Belysningsrummet" not in page


def test_an_organiser_opens_a_room_from_the_event_page(login, db, workshop):
    fia = login(workshop["fia"])
    event = workshop["event"]
    page = fia.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert f"/workshoppar/?tillfalle={event.id}" in page
    form = fia.get(f"/workshoppar/?tillfalle={event.id}").get_data(as_text=True)
    assert f'name="occurrence_id" type="hidden" value="{event.id}"' in form
    assert re.search(r'<input checked[^>]*value="registered"', form)
    response = fia.post("/workshoppar/nytt", data={
        "title": "Rum för workshoppen", "group_id": workshop["group"].id,
        "join_rule": "registered", "occurrence_id": event.id})
    assert response.status_code == 302
    room = db.session.scalar(select(ChatRoom).where(ChatRoom.title == "Rum för workshoppen"))
    assert room.occurrence_id == event.id and room.join_rule == JoinRule.REGISTERED


def test_only_organisers_see_the_button_or_may_open_a_room_for_an_event(login, db, workshop):
    event = workshop["event"]
    rita = login(workshop["rita"])
    assert "tillfalle=" not in rita.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert rita.get(f"/workshoppar/?tillfalle={event.id}").status_code == 403
    response = rita.post("/workshoppar/nytt", data={
        "title": "Mitt rum", "group_id": workshop["group"].id, "join_rule": "registered",
        "occurrence_id": event.id})
    assert response.status_code == 403
    assert login(workshop["fia"]).get("/workshoppar/?tillfalle=999999").status_code == 404


def test_an_ad_hoc_room_cannot_be_limited_to_registered_participants(login, db, workshop):
    response = login(workshop["fia"]).post("/workshoppar/nytt", data={
        "title": "Fritt rum", "group_id": workshop["group"].id, "join_rule": "registered"})
    assert response.status_code == 400
    assert db.session.scalar(select(ChatRoom).where(ChatRoom.title == "Fritt rum")) is None


def test_a_saved_transcript_appears_on_the_event_page_for_its_audience(chat, login, db, workshop):
    room = _room(db, workshop, JoinRule.GROUP)
    gunnar = chat(workshop["gunnar"])
    gunnar.join(room)
    gunnar.send(room, "Mer ljus i parken")
    response = login(workshop["fia"]).post(f"/workshoppar/{room.id}/spara-logg")
    assert response.status_code == 302
    url = f"/evenemang/{workshop['event'].id}"
    assert "Logg: Belysningsrummet" in login(workshop["gunnar"]).get(url).get_data(as_text=True)
    assert "Logg: Belysningsrummet" not in login(workshop["olle"]).get(url).get_data(as_text=True)


def test_the_badge_stops_counting_a_mention_in_the_room_once_its_reader_unregisters(db, workshop):
    from network.chat.mentions import SUBJECT_TYPE
    from network.notifications.services import notify, unread_count

    room = _room(db, workshop)
    rita = workshop["rita"]
    notify(rita, "chat.mention", "Du nämndes", subject_type=SUBJECT_TYPE, subject_id=room.id)
    db.session.commit()
    assert unread_count(rita) == 1
    assert unread_count(rita) == 1  # kept
    events_registrations.unregister(rita, workshop["event"])
    db.session.commit()
    assert unread_count(rita) == 0
    events_registrations.register(rita, workshop["event"])
    db.session.commit()
    assert unread_count(rita) == 1
