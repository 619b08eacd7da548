"""Registering for a whole series: one recurring meeting in the calendar, then updates of single
occurrences (RECURRENCE-ID) or of the whole series, each with a higher SEQUENCE."""

from __future__ import annotations

import datetime as dt

import pytest
import recurring_ical_events

from network.events import registrations, services, tokens
from network.events.timeutil import Rule
from tests.events.conftest import FUTURE
from tests.events.itip import aware, inbound, invitations_to, reply


@pytest.fixture
def series(make_event, group, organiser):
    """Five weekly occurrences; the third has one seat (taken), the fourth is cancelled."""
    first = make_event(group, organiser, rule=Rule("weekly", count=5), place="Stadshuset")
    occurrences = first.series.occurrences
    occurrences[2].capacity = 1
    services.cancel_event(organiser, occurrences[3])
    return first.series


def _seated_starts(found) -> list[dt.datetime]:
    """The meetings a calendar shows for a series invitation, by both parsers."""
    by_icalendar = sorted(e.decoded("DTSTART") for e in recurring_ical_events.of(found["calendar"])
                          .between(dt.date(2026, 1, 1), dt.date(2028, 1, 1)))
    master, *others = found["vobject"].vevent_list
    overridden = {o.recurrence_id.value for o in others}
    by_vobject = sorted([s for s in master.getrruleset() if s not in overridden]
                        + [o.dtstart.value for o in others if o.status.value != "CANCELLED"])
    assert by_icalendar == by_vobject
    return by_icalendar


def test_a_series_registration_is_one_recurring_invitation_without_the_seats_not_held(
        series, make, mail):
    occurrences = series.occurrences
    registrations.register(make.user(), occurrences[2])  # takes the only seat
    person = make.user()
    rows = registrations.register_series(person, series)
    assert [r.status for r in rows] == ["registered", "registered", "waitlisted", "registered"]
    sent = invitations_to(mail.deliver(), person.email)
    assert len(sent) == 1
    [found] = sent
    assert found["method"] == "REQUEST" and found["uid"] == f"series-{series.id}@localhost"
    assert "RRULE" in found["vevent"] and found["partstat"] == "ACCEPTED"
    held = [occurrences[i].start_at for i in (0, 1, 4)]
    assert _seated_starts(found) == held


def test_later_changes_to_one_occurrence_go_out_as_recurrence_id_updates(series, organiser, make, mail):
    occurrences = series.occurrences
    person = make.user()
    registrations.register_series(person, series)
    moved = occurrences[1]
    data = services.EventData(type=moved.type, group=moved.group, title=moved.title, place=moved.place,
                              start=FUTURE + dt.timedelta(days=7, hours=2),
                              end=FUTURE + dt.timedelta(days=7, hours=4))
    services.update_event(organiser, moved, data)
    services.cancel_event(organiser, occurrences[4])
    assert registrations.unregister(person, occurrences[0])
    sent = invitations_to(mail.deliver(), person.email)
    assert [(s["method"], s["recurrence_id"]) for s in sent] == [
        ("REQUEST", None),
        ("REQUEST", moved.original_start_at),
        ("CANCEL", occurrences[4].original_start_at),
        ("CANCEL", occurrences[0].original_start_at),
    ]
    assert {s["uid"] for s in sent} == {f"series-{series.id}@localhost"}
    assert sent[1]["start"] == aware(FUTURE + dt.timedelta(days=7, hours=2))
    sequences = [s["sequence"] for s in sent]
    assert sequences == sorted(set(sequences))


def test_a_whole_series_change_or_cancellation_is_one_message_per_person(series, organiser, make, mail):
    person = make.user()
    registrations.register_series(person, series)
    first = series.occurrences[0]
    services.update_series(organiser, series, services.EventData(
        type=first.type, group=first.group, title=first.title, place="Rådhuset",
        start=FUTURE, end=FUTURE + dt.timedelta(hours=2)))
    services.cancel_series(organiser, series)
    sent = invitations_to(mail.deliver(), person.email)
    assert [(s["method"], s["recurrence_id"]) for s in sent] == [
        ("REQUEST", None), ("REQUEST", None), ("CANCEL", None)]
    assert sent[1]["location"] == "Rådhuset" and sent[2]["status"] == "CANCELLED"
    assert sent[0]["sequence"] < sent[1]["sequence"] < sent[2]["sequence"]


def test_unregistering_from_the_series_cancels_the_recurring_meeting_once(series, make, mail, db):
    person = make.user()
    registrations.register_series(person, series)
    assert registrations.unregister_series(person, series) == 4
    sent = invitations_to(mail.deliver(), person.email)
    assert [(s["method"], s["recurrence_id"]) for s in sent] == [("REQUEST", None), ("CANCEL", None)]


def test_declining_the_series_in_the_calendar_leaves_every_occurrence(series, make, mail, runner, db):
    person = make.user()
    registrations.register_series(person, series)
    db.session.commit()
    [message] = [m for m in mail.deliver() if m["To"] == person.email]
    invitation = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    raw = reply(invitation.get_payload(decode=True), sender=person.email)
    assert inbound(runner, raw).exit_code == 0
    db.session.expire_all()
    assert all(registrations.registration_for(person, o) is None for o in series.occurrences)
    assert inbound(runner, raw).output.startswith("0 ")  # a repeat changes nothing


def test_the_personal_feed_writes_a_held_series_with_the_invitations_uid(series, make, client, db):
    person = make.user()
    registrations.register_series(person, series)
    token = tokens.regenerate_calendar_token(person)
    db.session.commit()
    body = client.get(f"/evenemang/kalender/{token}/min.ics").data
    assert f"UID:series-{series.id}@localhost".encode() in body
    assert b"UID:event-" not in body


def test_the_series_page_registers_for_every_open_occurrence(series, make, login, db):
    person = make.user()
    client = login(person)
    page = client.get(f"/evenemang/serie/{series.id}").get_data(as_text=True)
    assert "Anmäl mig till alla kommande tillfällen" in page
    client.post(f"/evenemang/serie/{series.id}/anmalan")
    db.session.expire_all()
    rows = [registrations.registration_for(person, o) for o in series.occurrences]
    statuses = [row.status if row else None for row in rows]
    assert statuses == ["registered", "registered", "registered", None, "registered"]
    client.post(f"/evenemang/serie/{series.id}/avanmalan")
    db.session.expire_all()
    assert all(registrations.registration_for(person, o) is None for o in series.occurrences)


def test_an_occurrence_invited_before_the_series_registration_is_not_left_twice(series, make, mail):
    person = make.user()
    single = series.occurrences[1]
    registrations.register(person, single)
    registrations.register_series(person, series)
    sent = invitations_to(mail.deliver(), person.email)
    assert [(s["method"], s["uid"]) for s in sent] == [
        ("REQUEST", f"event-{single.id}@localhost"),
        ("REQUEST", f"series-{series.id}@localhost"),
        ("CANCEL", f"event-{single.id}@localhost"),
    ]
    assert sent[2]["sequence"] > sent[0]["sequence"]
    assert single.start_at in _seated_starts(sent[1])
