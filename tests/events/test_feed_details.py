"""Calendar details that calendar programs get wrong otherwise: the time zone, waitlist places,
registered occurrences of a series written once, read back by icalendar and by vobject."""

from __future__ import annotations

import datetime as dt

import recurring_ical_events
import vobject
from icalendar import Calendar

from network.events import registrations, tokens
from network.events.timeutil import STOCKHOLM, Rule

SPRING = dt.datetime(2027, 3, 10, 18, 0)  # a Wednesday before summer time; 35 weeks reach November


def _feed(client, url: str) -> tuple[Calendar, object]:
    response = client.get(url)
    assert response.status_code == 200
    return Calendar.from_ical(response.data), vobject.readOne(response.data.decode("utf-8"))


def test_the_time_zone_is_written_once_in_the_yearly_rule_form(client, make, make_event, organiser, db):
    group = make.group(visibility="public", facilitators=[organiser])
    make_event(group, organiser, visibility="public", start=SPRING)
    db.session.commit()
    cal, _parsed = _feed(client, "/evenemang/kalender/offentlig.ics")
    [zone] = cal.walk("VTIMEZONE")
    daylight, standard = zone.walk("DAYLIGHT")[0], zone.walk("STANDARD")[0]
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert daylight.decoded("DTSTART").time() == dt.time(2, 0)
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert standard.decoded("DTSTART").time() == dt.time(3, 0)
    assert "RDATE" not in daylight and "RDATE" not in standard


def test_both_parsers_read_the_time_zone_as_stockholm_for_decades(client, make, make_event, organiser, db):
    group = make.group(visibility="public", facilitators=[organiser])
    make_event(group, organiser, visibility="public", start=SPRING)
    db.session.commit()
    cal, parsed = _feed(client, "/evenemang/kalender/offentlig.ics")
    ours = [cal.walk("VTIMEZONE")[0].to_tz(), parsed.vtimezone.gettzinfo()]
    for year in range(2025, 2045):
        for month in (3, 7, 11):
            instant = dt.datetime(year, month, 1, 12)
            expected = instant.replace(tzinfo=STOCKHOLM).utcoffset()
            assert [instant.replace(tzinfo=tz).utcoffset() for tz in ours] == [expected, expected], instant
        # The changes themselves: the hour after 02:00 local in March, after 03:00 in October.
        march_end = max(dt.date(year, 3, d) for d in range(25, 32) if dt.date(year, 3, d).weekday() == 6)
        october_end = max(dt.date(year, 10, d) for d in range(25, 32) if dt.date(year, 10, d).weekday() == 6)
        utc_change = {dt.datetime.combine(march_end, dt.time(1, 0), dt.UTC): dt.timedelta(hours=2),
                      dt.datetime.combine(october_end, dt.time(1, 0), dt.UTC): dt.timedelta(hours=1)}
        for change, after in utc_change.items():
            for tz in ours:
                assert (change - dt.timedelta(minutes=1)).astimezone(tz).utcoffset() != after
                assert (change + dt.timedelta(minutes=1)).astimezone(tz).utcoffset() == after


def test_a_weekly_series_across_march_and_october_keeps_its_wall_time_in_both_parsers(
        client, make, make_event, organiser, db):
    group = make.group(visibility="public", facilitators=[organiser])
    make_event(group, organiser, visibility="public", start=SPRING, rule=Rule("weekly", count=35))
    db.session.commit()
    cal, parsed = _feed(client, f"/evenemang/kalender/grupp/{group.id}.ics")
    first = recurring_ical_events.of(cal).between(dt.date(2027, 1, 1), dt.date(2028, 1, 1))
    second = list(parsed.vevent.getrruleset())
    for starts in ([e.decoded("DTSTART") for e in first], second):
        assert len(starts) == 35
        local = [s.astimezone(STOCKHOLM) for s in starts]
        assert {(t.hour, t.minute) for t in local} == {(18, 0)}
        assert {t.utcoffset() for t in local} == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
        assert local[-1].date() > dt.date(2027, 10, 31)


def test_personal_feed_tells_waitlisted_from_registered_and_shows_no_occurrence_twice(
        client, make, make_event, organiser, db):
    member = make.user(name="Medlem")
    group = make.group(facilitators=[organiser], members=[member])
    first = make_event(group, organiser, start=SPRING, rule=Rule("weekly", count=4), capacity=1)
    occurrences = first.series.occurrences
    registrations.register(member, occurrences[1])
    registrations.register(make.user(), occurrences[2])
    assert registrations.register(member, occurrences[2]).status == "waitlisted"
    token = tokens.regenerate_calendar_token(member)
    db.session.commit()
    cal, parsed = _feed(client, f"/evenemang/kalender/{token}/min.ics")
    singles = {str(c["UID"]): c for c in cal.walk("VEVENT") if "RRULE" not in c}
    registered, waitlisted = (singles[f"event-{o.id}@localhost"] for o in occurrences[1:3])
    assert str(registered["STATUS"]) == "CONFIRMED" and str(registered["SUMMARY"]) == first.title
    assert str(waitlisted["STATUS"]) == "TENTATIVE" and "väntelista" in str(waitlisted["SUMMARY"])
    by_vobject = {v.uid.value: v for v in parsed.vevent_list}
    assert by_vobject[f"event-{occurrences[2].id}@localhost"].status.value == "TENTATIVE"
    assert by_vobject[f"event-{occurrences[1].id}@localhost"].status.value == "CONFIRMED"
    # The master leaves those two dates to the single events: four meetings, each once.
    instances = recurring_ical_events.of(cal).between(dt.date(2027, 3, 1), dt.date(2027, 5, 1))
    assert sorted(e.decoded("DTSTART") for e in instances) == [o.start_at for o in occurrences]
    master = by_vobject[f"series-{first.series_id}@localhost"]
    vobject_starts = list(master.getrruleset()) + [
        by_vobject[f"event-{o.id}@localhost"].dtstart.value for o in occurrences[1:3]]
    assert sorted(vobject_starts) == [o.start_at for o in occurrences]
