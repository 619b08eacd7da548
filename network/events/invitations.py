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
from flask_babel import force_locale
from sqlalchemy import select

from network.accounts.models import User
from network.db import utcnow
from network.events import ical
from network.events.common import event_path, feed_host, render_email, series_path, when_text
from network.events.models import (
    Event,
    EventSeries,
    Invitation,
    InvitationOptOut,
    Registration,
    RegistrationStatus,
)
from network.events.permissions import can_view_event
from network.events.queries import place_is_public
from network.extensions import db
from network.i18n import get_locale
from network.i18n import gettext as _
from network.notifications.inbound import replies_enabled
from network.outbox import queue_email

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


def export_for(user: User) -> dict:
    """Personal data: the invitations sent (what, when, their SEQUENCE) and the preference."""
    rows = db.session.scalars(
        select(Invitation).where(Invitation.user_id == user.id).order_by(Invitation.sent_at)
    ).all()
    return {
        "calendar_invitations": [
            {"event_id": row.event_id, "series_id": row.series_id, "method": row.method,
             "sequence": row.sequence, "sent_at": row.sent_at} for row in rows
        ],
        "calendar_invitations_wanted": wants_invitations(user),
    }


def erase_for(user: User) -> None:
    db.session.execute(Invitation.__table__.delete().where(Invitation.user_id == user.id))
    db.session.execute(InvitationOptOut.__table__.delete().where(InvitationOptOut.user_id == user.id))


# -- sending -----------------------------------------------------------------------------------


def organizer_address() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1].lower()


def _options() -> ical.FeedOptions:
    base = current_app.config["PUBLIC_BASE_URL"]
    return ical.FeedOptions(
        name="", host=feed_host(), now=utcnow(), reveal=lambda e: True, place_public=place_is_public,
        event_url=lambda e: base + event_path(e), series_url=lambda s: base + series_path(s),
    )


def _organiser(event: Event) -> ical.Party:
    name = event.created_by.name if event.created_by else current_app.config["NETWORK_NAME"]
    return ical.Party(name, organizer_address())


def _record(row: Invitation | None, user: User, sequence: int, method: str, **target: int) -> Invitation:
    if row is None:
        row = Invitation(user_id=user.id, **target)
        db.session.add(row)
    row.sequence, row.method, row.sent_at = sequence, method, utcnow()
    return row


def _queue(user: User, event: Event, kind: str, method: str, data: bytes, dates: list | None = None) -> None:
    """The email around the calendar part, in the recipient's language."""
    with force_locale(user.locale or "sv"):
        subject = {
            "invitation": _("Inbjudan: %(title)s", title=event.title),
            "update": _("Ändrat: %(title)s", title=event.title),
            "cancelled": _("Inställt: %(title)s", title=event.title),
            "unregistered": _("Avanmäld: %(title)s", title=event.title),
            "merged": _("Samlat i serien: %(title)s", title=event.title),
        }[kind]
        context = {
            "kind": kind, "event": event, "user": user, "when": when_text(event),
            "dates": [when_text(e) for e in dates or []],
            "url": current_app.config["PUBLIC_BASE_URL"] + event_path(event),
            "replies": replies_enabled(), "network": current_app.config["NETWORK_NAME"],
            "lang": str(get_locale() or "sv"),
        }
        text = render_email("email/event_invitation.txt", context)
        html = render_email("email/event_invitation.html", context)
    queue_email(user.email, subject, text, body_html=html, calendar=(method, data))


def _send(event: Event, user: User, row: Invitation | None, method: str, kind: str) -> Invitation:
    """One occurrence's invitation; remembers its SEQUENCE, so the next one is always higher."""
    sequence = event.sequence if row is None else max(row.sequence + 1, event.sequence)
    data = ical.invitation(event, _options(), method=method, sequence=sequence, rsvp=replies_enabled(),
                           organizer=_organiser(event), attendee=ical.Party(user.name, user.email))
    _queue(user, event, kind, method, data)
    return _record(row, user, sequence, method, event_id=event.id)


def _invitation(event: Event, user: User) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.user_id == user.id)
    )


def invite(registration: Registration) -> bool:
    """The REQUEST for a new seat; False when the person wants the PUBLISH file instead. Inside
    a series they hold as one meeting, the series is sent again with the seat put back."""
    user, event = registration.user, registration.event
    if registration.status != RegistrationStatus.REGISTERED or not user.email:
        return False
    if not wants_invitations(user):
        return False
    covering = _covering(event, user)
    if covering is not None:
        _send_series(event.series, user, covering, REQUEST, "update")
    else:
        _send(event, user, _invitation(event, user), REQUEST, "invitation")
    db.session.flush()
    return True


def withdraw(event: Event, user: User, *, tell: bool = True) -> None:
    """After unregistering: a CANCEL if a meeting stands in their calendar. ``tell=False`` when
    they declined in their calendar (it is gone there already): only the record changes."""
    covering = _covering(event, user)
    if covering is not None:
        if tell and user.email:
            _send_instance(event, user, covering, CANCEL, "unregistered")
            db.session.flush()
        return
    row = _invitation(event, user)
    if row is None or row.method != REQUEST:
        return
    if tell and user.email:
        _send(event, user, row, CANCEL, "unregistered")
    else:
        row.method = CANCEL
    db.session.flush()


def fan_out(event: Event, registrations: list[Registration], what: str, *,
            series_wide: bool = False) -> set[int]:
    """After a change (``what`` = "changed") or a cancellation ("cancelled"): an update or a
    CANCEL to every registered person who takes invitations; for people who hold the series as
    one meeting, of this occurrence only (RECURRENCE-ID), or nothing when ``series_wide`` (the
    caller sends them the whole series). Returns the ids of the people who are mailed."""
    seated = [r for r in registrations if r.status == RegistrationStatus.REGISTERED and r.user.email]
    opted_out = _opted_out([r.user_id for r in seated])
    existing = {row.user_id: row for row in db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id)
    )}
    covering = {} if event.series_id is None else {row.user_id: row for row in db.session.scalars(
        select(Invitation).where(Invitation.series_id == event.series_id, Invitation.method == REQUEST)
    )}
    mailed: set[int] = set()
    for registration in seated:
        user, row = registration.user, existing.get(registration.user_id)
        if user.id in opted_out or not can_view_event(user, event):
            continue
        series_row = covering.get(user.id)
        if series_row is not None:
            if not series_wide:
                _send_instance(event, user, series_row, CANCEL if what == "cancelled" else REQUEST,
                               "cancelled" if what == "cancelled" else "update")
            mailed.add(user.id)
            continue
        if what == "cancelled":
            if row is None or row.method != REQUEST:
                continue
            _send(event, user, row, CANCEL, "cancelled")
        else:
            _send(event, user, row, REQUEST, "update")
        mailed.add(user.id)
    db.session.flush()
    return mailed


# -- a whole series as one recurring meeting ---------------------------------------------------


def _series_invitation(series_id: int, user: User) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(Invitation.series_id == series_id, Invitation.user_id == user.id)
    )


def _covering(event: Event, user: User) -> Invitation | None:
    """The series invitation standing in the person's calendar that holds this occurrence."""
    if event.series_id is None:
        return None
    row = _series_invitation(event.series_id, user)
    return row if row is not None and row.method == REQUEST else None


def holds_series(user: User, series: EventSeries) -> bool:
    row = _series_invitation(series.id, user)
    return row is not None and row.method == REQUEST


def live_series_ids(user: User) -> set[int]:
    """Series the person holds as one meeting (their personal feed writes them the same way)."""
    return set(db.session.scalars(
        select(Invitation.series_id).where(Invitation.user_id == user.id, Invitation.series_id.is_not(None),
                                           Invitation.method == REQUEST)
    ))


def _seats(series: EventSeries, user: User) -> set[int]:
    ids = [o.id for o in series.occurrences]
    return set(db.session.scalars(
        select(Registration.event_id).where(Registration.event_id.in_(ids or [-1]),
                                            Registration.user_id == user.id,
                                            Registration.status == RegistrationStatus.REGISTERED)
    ))


def _send_series(series: EventSeries, user: User, row: Invitation | None, method: str,
                 kind: str) -> Invitation:
    """The series with RRULE; occurrences without a seat for this person are EXDATEs."""
    occurrences = list(series.occurrences)
    seats = _seats(series, user)
    options = _options()
    options.detached = {o.id for o in occurrences if o.id not in seats}
    sequence = series.sequence if row is None else max(row.sequence + 1, series.sequence)
    data = ical.series_invitation(series, occurrences, options, method=method, sequence=sequence,
                                  rsvp=replies_enabled(), organizer=_organiser(occurrences[0]),
                                  attendee=ical.Party(user.name, user.email))
    shown = [o for o in occurrences if o.id in seats and not o.cancelled]
    _queue(user, shown[0] if shown else occurrences[0], kind, method, data, dates=shown)
    return _record(row, user, sequence, method, series_id=series.id)


def _send_instance(event: Event, user: User, row: Invitation, method: str, kind: str) -> Invitation:
    """One occurrence of a series invitation: its RECURRENCE-ID, under the series' SEQUENCE."""
    sequence = max(row.sequence + 1, event.sequence)
    data = ical.invitation(event, _options(), method=method, sequence=sequence, rsvp=replies_enabled(),
                           organizer=_organiser(event), attendee=ical.Party(user.name, user.email),
                           instance_of_series=True)
    _queue(user, event, kind, method, data)
    # The series stays in the calendar: only its SEQUENCE moves on.
    row.sequence, row.sent_at = sequence, utcnow()
    return row


def invite_series(user: User, series: EventSeries) -> bool:
    """One invitation for every seat the person took in the series (after ``register_series``);
    False when they want calendar files instead, or have no seat (waitlisted everywhere)."""
    if not user.email or not wants_invitations(user) or not _seats(series, user):
        return False
    _send_series(series, user, _series_invitation(series.id, user), REQUEST, "invitation")
    # Occurrences invited one by one before now live in the series: their own entries go.
    singles = db.session.scalars(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.method == REQUEST,
                                 Invitation.event_id.in_([o.id for o in series.occurrences]))
    ).all()
    by_id = {o.id: o for o in series.occurrences}
    for row in singles:
        _send(by_id[row.event_id], user, row, CANCEL, "merged")
    db.session.flush()
    return True


def withdraw_series(user: User, series: EventSeries, *, tell: bool = True) -> None:
    """After leaving every occurrence: one CANCEL of the whole recurring meeting."""
    row = _series_invitation(series.id, user)
    if row is None or row.method != REQUEST:
        return
    if tell and user.email:
        _send_series(series, user, row, CANCEL, "unregistered")
    else:
        row.method = CANCEL
    db.session.flush()


def _series_holders(series: EventSeries) -> list[tuple[Invitation, User]]:
    return list(db.session.execute(
        select(Invitation, User).join(User, User.id == Invitation.user_id)
        .where(Invitation.series_id == series.id, Invitation.method == REQUEST)
    ).tuples())


def series_changed(series: EventSeries) -> int:
    """After a change to the whole series: the recurring meeting again, with a higher SEQUENCE."""
    sent = 0
    for row, user in _series_holders(series):
        if user.email and _seats(series, user):
            _send_series(series, user, row, REQUEST, "update")
            sent += 1
    db.session.flush()
    return sent


def series_cancelled(series: EventSeries) -> int:
    """After the whole series was cancelled: one CANCEL of the recurring meeting each."""
    sent = 0
    for row, user in _series_holders(series):
        if user.email:
            _send_series(series, user, row, CANCEL, "cancelled")
            sent += 1
        else:
            row.method = CANCEL
    db.session.flush()
    return sent
