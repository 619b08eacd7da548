"""Attendance: organisers mark who came, participants check in with a code; the report counts
held meetings (past, not cancelled), registrations and attendance separately."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from network.accounts.models import OrganisationType
from network.events import attendance, registrations, services
from network.events.attendance import Attendance, AttendanceError
from network.permissions import AccessDenied

UTC = dt.UTC
PAST = dt.datetime(2026, 3, 10, 10, 0)  # local Stockholm time, well before "now" below
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DURING = dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 10:30 Stockholm, inside the meeting


def _count(db) -> int:
    return db.session.scalar(select(func.count(Attendance.id)))


@pytest.fixture
def people(make):
    police = make.organisation("Polisen Syd", type=OrganisationType.POLIS, municipality_code="1280")
    municipal = make.organisation("Malmö stad", type=OrganisationType.KOMMUN, municipality_code="1280")
    school = make.organisation("Stockholms skolor", type=OrganisationType.SKOLA, municipality_code="0180")
    return [make.user(organisation=police), make.user(organisation=municipal), make.user(organisation=school)]


def _registered(event, users, db):
    for user in users:
        registrations.register(user, event, now=dt.datetime(2026, 1, 1, tzinfo=UTC))
    db.session.flush()


def test_organisers_mark_attendance_and_unticked_people_are_absent(make_event, group, organiser, people, db):
    event = make_event(group, organiser, start=PAST)
    _registered(event, people, db)
    attendance.mark_attendance(organiser, event, [people[0].id, people[1].id], now=NOW)
    assert attendance.attendee_ids(event) == {people[0].id, people[1].id}
    attendance.mark_attendance(organiser, event, [people[1].id], now=NOW)
    assert attendance.attendee_ids(event) == {people[1].id}


def test_attendance_for_a_future_or_cancelled_meeting_is_refused(make_event, group, organiser, people, db):
    future = make_event(group, organiser, start=dt.datetime(2027, 5, 5, 10, 0))
    cancelled = make_event(group, organiser, start=PAST)
    _registered(future, people[:1], db)
    _registered(cancelled, people[:1], db)
    services.cancel_event(organiser, cancelled)
    with pytest.raises(AttendanceError, match="inte börjat"):
        attendance.mark_attendance(organiser, future, [people[0].id], now=NOW)
    with pytest.raises(AttendanceError, match="inställd"):
        attendance.mark_attendance(organiser, cancelled, [people[0].id], now=NOW)
    assert _count(db) == 0


def test_only_registered_people_can_be_marked(make_event, group, organiser, people, make, db):
    event = make_event(group, organiser, start=PAST)
    _registered(event, people[:1], db)
    with pytest.raises(AttendanceError):
        attendance.mark_attendance(organiser, event, [people[0].id, make.user().id], now=NOW)
    assert _count(db) == 0


def test_only_organisers_mark_attendance(make_event, group, organiser, people, db):
    event = make_event(group, organiser, start=PAST)
    _registered(event, people, db)
    with pytest.raises(AccessDenied):
        attendance.mark_attendance(people[0], event, [people[0].id], now=NOW)
    with pytest.raises(AccessDenied):
        attendance.open_checkin(people[0], event, now=DURING)
    assert _count(db) == 0


def test_a_participant_checks_in_once_with_the_code_during_the_meeting(make_event, group, organiser, people,
                                                                       db):
    event = make_event(group, organiser, start=PAST)
    code = attendance.open_checkin(organiser, event, now=DURING - dt.timedelta(minutes=40))
    assert len(code) == attendance.CODE_LENGTH
    attendance.check_in(people[0], event, code.lower(), now=DURING)
    with pytest.raises(AttendanceError, match="redan incheckad"):
        attendance.check_in(people[0], event, code, now=DURING)
    with pytest.raises(AttendanceError, match="stämmer inte"):
        attendance.check_in(people[1], event, "AAAAAAAA" if code != "AAAAAAAA" else "BBBBBBBB", now=DURING)
    with pytest.raises(AttendanceError, match="under träffen"):
        attendance.check_in(people[1], event, code, now=NOW)
    assert attendance.attendee_ids(event) == {people[0].id}


def test_a_code_from_another_meeting_or_a_replaced_code_is_refused(make_event, group, organiser, people, db):
    first = make_event(group, organiser, start=PAST)
    second = make_event(group, organiser, start=PAST, title="Parallellt pass")
    other_code = attendance.open_checkin(organiser, first, now=DURING)
    old = attendance.open_checkin(organiser, second, now=DURING)
    new = attendance.open_checkin(organiser, second, now=DURING)
    for wrong in {other_code, old} - {new}:
        with pytest.raises(AttendanceError):
            attendance.check_in(people[0], second, wrong, now=DURING)
    assert _count(db) == 0
    attendance.check_in(people[0], second, new, now=DURING)
    assert _count(db) == 1


def test_stats_count_held_meetings_registrations_and_attendees_separately(make_event, group, organiser,
                                                                          people, db):
    held = make_event(group, organiser, start=PAST)
    future = make_event(group, organiser, start=dt.datetime(2026, 12, 1, 10, 0))
    cancelled = make_event(group, organiser, start=dt.datetime(2026, 4, 1, 10, 0))
    _registered(held, people, db)
    _registered(future, people, db)
    _registered(cancelled, people[:1], db)
    services.cancel_event(organiser, cancelled)
    attendance.mark_attendance(organiser, held, [people[0].id, people[2].id], now=NOW)
    db.session.flush()

    year = (dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 12, 31, tzinfo=UTC))
    figures = attendance.stats(*year, now=NOW)
    assert figures["meetings_held"] == 1  # the future and the cancelled meeting are not held
    assert figures["registrations"] == 3 and figures["attended"] == 2
    assert figures["attended_polis"] == 1 and figures["attended_skola"] == 1
    assert attendance.attended_by_municipality(now=NOW) == {"1280": 1, "0180": 1}
    assert attendance.stats(dt.datetime(2026, 4, 1, tzinfo=UTC), None, now=NOW) == {
        "meetings_held": 0, "registrations": 0, "attended": 0}


def test_the_attendance_page_saves_the_ticked_list(make_event, group, organiser, people, login, db):
    event = make_event(group, organiser, start=PAST)
    _registered(event, people, db)
    db.session.commit()
    client = login(organiser)
    page = client.get(f"/evenemang/{event.id}/narvaro").get_data(as_text=True)
    assert 'type="checkbox" name="present"' in page and people[0].display_name in page
    response = client.post(f"/evenemang/{event.id}/narvaro", data={"present": [str(people[1].id)]})
    assert response.status_code == 302
    assert attendance.attendee_ids(event) == {people[1].id}
    assert login(people[0]).get(f"/evenemang/{event.id}/narvaro").status_code == 403
    assert "/narvaro" in client.get(f"/evenemang/{event.id}").get_data(as_text=True)


def test_wrong_codes_are_rate_limited_per_person(app, make_event, group, organiser, people, login, db):
    start = dt.datetime.now(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None, second=0, microsecond=0)
    event = make_event(group, organiser, start=start - dt.timedelta(minutes=10))
    code = attendance.open_checkin(organiser, event)
    db.session.commit()
    client = login(people[0])
    statuses = [client.post(f"/evenemang/{event.id}/checka-in", data={"code": "FEL"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert _count(db) == 0
    other = login(people[1])
    response = other.post(f"/evenemang/{event.id}/checka-in", data={"code": code})
    assert response.status_code == 302 and _count(db) == 1


def test_the_demo_seed_records_attendance_for_past_meetings_only(make_event, group, organiser, people,
                                                                  make, db):
    from types import SimpleNamespace

    past = make_event(group, organiser, start=PAST)
    coming = make_event(group, organiser, start=dt.datetime(2030, 5, 7, 10, 0))
    extra = [make.user(), make.user()]
    _registered(past, people + extra, db)
    _registered(coming, people, db)
    attendance.seed_attendance(SimpleNamespace(users={"admin": make.admin()}))
    assert len(attendance.attendee_ids(past)) == 4  # most of the five registered came
    assert attendance.attendee_ids(coming) == set()
    attendance.seed_attendance(SimpleNamespace(users={"admin": make.admin()}))  # idempotent
    assert len(attendance.attendee_ids(past)) == 4


def test_reported_registrations_are_a_running_total_equal_to_counting(make_event, group, organiser,
                                                                      people, make, db):
    """Each event keeps its seats taken as registrations come, go, wait and move up."""
    from network.accounts import privacy
    from network.events.models import Event, Registration, RegistrationStatus

    event = make_event(group, organiser, capacity=2)
    other = make_event(group, organiser, title="Andra träffen")
    for user in people:  # two seats, the third waits
        registrations.register(user, event)
    registrations.register(people[0], event)  # again: still one seat
    registrations.register(people[0], other)
    registrations.unregister(people[1], event)  # the waiting one moves up
    latecomer = make.user()
    registrations.register(latecomer, event)  # full again: waits
    privacy.erase_account(people[2])  # a deleted member's seat goes to the latecomer
    db.session.flush()
    db.session.expire_all()

    counted = dict(db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(Registration.status == RegistrationStatus.REGISTERED.value)
        .group_by(Registration.event_id)).all())
    kept = dict(db.session.execute(select(Event.id, Event.registered_total)).all())
    assert kept == counted == {event.id: 2, other.id: 1}
    after_both = dt.datetime(2027, 6, 1, tzinfo=UTC)
    assert attendance.stats(None, None, now=after_both)["registrations"] == 3
