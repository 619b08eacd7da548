"""Registration, waitlist, notices, reminders and the needs purge."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from network.db import utcnow
from network.events import invitations, jobs, registrations, services, tokens
from network.events.models import EventType, Invitation, Registration, RegistrationStatus
from network.events.timeutil import to_local
from network.notifications.models import Notification
from network.permissions import AccessDenied
from tests.events.conftest import FUTURE


def test_without_invitations_the_confirmation_has_the_event_attached(make_event, group, organiser, make,
                                                                      mail):
    event = make_event(group, organiser, place="Stadshuset")
    person = make.user()
    invitations.set_invitations(person, False)
    row = registrations.register(person, event, "Vegetarisk kost")
    assert row.status == RegistrationStatus.REGISTERED
    sent = [m for m in mail.deliver() if m["To"] == person.email]
    assert len(sent) == 1 and "Anmälan bekräftad" in sent[0]["Subject"]
    attachment = next(sent[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    vevent = Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")[0]
    assert vevent["SUMMARY"] == event.title and vevent["LOCATION"] == "Stadshuset"


def test_double_registration_keeps_one_registration(make_event, group, organiser, make, db):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    registrations.register(person, event, "Hörslinga")
    rows = db.session.scalars(db.select(Registration).where(Registration.event_id == event.id)).all()
    assert len(rows) == 1 and rows[0].needs == "Hörslinga"


def test_full_event_puts_people_on_the_waitlist(make_event, group, organiser, make):
    event = make_event(group, organiser, capacity=1)
    first, second = make.user(), make.user()
    assert registrations.register(first, event).status == RegistrationStatus.REGISTERED
    assert registrations.register(second, event).status == RegistrationStatus.WAITLISTED


def test_freed_seat_promotes_the_first_on_the_waitlist_and_tells_them(make_event, group, organiser,
                                                                       make, db, mail):
    event = make_event(group, organiser, capacity=1)
    first, second, third = make.user(), make.user(), make.user()
    registrations.register(first, event)
    registrations.register(second, event)
    registrations.register(third, event)
    registrations.unregister(first, event)
    assert registrations.registration_for(second, event).status == RegistrationStatus.REGISTERED
    assert registrations.registration_for(third, event).status == RegistrationStatus.WAITLISTED
    notes = db.session.scalars(db.select(Notification).where(Notification.user_id == second.id)).all()
    assert [n.kind for n in notes] == ["event.promoted"] and notes[0].subject_type == "event"
    assert not db.session.scalars(db.select(Notification).where(Notification.user_id == third.id)).all()


def test_raising_capacity_promotes_from_the_waitlist(make_event, group, organiser, make):
    event = make_event(group, organiser, capacity=0)
    person = make.user()
    assert registrations.register(person, event).status == RegistrationStatus.WAITLISTED
    data = _data(event, capacity=5)
    services.update_event(organiser, event, data)
    assert registrations.registration_for(person, event).status == RegistrationStatus.REGISTERED


def test_registration_after_the_deadline_is_refused(make_event, group, organiser, make, app):
    event = make_event(group, organiser, deadline=dt.datetime(2027, 1, 10, 12, 0))
    with app.test_request_context(), pytest.raises(services.EventError, match="Sista anmälningsdag"):
        registrations.register(make.user(), event, now=dt.datetime(2027, 1, 11, tzinfo=dt.UTC))


def test_cancelled_event_refuses_registration(make_event, group, organiser, make, app):
    event = make_event(group, organiser)
    services.cancel_event(organiser, event)
    with app.test_request_context(), pytest.raises(services.EventError, match="inställt"):
        registrations.register(make.user(), event)


def test_closed_group_event_refuses_outsiders(make_event, make, organiser):
    closed = make.group(visibility="closed", facilitators=[organiser])
    event = make_event(closed, organiser, visibility="group")
    with pytest.raises(AccessDenied):
        registrations.register(make.user(), event)
    assert registrations.registered_count(event) == 0


def test_event_actions_refuse_people_who_do_not_organise_and_change_nothing(
        make_event, make, organiser, group, db):
    event = make_event(group, organiser, title="Nätverksträff")
    member = make.user()
    other_group = make.group(facilitators=[member])
    db.session.commit()
    start = FUTURE + dt.timedelta(days=1)
    end = start + dt.timedelta(hours=1)
    data = services.EventData(type=EventType.WORKSHOP, group=group, title="Kapat", start=start,
                              end=end)
    moved = services.EventData(type=EventType.WORKSHOP, group=other_group, title="Flyttat",
                               start=start, end=end)
    for call in (lambda: services.create_event(member, data),
                 lambda: services.update_event(member, event, data),
                 lambda: services.update_event(organiser, event, moved),
                 lambda: services.cancel_event(member, event)):
        with pytest.raises(AccessDenied):
            call()
        db.session.rollback()
        assert (event.title, event.cancelled, event.group_id) == ("Nätverksträff", False, group.id)


def test_change_of_time_raises_sequence_and_notifies_participants(make_event, group, organiser, make, db):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    services.update_event(organiser, event, _data(event, title="Ny rubrik"))
    assert event.sequence == 0  # a new title is not a change of time, place or status
    later = to_local(event.start_at) + dt.timedelta(hours=1)
    services.update_event(organiser, event, _data(event, start=later, end=later + dt.timedelta(hours=2)))
    assert event.sequence == 1
    services.update_event(organiser, event, _data(event, place="Nytt ställe"))
    assert event.sequence == 2
    services.cancel_event(organiser, event)
    assert event.sequence == 3
    kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == person.id)).all()
    assert kinds == ["event.changed", "event.changed", "event.cancelled"]


def test_reminders_are_sent_once_however_often_the_job_runs(make_event, group, organiser, make, mail):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    mail.deliver()
    day_before = event.start_at - dt.timedelta(hours=20)
    assert jobs.send_reminders(day_before) == 1
    assert jobs.send_reminders(day_before) == 0
    assert jobs.send_reminders(day_before + dt.timedelta(hours=1)) == 0
    reminders = [m for m in mail.deliver() if m["Subject"].startswith("Påminnelse")]
    assert len(reminders) == 1


def test_no_reminder_a_week_before_or_for_the_waitlist(make_event, group, organiser, make):
    event = make_event(group, organiser, capacity=1)
    registrations.register(make.user(), event)
    registrations.register(make.user(), event)
    assert jobs.send_reminders(event.start_at - dt.timedelta(days=7)) == 0
    assert jobs.send_reminders(event.start_at - dt.timedelta(hours=3)) == 1


def test_needs_are_deleted_30_days_after_the_event(make_event, group, organiser, make):
    event = make_event(group, organiser)
    row = registrations.register(make.user(), event, "Rullstolsplats")
    assert jobs.purge_needs(event.end_at + dt.timedelta(days=29)) == 0
    assert row.needs == "Rullstolsplats"
    assert jobs.purge_needs(event.end_at + dt.timedelta(days=31)) == 1
    services.db.session.refresh(row)
    assert row.needs == ""
    assert jobs.purge_needs(event.end_at + dt.timedelta(days=32)) == 0


def test_series_creates_bounded_occurrences_with_their_own_registrations(make_event, group, organiser, make):
    from network.events.timeutil import Rule

    first = make_event(group, organiser, rule=Rule("weekly", count=5), capacity=1)
    occurrences = first.series.occurrences
    assert len(occurrences) == 5
    person = make.user()
    registrations.register(person, occurrences[1])
    assert registrations.registration_for(person, occurrences[0]) is None
    assert registrations.registered_count(occurrences[1]) == 1


def test_cancel_series_cancels_future_occurrences(make_event, group, organiser):
    from network.events.timeutil import Rule

    first = make_event(group, organiser, rule=Rule("weekly", count=3))
    services.cancel_series(organiser, first.series)
    assert all(o.cancelled for o in first.series.occurrences)
    assert first.series.cancelled_at is not None


def test_calendar_token_is_stored_hashed_and_can_be_regenerated_and_revoked(make, db):
    from network.events.models import CalendarToken

    user = make.user()
    token = tokens.regenerate_calendar_token(user)
    assert len(token) >= 43  # 32 bytes, url-safe
    row = db.session.scalar(db.select(CalendarToken))
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert tokens.user_for_token(token) is user
    newer = tokens.regenerate_calendar_token(user)
    assert tokens.user_for_token(token) is None and tokens.user_for_token(newer) is user
    tokens.revoke_calendar_token(user)
    assert tokens.user_for_token(newer) is None


def test_upcoming_panel_lists_my_registrations(make_event, group, organiser, make):
    event = make_event(group, organiser)
    person = make.user()
    registrations.register(person, event)
    panel = services.upcoming_for(person)
    assert [e.id for e, _status in panel["registrations"]] == [event.id]
    assert utcnow() < event.start_at


def test_upcoming_panel_shows_each_reader_their_own_groups_events(make_event, group, organiser,
                                                                   make, app):
    """The panel's statements are shared by readers of one visibility scope; what each reader
    gets still follows their own registrations and groups, an admin's groups included."""
    other = make.group(name="Grovt våld", facilitators=[organiser])
    ours = make_event(group, organiser, title="Vår träff", visibility="group")
    theirs = make_event(other, organiser, title="Deras träff", visibility="group")
    from network.accounts.models import GroupRole
    from network.accounts.services import add_member

    member, outsider, admin = make.user(), make.user(), make.admin()
    for user in (member, admin):
        add_member(None, group, user, GroupRole.MEMBER)
    registrations.register(member, ours)
    with app.test_request_context("/"):
        panel = services.upcoming_for(member)
        assert [e.id for e, _s in panel["registrations"]] == [ours.id]
        assert panel["group_events"] == []  # registered: listed once, under registrations
        assert services.upcoming_for(outsider) == {"registrations": [], "group_events": []}
        assert [e.id for e in services.upcoming_for(admin)["group_events"]] == [ours.id]
        assert theirs.id not in [e.id for e in services.upcoming_for(admin)["group_events"]]


def _data(event, **changes):
    values = dict(type=event.type, group=event.group, title=event.title,
                  start=to_local(event.start_at), end=to_local(event.end_at), all_day=event.all_day,
                  description=event.description, place=event.place, online_url=event.online_url,
                  visibility=event.visibility, capacity=event.capacity)
    values.update(changes)
    return services.EventData(**values)


def test_personal_data_export_and_erase(make_event, group, organiser, make, db):
    from network.accounts.privacy import erase_account, export_user_data

    event = make_event(group, organiser, capacity=1)
    leaving, waiting = make.user(), make.user()
    registrations.register(leaving, event, "Hörslinga")
    registrations.register(waiting, event)
    tokens.regenerate_calendar_token(leaving)
    data = export_user_data(leaving)["event_registrations"]
    assert data["registrations"][0]["event"] == event.title
    assert data["registrations"][0]["needs"] == "Hörslinga"
    assert data["calendar_feed_created_at"]
    assert [(i["event_id"], i["method"]) for i in data["calendar_invitations"]] == [(event.id, "REQUEST")]
    assert data["calendar_invitations_wanted"] is True
    erase_account(leaving)
    assert db.session.scalars(db.select(Registration).where(Registration.user_id == leaving.id)).all() == []
    assert db.session.scalars(db.select(Invitation).where(Invitation.user_id == leaving.id)).all() == []
    assert tokens.calendar_token(leaving) is None
    assert registrations.registration_for(waiting, event).status == RegistrationStatus.REGISTERED
