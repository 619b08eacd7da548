"""Registrations as meetings in people's calendars: invitations, updates and cancellations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from network.events import invitations, registrations, services
from network.events.models import Invitation, RegistrationStatus
from network.outbox import OutboxEmail, deliver_outbox
from tests.events.conftest import FUTURE
from tests.events.itip import aware, calendar_part, invitations_to


def _data(event, **changes):
    fields = dict(type=event.type, group=event.group, title=event.title, start=FUTURE,
                  end=FUTURE + dt.timedelta(hours=2), place=event.place, online_url=event.online_url,
                  description=event.description,
                  agenda=[services.AgendaLine(a.time, a.title, a.speaker) for a in event.agenda])
    fields.update(changes)
    return services.EventData(**fields)


def test_registering_sends_an_invitation_a_calendar_takes_as_an_accepted_meeting(
        make_event, group, organiser, make, mail):
    event = make_event(group, organiser, place="Stadshuset, sal 3", online_url="https://meet.example.se/abc",
                       agenda=[services.AgendaLine("09:00", "Inledning", "Samordnaren")])
    person = make.user(name="Åsa Öberg")
    registrations.register(person, event)
    [message] = [m for m in mail.deliver() if m["To"] == person.email]
    [found] = invitations_to([message], person.email)
    assert found["method"] == "REQUEST" and found["uid"] == f"event-{event.id}@localhost"
    assert found["attendee"].lower() == f"mailto:{person.email}" and found["partstat"] == "ACCEPTED"
    assert found["organizer"] == "mailto:natverket@example.se" and found["organizer_cn"] == "Olle Arrangör"
    assert found["start"] == aware(FUTURE) and found["status"] == "CONFIRMED"
    assert found["location"] == "Stadshuset, sal 3"
    assert "https://meet.example.se/abc" in found["description"] and "09:00 Inledning" in found["description"]
    # The calendar is an alternative beside the text and HTML bodies, as RFC 6047 describes.
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html", "text/calendar"]
    assert message["Subject"] == f"Inbjudan: {event.title}"
    text = message.get_body(("plain",)).get_content()
    assert "Stadshuset, sal 3" in text and "Avanmäl dig på webbplatsen" in text  # no inbound mail set up


def test_sequence_rises_across_register_move_move_back_and_cancel_with_one_uid(
        make_event, group, organiser, make, mail):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    services.update_event(organiser, event, _data(event, start=FUTURE + dt.timedelta(hours=3),
                                                  end=FUTURE + dt.timedelta(hours=5)))
    services.update_event(organiser, event, _data(event))
    services.cancel_event(organiser, event)
    sent = invitations_to(mail.deliver(), person.email)
    assert [s["method"] for s in sent] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert len({s["uid"] for s in sent}) == 1
    sequences = [s["sequence"] for s in sent]
    assert sequences == sorted(set(sequences)), sequences
    later = aware(FUTURE + dt.timedelta(hours=3))
    assert [s["start"] for s in sent[:3]] == [aware(FUTURE), later, aware(FUTURE)]
    assert sent[-1]["status"] == "CANCELLED"


def test_unregistering_cancels_and_registering_again_invites_with_a_higher_sequence(
        make_event, group, organiser, make, mail):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    registrations.unregister(person, event)
    registrations.register(person, event)
    sent = invitations_to(mail.deliver(), person.email)
    assert [s["method"] for s in sent] == ["REQUEST", "CANCEL", "REQUEST"]
    assert sent[0]["sequence"] < sent[1]["sequence"] < sent[2]["sequence"]


def test_a_waitlisted_person_gets_no_invitation_until_promoted(make_event, group, organiser, make, mail):
    event = make_event(group, organiser, capacity=1)
    first, second = make.user(), make.user()
    registrations.register(first, event)
    assert registrations.register(second, event).status == RegistrationStatus.WAITLISTED
    services.update_event(organiser, event, _data(event, capacity=1, place="Nytt rum"))
    waiting = [m for m in mail.deliver() if m["To"] == second.email]
    # The waitlist notice and the usual change notification, but nothing for the calendar.
    assert "väntelistan" in waiting[0]["Subject"] and all(calendar_part(m) is None for m in waiting)
    registrations.unregister(first, event)
    [invitation] = invitations_to(mail.deliver(), second.email)
    assert invitation["method"] == "REQUEST" and invitation["location"] == "Nytt rum"


def test_cancelling_a_series_cancels_every_invited_occurrence(make_event, group, organiser, make, mail):
    from network.events.timeutil import Rule

    first = make_event(group, organiser, rule=Rule("weekly", count=3))
    occurrences = first.series.occurrences
    person = make.user()
    for occurrence in occurrences[:2]:
        registrations.register(person, occurrence)
    services.cancel_series(organiser, first.series)
    sent = invitations_to(mail.deliver(), person.email)
    cancels = {s["uid"]: s for s in sent if s["method"] == "CANCEL"}
    assert set(cancels) == {f"event-{o.id}@localhost" for o in occurrences[:2]}
    requests = {s["uid"]: s["sequence"] for s in sent if s["method"] == "REQUEST"}
    assert all(cancels[uid]["sequence"] > requests[uid] for uid in cancels)


def test_a_member_who_turned_invitations_off_gets_the_publish_file_and_no_calendar_updates(
        make_event, group, organiser, make, mail):
    event = make_event(group, organiser, place="Stadshuset")
    person = make.user()
    invitations.set_invitations(person, False)
    registrations.register(person, event)
    services.update_event(organiser, event, _data(event, place="Rådhuset"))
    messages = [m for m in mail.deliver() if m["To"] == person.email]
    assert invitations_to(messages, person.email) == []
    attachment = next(messages[0].iter_attachments())
    assert b"METHOD:PUBLISH" in attachment.get_payload(decode=True)


def test_the_invitation_is_in_the_recipients_language(make_event, group, organiser, make, mail):
    event = make_event(group, organiser, place="Stadshuset")
    person = make.user()
    person.locale = "en"
    registrations.register(person, event)
    [message] = [m for m in mail.deliver() if m["To"] == person.email]
    assert message["Subject"] == f"Invitation: {event.title}"
    assert "Place: Stadshuset" in message.get_body(("plain",)).get_content()


def test_a_time_change_reaches_500_registered_people_through_the_outbox_in_batches(
        make_event, group, organiser, make, mail, db):
    event = make_event(group, organiser)
    people = [make.user(password=None) for _ in range(500)]
    for person in people:
        registrations.register(person, event)
    db.session.commit()
    while deliver_outbox(limit=200) != (0, 0):
        pass
    before = len(mail.sent)
    services.update_event(organiser, event, _data(event, start=FUTURE + dt.timedelta(days=1),
                                                  end=FUTURE + dt.timedelta(days=1, hours=2)))
    db.session.commit()
    pending = db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                .where(OutboxEmail.sent_at.is_(None)))
    assert pending >= 500
    rounds = 0
    while True:
        sent, failed = deliver_outbox(limit=100)
        assert failed == 0
        if not sent:
            break
        rounds += 1
    assert rounds >= 5
    updates = {}
    for message in mail.sent[before:]:
        part = calendar_part(message)
        if part is not None:
            updates.setdefault(message["To"], []).append(part)
    assert set(updates) == {p.email for p in people}
    assert all(len(parts) == 1 for parts in updates.values())
    someone = people[250].email
    sample = invitations_to([m for m in mail.sent[before:] if m["To"] == someone], someone)
    assert sample[0]["start"] == aware(FUTURE + dt.timedelta(days=1))
    rows = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)).all()
    assert len(rows) == 500 and {r.sequence for r in rows} == {event.sequence}


def test_a_calendar_update_is_not_mailed_twice_but_still_shown_in_the_app(
        make_event, group, organiser, make, mail, db):
    from network.notifications.models import Notification

    event = make_event(group, organiser, place="Stadshuset")
    invited, plain = make.user(), make.user()
    invitations.set_invitations(plain, False)
    for person in (invited, plain):
        registrations.register(person, event)
    mail.deliver()
    before = len(mail.sent)
    services.update_event(organiser, event, _data(event, place="Rådhuset"))
    after = mail.deliver()[before:]
    assert [m["To"] for m in after].count(invited.email) == 1  # the calendar update alone
    assert calendar_part(next(m for m in after if m["To"] == invited.email)) is not None
    assert [m["To"] for m in after].count(plain.email) == 1  # the notification email, as before
    shown = db.session.scalars(select(Notification.user_id).where(Notification.kind == "event.changed")).all()
    assert sorted(shown) == sorted([invited.id, plain.id])


def test_the_html_body_escapes_what_organisers_typed(make_event, group, organiser, make, mail):
    event = make_event(group, organiser, title="Trygghet & <b>säkerhet</b>", place="Sal <3>")
    person = make.user()
    registrations.register(person, event)
    [message] = [m for m in mail.deliver() if m["To"] == person.email]
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;säkerhet&lt;/b&gt;" in html and "<b>säkerhet" not in html and "Sal &lt;3&gt;" in html
    assert "Sal <3>" in message.get_body(("plain",)).get_content()
