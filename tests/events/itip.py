"""Reading invitations back as a calendar program would (two independent parsers, RFC 5546
checks), and writing replies as one would send them."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import vobject
from icalendar import Calendar, vCalAddress

# RFC 5546 §3.2.2 (REQUEST) and §3.2.5 (CANCEL): properties that must be present in the VEVENT.
REQUIRED = {
    "REQUEST": {"ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SEQUENCE", "SUMMARY", "UID"},
    "CANCEL": {"ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"},
}


def calendar_part(message: EmailMessage):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return parts[0] if parts else None


def read(data: bytes) -> dict:
    """Parse with icalendar and vobject, check the method's required properties in both, and
    return what they agree on (method, uid, sequence, status, start, attendee, organizer)."""
    cal = Calendar.from_ical(data)
    method = str(cal["METHOD"])
    vevent, *overrides = cal.walk("VEVENT")
    for component in (vevent, *overrides):
        missing = REQUIRED[method] - set(component.keys())
        assert not missing, f"{method} lacks {missing}"
        assert len({str(vevent["UID"]), str(component["UID"])}) == 1  # one meeting per message
    assert cal.walk("VTIMEZONE"), "the TZID used must be defined"
    other = vobject.readOne(data.decode("utf-8"))
    assert other.method.value == method
    vev = other.vevent_list[0]
    assert len(other.vevent_list) == 1 + len(overrides)
    for component in other.vevent_list:
        names = {child.name for child in component.getChildren()}
        assert not REQUIRED[method] - names, f"vobject: {method} lacks {REQUIRED[method] - names}"
    start = vevent.decoded("DTSTART")
    assert vev.dtstart.value == start
    assert vev.uid.value == str(vevent["UID"])
    assert int(vev.sequence.value) == int(vevent["SEQUENCE"])
    attendee = vevent["ATTENDEE"]
    assert vev.attendee.value.lower() == str(attendee).lower()
    return {
        "method": method, "uid": str(vevent["UID"]), "sequence": int(vevent["SEQUENCE"]),
        "status": str(vevent.get("STATUS", "")), "start": start,
        "attendee": str(attendee), "partstat": attendee.params.get("PARTSTAT"),
        "organizer": str(vevent["ORGANIZER"]), "organizer_cn": vevent["ORGANIZER"].params.get("CN"),
        "location": str(vevent.get("LOCATION", "")), "description": str(vevent.get("DESCRIPTION", "")),
        "vevent": vevent, "overrides": overrides, "calendar": cal, "vobject": other,
        "recurrence_id": vevent.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in vevent else None,
    }


def invitations_to(messages: list[EmailMessage], address: str) -> list[dict]:
    out = []
    for message in messages:
        part = calendar_part(message)
        if message["To"] == address and part is not None and part.get_param("method"):
            found = read(part.get_payload(decode=True))
            assert part.get_param("method") == found["method"]
            out.append(found)
    return out


def aware(local: dt.datetime) -> dt.datetime:
    from network.events.timeutil import STOCKHOLM

    return local.replace(tzinfo=STOCKHOLM)


def reply(invitation: bytes, *, sender: str, partstat="DECLINED", uid=None, organizer=None,
          attendee=None) -> bytes:
    """What Outlook or Thunderbird sends back: the REQUEST turned into a REPLY from the attendee."""
    cal = Calendar.from_ical(invitation)
    cal["METHOD"] = "REPLY"
    [vevent] = cal.walk("VEVENT")
    for name in ("DESCRIPTION", "LOCATION", "URL", "CATEGORIES"):
        vevent.pop(name, None)
    address = vCalAddress(f"mailto:{attendee or sender}")
    address.params["PARTSTAT"] = partstat
    vevent["ATTENDEE"] = address
    if uid is not None:
        vevent["UID"] = uid
    if organizer is not None:
        vevent["ORGANIZER"] = vCalAddress(f"mailto:{organizer}")
    return mail_with(sender, cal.to_ical())


def mail_with(sender: str, calendar: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = f"Rita <{sender}>"
    message["To"] = "natverket@example.se"
    message["Subject"] = "Tackat nej: Nätverksträff"
    message.set_content("Rita har tackat nej.")
    message.add_alternative(calendar.decode(), subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()


def inbound(runner, raw: bytes):
    return runner.invoke(args=["mail-inbound"], input=raw)
