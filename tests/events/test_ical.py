"""Feeds and downloads parsed by icalendar and expanded by recurring-ical-events."""

from __future__ import annotations

import datetime as dt

import recurring_ical_events
from icalendar import Calendar

from network.db import utcnow
from network.events import ical, services
from network.events.timeutil import STOCKHOLM, Rule

THIRD_WEDNESDAY_JAN_2027 = dt.datetime(2027, 1, 20, 10, 0)


def options(now=None, reveal=lambda e: False, whole_series=None, events=()):
    if whole_series is None:
        whole_series = {e.series_id for e in events if e.series_id}
    return ical.FeedOptions(
        name="Testkalender", host="natverket.example.se", now=now or utcnow(),
        event_url=lambda e: f"https://natverket.example.se/evenemang/{e.id}",
        series_url=lambda s: f"https://natverket.example.se/evenemang/serie/{s.id}",
        reveal=reveal,
        whole_series=whole_series,
    )


def feed(events, **kw):
    body = ical.build_calendar(events, options(events=events, **kw))
    return body, Calendar.from_ical(body)


def expand(cal, start=dt.date(2026, 1, 1), end=dt.date(2029, 1, 1)):
    return list(recurring_ical_events.of(cal).between(start, end))


def series_events(make_event, group, organiser, count=12):
    first = make_event(group, organiser, start=THIRD_WEDNESDAY_JAN_2027,
                       rule=Rule(freq="monthly_weekday", count=count))
    return first.series.occurrences


def test_monthly_series_keeps_local_time_across_both_dst_changes(make_event, group, organiser):
    occurrences = series_events(make_event, group, organiser)
    body, cal = feed(occurrences)
    masters = [c for c in cal.walk("VEVENT") if "RRULE" in c]
    assert len(masters) == 1
    assert masters[0]["RRULE"]["BYDAY"] == ["+3WE"] and masters[0]["RRULE"]["COUNT"] == [12]
    assert b"DTSTART;TZID=Europe/Stockholm:20270120T100000" in body
    expanded = expand(cal)
    starts = [e["DTSTART"].dt.astimezone(STOCKHOLM) for e in expanded]
    assert len(starts) == 12
    assert all((s.hour, s.minute, s.weekday()) == (10, 0, 2) for s in starts)
    assert all(15 <= s.day <= 21 for s in starts)  # the third Wednesday
    offsets = {s.month: s.utcoffset() for s in starts}
    assert offsets[3] == dt.timedelta(hours=1)  # 17 March 2027, before the spring change (28th)
    assert offsets[4] == dt.timedelta(hours=2)
    assert offsets[10] == dt.timedelta(hours=2)  # 20 October, before the autumn change (31st)
    assert offsets[11] == dt.timedelta(hours=1)
    # The materialised rows agree with the independent expansion.
    assert [o.start_at for o in occurrences] == [s.astimezone(dt.UTC) for s in starts]


def test_feed_has_timezone_names_and_refresh_hints(make_event, group, organiser):
    event = make_event(group, organiser)
    body, cal = feed([event])
    assert cal["X-WR-CALNAME"] == "Testkalender"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    tz = cal.walk("VTIMEZONE")
    assert len(tz) == 1 and tz[0]["TZID"] == "Europe/Stockholm"
    vevent = cal.walk("VEVENT")[0]
    assert vevent["UID"] == f"event-{event.id}@natverket.example.se"
    assert vevent["URL"] == f"https://natverket.example.se/evenemang/{event.id}"
    for prop in ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "STATUS"):
        assert prop in vevent
    assert vevent["DTSTART"].dt == dt.datetime(2027, 1, 20, 10, 0, tzinfo=STOCKHOLM)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Stockholm"


def test_uid_is_stable_between_generations(make_event, group, organiser):
    event = make_event(group, organiser)
    first = feed([event])[1].walk("VEVENT")[0]["UID"]
    second = feed([event], now=utcnow() + dt.timedelta(days=3))[1].walk("VEVENT")[0]["UID"]
    assert first == second


def test_moved_occurrence_appears_once_at_its_new_time(make_event, group, organiser, db):
    occurrences = series_events(make_event, group, organiser)
    moved = occurrences[3]  # 21 April 2027
    data = _data_of(moved, start=dt.datetime(2027, 4, 22, 13, 0), end=dt.datetime(2027, 4, 22, 15, 0))
    services.update_event(organiser, moved, data)
    _, cal = feed(occurrences)
    april = [e for e in expand(cal) if e["DTSTART"].dt.month == 4]
    assert len(april) == 1
    assert april[0]["DTSTART"].dt == dt.datetime(2027, 4, 22, 13, 0, tzinfo=STOCKHOLM)
    assert april[0]["SEQUENCE"] == 1
    assert len(expand(cal)) == 12


def test_cancelled_occurrence_disappears_and_is_marked_cancelled(make_event, group, organiser):
    occurrences = series_events(make_event, group, organiser)
    cancelled = occurrences[2]  # 17 March 2027
    services.cancel_event(organiser, cancelled)
    body, cal = feed(occurrences)
    starts = [e["DTSTART"].dt for e in expand(cal)]
    assert dt.datetime(2027, 3, 17, 10, 0, tzinfo=STOCKHOLM) not in starts
    assert len(starts) == 11
    assert b"EXDATE;TZID=Europe/Stockholm:20270317T100000" in body
    overrides = [c for c in cal.walk("VEVENT") if "RECURRENCE-ID" in c]
    assert len(overrides) == 1
    assert overrides[0]["STATUS"] == "CANCELLED"
    assert overrides[0]["RECURRENCE-ID"].dt == dt.datetime(2027, 3, 17, 10, 0, tzinfo=STOCKHOLM)
    # The other occurrences are untouched.
    assert all(not o.cancelled for o in occurrences if o is not cancelled)


def test_cancelled_override_leaves_after_30_days_but_exdate_stays(make_event, group, organiser):
    occurrences = series_events(make_event, group, organiser)
    services.cancel_event(organiser, occurrences[2])
    body, cal = feed(occurrences, now=utcnow() + dt.timedelta(days=31))
    assert not [c for c in cal.walk("VEVENT") if "RECURRENCE-ID" in c]
    assert b"EXDATE" in body
    assert len(expand(cal)) == 11


def test_cancelled_single_event_is_kept_30_days_then_dropped(make_event, group, organiser):
    event = make_event(group, organiser)
    services.cancel_event(organiser, event)
    vevent = feed([event])[1].walk("VEVENT")[0]
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == 1
    assert feed([event], now=utcnow() + dt.timedelta(days=31))[1].walk("VEVENT") == []


def test_all_day_events_are_dates(make_event, group, organiser):
    event = make_event(group, organiser, start=dt.datetime(2027, 5, 3), all_day=True, days=2)
    body, cal = feed([event])
    vevent = cal.walk("VEVENT")[0]
    assert b"DTSTART;VALUE=DATE:20270503" in body
    assert vevent["DTEND"].dt == dt.date(2027, 5, 5)  # exclusive end
    assert len(expand(cal)) == 1


def test_location_only_for_revealed_events(make_event, group, organiser):
    event = make_event(group, organiser, place="Stadshuset, Sal 3", online_url="https://meet.example/abc")
    hidden = feed([event])[1].walk("VEVENT")[0]
    assert "LOCATION" not in hidden and "meet.example" not in str(hidden["DESCRIPTION"])
    shown = feed([event], reveal=lambda e: True)[1].walk("VEVENT")[0]
    assert shown["LOCATION"] == "Stadshuset, Sal 3"
    assert "https://meet.example/abc" in str(shown["DESCRIPTION"])


def test_series_not_whole_is_written_as_single_occurrences(make_event, group, organiser):
    occurrences = series_events(make_event, group, organiser, count=3)
    _, cal = feed(occurrences[:1], whole_series=set())
    vevents = cal.walk("VEVENT")
    assert len(vevents) == 1 and "RRULE" not in vevents[0]
    assert vevents[0]["UID"] == f"event-{occurrences[0].id}@natverket.example.se"


def test_weekly_series_with_until_date(make_event, group, organiser):
    first = make_event(group, organiser, start=dt.datetime(2027, 3, 1, 9, 0),
                       rule=Rule(freq="weekly", until=dt.date(2027, 4, 30)))
    body, cal = feed(first.series.occurrences)
    starts = [e["DTSTART"].dt.astimezone(STOCKHOLM) for e in expand(cal)]
    assert len(starts) == len(first.series.occurrences) == 9
    assert {(s.hour, s.weekday()) for s in starts} == {(9, 0)}
    assert b"UNTIL=20270430T215959Z" in body


def test_agenda_is_in_the_description(make_event, group, organiser):
    event = make_event(group, organiser, agenda=[services.AgendaLine("09:30", "Lägesbild", "Anna")])
    description = str(feed([event])[1].walk("VEVENT")[0]["DESCRIPTION"])
    assert "09:30 Lägesbild (Anna)" in description


def _data_of(event, **changes):
    from network.events.timeutil import to_local

    values = dict(type=event.type, group=event.group, title=event.title,
                  start=to_local(event.start_at), end=to_local(event.end_at), all_day=event.all_day,
                  description=event.description, place=event.place, online_url=event.online_url,
                  visibility=event.visibility, capacity=event.capacity)
    values.update(changes)
    return services.EventData(**values)


def test_long_swedish_lines_fold_at_75_octets_without_breaking_characters(make_event, group, organiser):
    text = "Trygghetsvandring i Östra Örby med återkoppling på åtgärder. " * 12
    event = make_event(group, organiser, description=text)
    body, cal = feed([event])
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    body.decode("utf-8")  # every physical line boundary falls between characters
    assert str(cal.walk("VEVENT")[0]["DESCRIPTION"]).startswith(text.strip())


def test_a_thousand_event_feed_parses(make_event, group, organiser):
    from types import SimpleNamespace

    now = utcnow()
    base = dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC)
    events = [SimpleNamespace(
        id=i, title=f"Träff {i}", description="Lägesbild och åtgärder", agenda=[], type="workshop",
        start_at=base + dt.timedelta(hours=9 * i), end_at=base + dt.timedelta(hours=9 * i + 2),
        all_day=False, cancelled=False, cancelled_at=None, series_id=None, series=None, sequence=0,
        updated_at=now, created_at=now, place="", online_url="") for i in range(1, 1001)]
    _, cal = feed(events)
    assert len(cal.walk("VEVENT")) == 1000
    assert len(expand(cal, dt.date(2027, 1, 1), dt.date(2029, 1, 1))) == 1000
