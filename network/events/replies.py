"""Calendar replies (iTIP METHOD:REPLY) mailed to the network's address.

A participant who declines the invitation in their calendar gives up their seat. Everything
else is ignored with a log line and changes nothing: an unreadable calendar part, another
method, a UID that is not one of our invitations, an ORGANIZER that is not us, a reply whose
attendee is not the sender or not registered, and a repeated decline (already unregistered).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from email.message import EmailMessage
from email.utils import parseaddr

from icalendar import Calendar
from sqlalchemy import func, select

from network.accounts.models import User
from network.db import utcnow
from network.events import invitations, registrations
from network.events.common import feed_host
from network.events.models import Event, EventSeries
from network.events.timeutil import to_local
from network.extensions import db

log = logging.getLogger(__name__)

UID = re.compile(r"^(event|series)-(\d+)@(.+)$")


def _mailto(value) -> str:
    text = str(value or "").strip()
    return (text[7:] if text.lower().startswith("mailto:") else text).strip().lower()


def handle_message(message: EmailMessage) -> int:
    """The ``flask mail-inbound`` handler: how many registrations the message cancelled."""
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    changed = 0
    for part in message.walk():
        if part.get_content_type() != "text/calendar":
            continue
        try:
            calendar = Calendar.from_ical(part.get_payload(decode=True) or b"")
        except Exception as exc:  # noqa: BLE001 - any parse failure is bad input
            log.warning("Calendar reply from %s ignored: unreadable calendar part (%s)", sender, exc)
            continue
        method = str(calendar.get("METHOD", "")).upper()
        if method != "REPLY":
            log.info("Calendar mail from %s ignored: method %r is not REPLY", sender, method)
            continue
        for vevent in calendar.walk("VEVENT"):
            changed += _handle_reply(vevent, sender)
    return changed


def _targets(vevent) -> tuple[list[Event], EventSeries | None]:
    """The occurrences a reply is about: one event, one occurrence of a series invitation
    (RECURRENCE-ID), or every occurrence of a whole series invitation."""
    match = UID.match(str(vevent.get("UID", "")))
    if match is None or match.group(3).lower() != feed_host().lower():
        return [], None
    kind, number = match.group(1), int(match.group(2))
    if kind == "event":
        event = db.session.get(Event, number)
        return ([event] if event is not None else []), None
    series = db.session.get(EventSeries, number)
    if series is None:
        return [], None
    if "RECURRENCE-ID" in vevent:
        original = vevent.decoded("RECURRENCE-ID")
        if isinstance(original, dt.datetime):
            original = original.astimezone(dt.UTC) if original.tzinfo else original.replace(tzinfo=dt.UTC)
            return [o for o in series.occurrences if o.original_start_at == original], series
        return [o for o in series.occurrences if to_local(o.original_start_at).date() == original], series
    return list(series.occurrences), series


def _handle_reply(vevent, sender: str) -> int:
    uid = str(vevent.get("UID", ""))
    if UID.match(uid) is None:
        log.warning("Calendar reply from %s ignored: unknown UID %r", sender, uid)
        return 0
    try:
        events, series = _targets(vevent)
    except (ValueError, TypeError) as exc:
        log.warning("Calendar reply from %s ignored: unreadable RECURRENCE-ID (%s)", sender, exc)
        return 0
    if not events:
        log.warning("Calendar reply from %s ignored: no event for UID %r (or unknown UID)", sender, uid)
        return 0
    if _mailto(vevent.get("ORGANIZER")) != invitations.organizer_address():
        log.warning("Calendar reply from %s for %s ignored: ORGANIZER %r is not ours", sender, uid,
                    str(vevent.get("ORGANIZER", "")))
        return 0
    attendees = vevent.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
    if len(attendees) != 1 or not sender or _mailto(attendees[0]) != sender:
        log.warning("Calendar reply from %s for %s ignored: the attendee is not the sender", sender, uid)
        return 0
    partstat = str(attendees[0].params.get("PARTSTAT", "")).upper()
    if partstat != "DECLINED":
        log.info("Calendar reply from %s for %s: %s, nothing to do", sender, uid, partstat or "no PARTSTAT")
        return 0
    user = db.session.scalar(select(User).where(func.lower(User.email) == sender))
    now = utcnow()
    mine = [] if user is None else [
        e for e in events if e.end_at > now and registrations.registration_for(user, e) is not None]
    if not mine:
        log.warning("Calendar reply from %s for %s ignored: not registered", sender, uid)
        return 0
    whole_series = series is not None and "RECURRENCE-ID" not in vevent
    for event in mine:
        registrations.unregister(user, event, declined_in_calendar=True, quietly=whole_series)
    if whole_series:
        invitations.withdraw_series(user, series, tell=False)
    log.info("Calendar reply from %s for %s: declined, %s registrations cancelled", sender, uid, len(mine))
    return len(mine)
