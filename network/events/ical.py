"""iCalendar output: event objects in, ``text/calendar`` bytes out. No database, no request.

Choices, so subscriptions stay right in Outlook, Google and Apple Calendar:
- Stable UIDs: ``event-<id>@<host>`` for a single event, ``series-<id>@<host>`` for a series.
- A series is one master VEVENT with the RRULE (in Europe/Stockholm local time, so occurrences
  keep their wall-clock time across DST) plus RECURRENCE-ID overrides for occurrences that were
  moved or edited on their own.
- A cancelled occurrence is listed in the master's EXDATE (every client then drops it, Google
  included) and, for 30 days after the cancellation, also kept as a RECURRENCE-ID override with
  STATUS:CANCELLED so clients that show cancellations (Outlook, Apple) can say so.
- A cancelled single event or series stays as STATUS:CANCELLED for 30 days, then leaves the feed.
- SEQUENCE comes from the model, which raises it on each change of time, place or status.
- Place and meeting link only for the events ``reveal`` allows: registered participants and
  organisers; a public event's place (never its meeting link) is LOCATION for everyone.
- In a personal feed, occurrences the reader is registered or waitlisted for are written as
  single events (``event-<id>``, the UID of their email invitation) and left out of the series
  master with EXDATE, so nobody sees a meeting twice; waitlisted ones are STATUS:TENTATIVE with
  a note in SUMMARY.
- One VTIMEZONE in the compact yearly-rule form Outlook and Google write (valid for every year).
- Invitations by email (iTIP, RFC 5546) are written here too: ``invitation`` gives a REQUEST or
  CANCEL for one person and one occurrence with the feed's UID (or, for an occurrence of a
  series held as one meeting, the series' UID and its RECURRENCE-ID); ``series_invitation``
  the whole series as one recurring meeting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from icalendar import (
    Calendar,
    vCalAddress,
    vDatetime,
    vDDDTypes,
    vDuration,
    vInt,
    vRecur,
    vText,
    vUri,
)
from icalendar import Event as VEvent
from icalendar.prop import vCategory

from network.events.timeutil import STOCKHOLM

TZID = "Europe/Stockholm"
CANCELLED_KEPT = dt.timedelta(days=30)
REFRESH = dt.timedelta(hours=1)
PRODID = "-//Natverket for brottsforebyggande arbete//Evenemang//SV"


@dataclass
class FeedOptions:
    name: str
    host: str
    event_url: Callable[[Any], str]
    series_url: Callable[[Any], str]
    now: dt.datetime
    reveal: Callable[[Any], bool] = field(default=lambda event: False)
    # Series written as RRULE masters; other occurrences are written as single events.
    whole_series: set[int] = field(default_factory=set)
    # Occurrences written on their own even when their series is a master (the reader's
    # registrations), and those of them that are only a waitlist place.
    detached: set[int] = field(default_factory=set)
    tentative: set[int] = field(default_factory=set)
    tentative_note: str = "väntelista, ingen plats ännu"
    # Events whose place is public (LOCATION for everyone; the meeting link stays revealed-only).
    place_public: Callable[[Any], bool] = field(default=lambda event: False)

    @cached_property
    def stamp(self) -> vDatetime:
        return vDatetime(self.now.astimezone(dt.UTC))


# Europe/Stockholm since 1996 (EU rules): summer time from the last Sunday of March at 02:00
# local time, back on the last Sunday of October at 03:00 local time.
VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    f"TZID:{TZID}\r\n"
    "X-LIC-LOCATION:Europe/Stockholm\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
).encode()


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(STOCKHOLM)


def _tz_prop(value: dt.datetime | dt.date) -> vDDDTypes:
    """A DATE, or a Stockholm DATE-TIME written as naive wall-clock time with TZID.

    Giving icalendar the naive value and the TZID ourselves skips its per-value time-zone
    name lookup, which is most of the cost of a large feed.
    """
    if not isinstance(value, dt.datetime):
        return vDDDTypes(value)
    prop = vDDDTypes(_local(value).replace(tzinfo=None))
    prop.params["TZID"] = TZID
    return prop


def _set_times(component: VEvent, start: dt.datetime, end: dt.datetime, all_day: bool) -> None:
    if all_day:
        component["DTSTART"] = _tz_prop(_local(start).date())
        component["DTEND"] = _tz_prop(_local(end).date())
    else:
        component["DTSTART"] = _tz_prop(start)
        component["DTEND"] = _tz_prop(end)


def _description(event: Any, url: str, revealed: bool) -> str:
    parts = [event.description.strip()] if event.description else []
    agenda = [
        " ".join(p for p in (item.time, item.title, f"({item.speaker})" if item.speaker else "") if p)
        for item in event.agenda
    ]
    if agenda:
        parts.append("Program:\n" + "\n".join(agenda))
    if revealed and event.online_url:
        parts.append(f"Möteslänk: {event.online_url}")
    parts.append(url)
    return "\n\n".join(parts)


def _fill(component: VEvent, event: Any, url: str, options: FeedOptions, *,
          status_cancelled: bool, sequence: int, last_modified: dt.datetime) -> None:
    # Direct assignment of typed values: Component.add() would look each type up again.
    revealed = options.reveal(event)
    tentative = event.id in options.tentative and not status_cancelled
    summary = f"{event.title} ({options.tentative_note})" if tentative else event.title
    component["SUMMARY"] = vText(summary)
    component["DESCRIPTION"] = vText(_description(event, url, revealed))
    component["URL"] = vUri(url)
    component["DTSTAMP"] = options.stamp
    component["LAST-MODIFIED"] = vDatetime(last_modified.astimezone(dt.UTC))
    component["SEQUENCE"] = vInt(sequence)
    component["STATUS"] = vText("CANCELLED" if status_cancelled else
                                "TENTATIVE" if tentative else "CONFIRMED")
    component["CATEGORIES"] = vCategory([str(event.type)])
    if revealed:
        location = event.place.strip() or event.online_url
    else:
        location = event.place.strip() if options.place_public(event) else ""
    if location:
        component["LOCATION"] = vText(location)


def _kept(cancelled_at: dt.datetime | None, now: dt.datetime) -> bool:
    return cancelled_at is None or now - cancelled_at <= CANCELLED_KEPT


def single_vevent(event: Any, options: FeedOptions) -> VEvent | None:
    if event.cancelled and not _kept(event.cancelled_at, options.now):
        return None
    component = VEvent()
    component["UID"] = vText(f"event-{event.id}@{options.host}")
    _set_times(component, event.start_at, event.end_at, event.all_day)
    _fill(component, event, options.event_url(event), options, status_cancelled=event.cancelled,
          sequence=event.sequence, last_modified=event.updated_at)
    return component


def _recurrence_id(occurrence: Any, all_day: bool) -> dt.date | dt.datetime:
    original = occurrence.original_start_at
    return _local(original).date() if all_day else original


def series_vevents(series: Any, occurrences: list[Any], options: FeedOptions) -> list[VEvent]:
    """The master with RRULE/EXDATE plus its overrides."""
    if series.cancelled_at is not None and not _kept(series.cancelled_at, options.now):
        return []
    occurrences = sorted(occurrences, key=lambda o: o.original_start_at)
    template = next((o for o in occurrences if not o.is_exception and not o.cancelled),
                    occurrences[0])
    uid = f"series-{series.id}@{options.host}"
    start = series.dtstart_local.replace(tzinfo=STOCKHOLM)
    end = start + dt.timedelta(minutes=series.duration_minutes)
    master = VEvent()
    master["UID"] = vText(uid)
    _set_times(master, start, end, series.all_day)
    master.add("rrule", vRecur.from_ical(series.rrule))
    series_cancelled = series.cancelled_at is not None
    last_modified = max([series.updated_at, *(o.updated_at for o in occurrences)])
    _fill(master, template, options.series_url(series), options, status_cancelled=series_cancelled,
          sequence=series.sequence, last_modified=last_modified)
    components = [master]
    if series_cancelled:
        return components
    exdates = [_recurrence_id(o, series.all_day) for o in occurrences
               if o.cancelled or o.id in options.detached]
    if exdates:
        if series.all_day:
            master.add("exdate", exdates)
        else:
            master.add("exdate", [_local(d).replace(tzinfo=None) for d in exdates],
                       parameters={"TZID": TZID})
    template_revealed = options.reveal(template)
    for occurrence in occurrences:
        if occurrence.id in options.detached:
            continue  # written as a single event of its own
        if occurrence.cancelled:
            if not _kept(occurrence.cancelled_at, options.now):
                continue
        elif not occurrence.is_exception and options.reveal(occurrence) == template_revealed:
            continue
        override = VEvent()
        override["UID"] = vText(uid)
        override["RECURRENCE-ID"] = _tz_prop(_recurrence_id(occurrence, series.all_day))
        _set_times(override, occurrence.start_at, occurrence.end_at, occurrence.all_day)
        _fill(override, occurrence, options.event_url(occurrence), options,
              status_cancelled=occurrence.cancelled, sequence=occurrence.sequence,
              last_modified=occurrence.updated_at)
        components.append(override)
    return components


def _fold(line: str) -> bytes:
    """RFC 5545 §3.1: lines longer than 75 octets continue on lines starting with a space,
    never splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the character start
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74  # continuation lines begin with the folding space
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def _write(component: VEvent, out: list[bytes]) -> None:
    """Serialise one VEVENT. Values and parameters are encoded by icalendar; only the line
    writing is ours, because icalendar's general-purpose folding dominates the time of a
    thousand-event feed (see bench/ and the feed-speed test)."""
    out.append(b"BEGIN:VEVENT\r\n")
    for name, prop in component.items():
        value = prop.to_ical()
        value = value.decode("utf-8") if isinstance(value, bytes) else value
        params = prop.params.to_ical().decode("utf-8") if prop.params else ""
        out.append(_fold(f"{name};{params}:{value}" if params else f"{name}:{value}"))
    out.append(b"END:VEVENT\r\n")


def build_calendar(events: Iterable[Any], options: FeedOptions) -> bytes:
    """A whole VCALENDAR: a feed, or a single event's download when given one event."""
    events = list(events)
    out = [_head("PUBLISH", options.name)]
    by_series: dict[int, list[Any]] = {}
    for event in sorted(events, key=lambda e: (e.start_at, e.id)):
        if event.series_id is not None and event.series_id in options.whole_series:
            by_series.setdefault(event.series_id, []).append(event)
            if event.id not in options.detached:
                continue
        component = single_vevent(event, options)
        if component is not None:
            _write(component, out)
    for occurrences in by_series.values():
        for component in series_vevents(occurrences[0].series, occurrences, options):
            _write(component, out)
    out.append(END)
    return b"".join(out)


END = b"END:VCALENDAR\r\n"


def _head(method: str, name: str | None) -> bytes:
    """BEGIN:VCALENDAR up to and including the VTIMEZONE; a feed has a name and a refresh."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name is not None:
        cal.add("x-wr-calname", name)
        cal.add("name", name)
        cal.add("x-wr-timezone", TZID)
        # icalendar has no type for these; vDuration writes PT1H (a plain timedelta would not).
        cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    head = cal.to_ical()
    assert head.endswith(END)
    return head[: -len(END)] + VTIMEZONE


@dataclass
class Party:
    """Someone in an invitation: a display name and an email address."""

    name: str
    email: str

    def address(self, **params: str) -> vCalAddress:
        value = vCalAddress(f"mailto:{self.email}")
        if self.name:
            value.params["CN"] = self.name
        value.params.update(params)
        return value


def _address(component: VEvent, *, sequence: int, organizer: Party, attendee: Party, rsvp: bool) -> None:
    component["SEQUENCE"] = vInt(sequence)
    component["ORGANIZER"] = organizer.address()
    component["ATTENDEE"] = attendee.address(
        ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", CUTYPE="INDIVIDUAL",
        RSVP="TRUE" if rsvp else "FALSE",
    )
    component["TRANSP"] = vText("OPAQUE")


def _itip(method: str, components: list[VEvent]) -> bytes:
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    out = [_head(method, None)]
    for component in components:
        _write(component, out)
    out.append(END)
    return b"".join(out)


def invitation(event: Any, options: FeedOptions, *, method: str, organizer: Party,
               attendee: Party, sequence: int, rsvp: bool, instance_of_series: bool = False) -> bytes:
    """An iTIP message for one person and one occurrence (RFC 5546 §3.2.2 and §3.2.5).

    REQUEST: the meeting as the person may see it, with ORGANIZER, the person as an ATTENDEE who
    has accepted (they registered) and ``sequence``; CANCEL: the same UID with a higher
    ``sequence`` and STATUS:CANCELLED. The UID is the one the personal feed uses, or with
    ``instance_of_series`` the series' UID and the occurrence's RECURRENCE-ID (an update or
    cancellation of one occurrence of a series invitation, RFC 5546 §3.2.2.3 and §3.2.5).
    """
    component = VEvent()
    if instance_of_series:
        component["UID"] = vText(f"series-{event.series_id}@{options.host}")
        component["RECURRENCE-ID"] = _tz_prop(_recurrence_id(event, event.series.all_day))
    else:
        component["UID"] = vText(f"event-{event.id}@{options.host}")
    _set_times(component, event.start_at, event.end_at, event.all_day)
    _fill(component, event, options.event_url(event), options, status_cancelled=method == "CANCEL",
          sequence=sequence, last_modified=event.updated_at)
    _address(component, sequence=sequence, organizer=organizer, attendee=attendee, rsvp=rsvp)
    return _itip(method, [component])


def series_invitation(series: Any, occurrences: list[Any], options: FeedOptions, *, method: str,
                      organizer: Party, attendee: Party, sequence: int, rsvp: bool) -> bytes:
    """The whole series as one recurring meeting: the master with RRULE, EXDATE for cancelled
    occurrences and those in ``options.detached`` (the person has no seat there), and
    RECURRENCE-ID overrides for occurrences moved or changed on their own. A CANCEL of the whole
    series is the master alone with STATUS:CANCELLED."""
    components = series_vevents(series, occurrences, options)
    if method == "CANCEL":
        components = components[:1]
        components[0]["STATUS"] = vText("CANCELLED")
    for component in components:
        _address(component, sequence=sequence, organizer=organizer, attendee=attendee, rsvp=rsvp)
    return _itip(method, components)
