"""``flask seed-demo`` gives the events page something to show (network/events/demo.py), and the
chat a room for the coming workshop (network/chat/demo.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from network.accounts.models import Group, GroupVisibility, User
from network.chat.models import ChatMessage, ChatRoom, JoinRule
from network.db import utcnow
from network.events.models import Event, EventSeries, EventType, Registration, RegistrationStatus
from network.events.timeutil import to_local
from network.resources import services as resources


@pytest.fixture
def app_config(app_config):
    app_config["DEMO_MODE"] = True
    return app_config


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def by_title(db, title) -> list[Event]:
    return db.session.scalars(select(Event).where(Event.title == title)
                              .order_by(Event.start_at)).all()


@pytest.fixture
def seeded(runner, db):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    return result


def test_the_network_meets_the_third_wednesday_of_every_month(seeded, db):
    now = utcnow()
    series = db.session.scalar(select(EventSeries))
    assert "BYDAY=+3WE" in series.rrule
    meetings = by_title(db, "Nationell nätverksträff")
    assert len(meetings) == 12 and all(m.series_id == series.id for m in meetings)
    for meeting in meetings:
        local = to_local(meeting.start_at)
        assert local.weekday() == 2 and 15 <= local.day <= 21 and local.hour == 13
        assert meeting.place and meeting.online_url.startswith("https://")
        assert meeting.type == EventType.NETWORK_MEETING
    assert any(m.end_at < now for m in meetings) and any(m.start_at > now for m in meetings)
    cancelled = [m for m in meetings if m.cancelled]
    assert len(cancelled) == 1 and cancelled[0].start_at > now


def test_a_held_workshop_has_its_minutes_from_the_library(seeded, db):
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    [held] = by_title(db, "Workshop: tidiga signaler på nyrekrytering")
    assert held.end_at < utcnow() and held.type == EventType.WORKSHOP
    [minutes] = resources.resources_for(admin, "event", held.id)
    assert minutes.title.startswith("Minnesanteckningar")
    assert minutes.versions[0].files[0].size > 0


def test_the_coming_workshop_is_full_with_one_person_waiting(seeded, db):
    [workshop] = by_title(db, "Workshop: trygghetsvandringar efter skjutningar")
    now = utcnow()
    assert workshop.start_at > now
    assert workshop.capacity == 4
    assert now < workshop.registration_deadline < workshop.start_at
    assert len(workshop.agenda) >= 3 and workshop.agenda[0].time == "09:00"
    statuses = sorted(r.status for r in workshop.registrations)
    assert statuses.count(RegistrationStatus.REGISTERED) == 4
    assert statuses.count(RegistrationStatus.WAITLISTED) == 1


def test_the_coming_workshop_has_a_chat_room_with_messages(seeded, db, login):
    [workshop] = by_title(db, "Workshop: trygghetsvandringar efter skjutningar")
    [room] = db.session.scalars(select(ChatRoom).where(ChatRoom.occurrence_id == workshop.id)).all()
    assert room.join_rule == JoinRule.REGISTERED and room.is_open and room.pinned_prompt
    messages = db.session.scalars(select(ChatMessage).where(ChatMessage.room_id == room.id)).all()
    assert len(messages) >= 3 and len({m.author_id for m in messages}) >= 3
    registered = db.session.scalar(select(User).where(User.email == "sara.johansson@polisen.example.se"))
    page = login(registered).get(f"/workshoppar/{room.id}/logg").get_data(as_text=True)
    assert "Rosengård i höstas" in page
    not_registered = db.session.scalar(select(User).where(User.email == "hanna.bjork@polisen.example.se"))
    assert login(not_registered).get(f"/workshoppar/{room.id}").status_code in (403, 404)


def test_a_closed_local_group_has_its_own_meeting(seeded, db, login, client):
    [meeting] = by_title(db, "Samverkansmöte Rosengård")
    group = db.session.get(Group, meeting.group_id)
    assert group.visibility == GroupVisibility.CLOSED and meeting.visibility == "group"
    assert meeting.type == EventType.LOCAL_MEETING and meeting.start_at > utcnow()
    assert meeting.agenda
    insider = db.session.scalar(select(User).where(User.email == "amira.hassan@malmo.example.se"))
    outsider = db.session.scalar(select(User).where(User.email == "erik.lundberg@orebro.example.se"))
    assert login(insider).get(f"/evenemang/{meeting.id}").status_code == 200
    assert login(outsider).get(f"/evenemang/{meeting.id}").status_code == 404
    assert "Samverkansmöte Rosengård" not in client.get("/evenemang/").get_data(as_text=True)


def test_visitors_see_a_public_webinar_in_the_calendar_and_the_public_feed(seeded, db, client):
    [webinar] = by_title(db, "Webbinarium: trygga centrummiljöer")
    assert webinar.visibility == "public" and webinar.type == EventType.WEBINAR
    assert webinar.start_at > utcnow() and to_local(webinar.start_at).weekday() == 1
    assert "Webbinarium: trygga centrummiljöer" in client.get("/evenemang/").get_data(as_text=True)
    page = client.get(f"/evenemang/{webinar.id}")
    assert page.status_code == 200 and "Borlänge" in page.get_data(as_text=True)


def test_members_see_the_demo_on_the_events_page(seeded, db, login):
    member = db.session.scalar(select(User).where(User.email == "lars.karlsson@goteborg.example.se"))
    page = login(member).get("/evenemang/").get_data(as_text=True)
    assert "Nationell nätverksträff" in page
    assert "Workshop: trygghetsvandringar efter skjutningar" in page


def test_seeding_twice_with_if_empty_adds_nothing(seeded, runner, db):
    tables = (Event, EventSeries, Registration, ChatRoom, ChatMessage)
    before = {model.__name__: count(db, model) for model in tables}
    assert before["Event"] == 12 + 4 and before["ChatRoom"] == 1
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "inga demodata skapade" in again.output
    assert {model.__name__: count(db, model) for model in tables} == before


def test_every_demo_meeting_is_on_a_working_day(seeded, db):
    days = {to_local(e.start_at).weekday() for e in db.session.scalars(select(Event))}
    assert days and days <= {0, 1, 2, 3, 4}, days


@pytest.mark.parametrize("seeded_on", range(7))
def test_meetings_fall_on_working_days_whatever_day_the_demo_is_seeded(seeded_on):
    import datetime as dt

    from network.events.demo import on_weekday

    day = dt.date(2026, 12, 7) + dt.timedelta(days=seeded_on)
    tuesday = on_weekday(day - dt.timedelta(days=19), 1)
    thursday = on_weekday(day + dt.timedelta(days=24), 3)
    assert tuesday.weekday() == 1 and day - tuesday >= dt.timedelta(days=19)
    assert thursday.weekday() == 3 and thursday - day >= dt.timedelta(days=18)
