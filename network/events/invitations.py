"""Registrations as meetings in people's calendars: iTIP invitations by email (RFC 5546, 6047).

- Registering (or being promoted from the waitlist) sends a REQUEST with the person as an
  ATTENDEE who has accepted; a change of time, place or link sends a REQUEST with a higher
  SEQUENCE to everyone registered; a cancelled occurrence or series, or unregistering, sends a
  CANCEL. Waitlisted people get no invitation until they have a seat.
- The UID is ``event-<id>@<host>``, as in the personal feed; the SEQUENCE sent to each person
  is kept in ``Invitation`` and only ever rises, even across unregistering and registering again.
- People who turned invitations off get the plain confirmation with a PUBLISH file instead.
- Every message goes through the outbox, so a fan-out to hundreds commits with the change and
  is delivered in batches by ``flask send-mail``.
"""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from network.accounts.models import User
from network.db import utcnow
from network.events import ical
from network.events.common import event_path, feed_host, series_path, when_text
from network.events.models import Event, Invitation, InvitationOptOut, Registration, RegistrationStatus
from network.events.permissions import can_view_event
from network.events.queries import place_is_public
from network.extensions import db
from network.notifications.inbound import replies_enabled
from network.notifications.services import queue_email

REQUEST, CANCEL = "REQUEST", "CANCEL"


# -- preference --------------------------------------------------------------------------------


def wants_invitations(user: User) -> bool:
    return db.session.get(InvitationOptOut, user.id) is None


def set_invitations(user: User, wanted: bool) -> None:
    row = db.session.get(InvitationOptOut, user.id)
    if wanted and row is not None:
        db.session.delete(row)
    elif not wanted and row is None:
        db.session.add(InvitationOptOut(user_id=user.id))
    db.session.flush()


def _opted_out(user_ids: list[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(InvitationOptOut.user_id).where(InvitationOptOut.user_id.in_(user_ids))
    ))


# -- sending -----------------------------------------------------------------------------------


def organizer_address() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1].lower()


def _options() -> ical.FeedOptions:
    base = current_app.config["PUBLIC_BASE_URL"]
    return ical.FeedOptions(
        name="", host=feed_host(), now=utcnow(), reveal=lambda e: True, place_public=place_is_public,
        event_url=lambda e: base + event_path(e), series_url=lambda s: base + series_path(s),
    )


def _send(event: Event, user: User, row: Invitation | None, method: str, kind: str) -> Invitation:
    """Queue one message and remember its SEQUENCE; the next one is always higher."""
    sequence = event.sequence if row is None else max(row.sequence + 1, event.sequence)
    organiser = event.created_by.name if event.created_by else current_app.config["NETWORK_NAME"]
    data = ical.invitation(
        event, _options(), method=method, sequence=sequence, rsvp=replies_enabled(),
        organizer=ical.Party(organiser, organizer_address()), attendee=ical.Party(user.name, user.email),
    )
    with force_locale(user.locale or "sv"):
        subject = {
            "invitation": _("Inbjudan: %(title)s", title=event.title),
            "update": _("Ändrat: %(title)s", title=event.title),
            "cancelled": _("Inställt: %(title)s", title=event.title),
            "unregistered": _("Avanmäld: %(title)s", title=event.title),
        }[kind]
        context = {
            "kind": kind, "event": event, "user": user, "when": when_text(event),
            "url": current_app.config["PUBLIC_BASE_URL"] + event_path(event),
            "replies": replies_enabled(), "network": current_app.config["NETWORK_NAME"],
            "lang": str(get_locale() or "sv"),
        }
        text = _render("email/event_invitation.txt", context)
        html = _render("email/event_invitation.html", context)
    queue_email(user.email, subject, text, body_html=html, calendar=(method, data))
    if row is None:
        row = Invitation(event_id=event.id, user_id=user.id)
        db.session.add(row)
    row.sequence, row.method, row.sent_at = sequence, method, utcnow()
    return row


def _render(name: str, context: dict) -> str:
    """A mail template, without the page's context processors (there may be no request)."""
    return current_app.jinja_env.get_template(name).render(**context)


def _invitation(event: Event, user: User) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.user_id == user.id)
    )


def invite(registration: Registration) -> bool:
    """The REQUEST for a new seat; False when the person wants the PUBLISH file instead."""
    user, event = registration.user, registration.event
    if registration.status != RegistrationStatus.REGISTERED or not user.email:
        return False
    if not wants_invitations(user):
        return False
    _send(event, user, _invitation(event, user), REQUEST, "invitation")
    db.session.flush()
    return True


def withdraw(event: Event, user: User, *, tell: bool = True) -> None:
    """After unregistering: a CANCEL if a meeting stands in their calendar. ``tell=False`` when
    they declined in their calendar (it is gone there already): only the record changes."""
    row = _invitation(event, user)
    if row is None or row.method != REQUEST:
        return
    if tell and user.email:
        _send(event, user, row, CANCEL, "unregistered")
    else:
        row.method = CANCEL
    db.session.flush()


def fan_out(event: Event, registrations: list[Registration], what: str) -> int:
    """After a change (``what`` = "changed") or a cancellation ("cancelled"): an update or a
    CANCEL to every registered person who takes invitations. Returns how many were queued."""
    seated = [r for r in registrations if r.status == RegistrationStatus.REGISTERED and r.user.email]
    opted_out = _opted_out([r.user_id for r in seated])
    existing = {row.user_id: row for row in db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id)
    )}
    queued = 0
    for registration in seated:
        user, row = registration.user, existing.get(registration.user_id)
        if user.id in opted_out or not can_view_event(user, event):
            continue
        if what == "cancelled":
            if row is None or row.method != REQUEST:
                continue
            _send(event, user, row, CANCEL, "cancelled")
        else:
            _send(event, user, row, REQUEST, "update")
        queued += 1
    db.session.flush()
    return queued
