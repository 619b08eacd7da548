"""Calendar replies (iTIP METHOD:REPLY) mailed to the network's address.

A participant who declines the invitation in their calendar gives up their seat. Everything
else is ignored with a log line and changes nothing: an unreadable calendar part, another
method, a UID that is not one of our invitations, an ORGANIZER that is not us, a reply whose
attendee is not the sender or not registered, and a repeated decline (already unregistered).
"""

from __future__ import annotations

import logging
import re
from email.message import EmailMessage
from email.utils import parseaddr

from icalendar import Calendar
from sqlalchemy import func, select

from network.accounts.models import User
from network.events import registrations
from network.events.common import feed_host
from network.events.invitations import organizer_address
from network.events.models import Event
from network.extensions import db

log = logging.getLogger(__name__)

UID = re.compile(r"^event-(\d+)@(.+)$")


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


def _handle_reply(vevent, sender: str) -> int:
    uid = str(vevent.get("UID", ""))
    match = UID.match(uid)
    if match is None or match.group(2).lower() != feed_host().lower():
        log.warning("Calendar reply from %s ignored: unknown UID %r", sender, uid)
        return 0
    event = db.session.get(Event, int(match.group(1)))
    if event is None:
        log.warning("Calendar reply from %s ignored: no event for UID %r", sender, uid)
        return 0
    if _mailto(vevent.get("ORGANIZER")) != organizer_address():
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
    if user is None or registrations.registration_for(user, event) is None:
        log.warning("Calendar reply from %s for %s ignored: not registered", sender, uid)
        return 0
    registrations.unregister(user, event, declined_in_calendar=True)
    log.info("Calendar reply from %s for %s: declined, registration cancelled", sender, uid)
    return 1
