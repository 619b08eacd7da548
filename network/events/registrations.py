"""Registration, the waitlist and the personal data registrations hold. Services flush; callers
commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from network import permissions
from network.accounts.models import User
from network.db import utcnow
from network.events import invitations
from network.events.common import EventError, event_path
from network.events.mailing import confirm_registration
from network.events.models import (
    Event,
    EventSeries,
    Registration,
    RegistrationStatus,
)
from network.events.permissions import can_view_event
from network.events.tokens import calendar_token, revoke_calendar_token
from network.extensions import db
from network.i18n import gettext as _
from network.i18n import lazy_gettext as _l
from network.notifications.services import notify
from network.permissions import check_access


def registration_for(user: Any, event: Event) -> Registration | None:
    if not permissions.is_member(user):
        return None
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


def is_registered(user: Any, event: Event) -> bool:
    """Has a seat (a waitlist place is not one)."""
    row = registration_for(user, event)
    return row is not None and row.status == RegistrationStatus.REGISTERED


def registered_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED)
    ) or 0


def registration_closed_reason(event: Event, now: dt.datetime | None = None):
    """Why registration is closed (a lazy, translatable message), or None."""
    now = now or utcnow()
    if event.cancelled:
        return _l("Evenemanget är inställt.")
    if event.start_at <= now:
        return _l("Evenemanget har redan börjat.")
    if event.registration_deadline is not None and now > event.registration_deadline:
        return _l("Sista anmälningsdag har passerat.")
    return None


def register(user: User, event: Event, needs: str = "", now: dt.datetime | None = None, *,
             confirm: bool = True) -> Registration:
    """Register, or join the waitlist when full. Registering twice keeps one registration.
    ``confirm=False``: the caller confirms (a series registration sends one invitation)."""
    check_access("events.register", user, event)
    reason = registration_closed_reason(event, now)
    if reason:
        raise EventError(reason)
    existing = registration_for(user, event)
    if existing is not None:
        existing.needs = needs.strip()
        db.session.flush()
        return existing
    full = event.capacity is not None and registered_count(event) >= event.capacity
    row = Registration(event_id=event.id, user_id=user.id, needs=needs.strip(),
                       status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # A double click raced us: the other request's row is the registration.
        existing = registration_for(user, event)
        if existing is None:
            raise
        return existing
    db.session.flush()
    if row.status == RegistrationStatus.REGISTERED:
        _count_seats(event.id, 1)
    if confirm:
        confirm_registration(row)
    return row


def _count_seats(event_id: int, step: int) -> None:
    """Keep ``Event.registered_total`` with the registrations, one atomic increment each (no
    read-modify-write, so parallel registrations all count); ``updated_at`` stays, it is no
    change to the event."""
    db.session.execute(
        update(Event).where(Event.id == event_id)
        .values(registered_total=Event.registered_total + step, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False, cache_scopes=("events",)))


def _seats_now():
    return (select(func.count(Registration.id))
            .where(Registration.event_id == Event.id,
                   Registration.status == RegistrationStatus.REGISTERED)
            .correlate(Event).scalar_subquery())


def seat_drift() -> int:
    """Events whose ``registered_total`` differs from counting their registrations."""
    return int(db.session.scalar(select(func.count()).select_from(Event)
                                 .where(Event.registered_total != _seats_now())) or 0)


def recount_seats() -> None:
    """Set every event's ``registered_total`` to what counting its registrations gives."""
    db.session.execute(update(Event).where(Event.registered_total != _seats_now())
                       .values(registered_total=_seats_now(), updated_at=Event.updated_at)
                       .execution_options(synchronize_session=False, cache_scopes=("events",)))


def open_occurrences(series: EventSeries, now: dt.datetime | None = None) -> list[Event]:
    """The occurrences of a series one can still register for."""
    return [o for o in series.occurrences if registration_closed_reason(o, now) is None]


def register_series(user: User, series: EventSeries, needs: str = "",
                    now: dt.datetime | None = None) -> list[Registration]:
    """A seat (or a waitlist place) at every occurrence still open, confirmed by one invitation
    holding the whole series as a recurring meeting (or, for people who turned invitations off,
    by the usual confirmation per occurrence)."""
    occurrences = open_occurrences(series, now)
    if not occurrences:
        raise EventError(_l("Det finns inga tillfällen att anmäla sig till."))
    rows = [register(user, occurrence, needs, now, confirm=False) for occurrence in occurrences]
    if not invitations.invite_series(user, series):
        for row in rows:
            confirm_registration(row)
    else:
        for row in rows:
            if row.status == RegistrationStatus.WAITLISTED:
                confirm_registration(row)  # the waitlist notice; the seat comes later
    return rows


def unregister_series(user: User, series: EventSeries, now: dt.datetime | None = None) -> int:
    """Leave every upcoming occurrence; a series invitation is cancelled as a whole."""
    now = now or utcnow()
    left = 0
    whole = invitations.holds_series(user, series)
    for occurrence in series.occurrences:
        if occurrence.start_at > now and registration_for(user, occurrence) is not None:
            unregister(user, occurrence, quietly=whole)
            left += 1
    invitations.withdraw_series(user, series)
    return left


def unregister(user: User, event: Event, *, declined_in_calendar: bool = False,
               quietly: bool = False) -> bool:
    """Give up a seat or a waitlist place. A calendar invitation is withdrawn with a CANCEL,
    unless the person declined it in their calendar (``declined_in_calendar``) or the caller
    withdraws a whole series invitation itself (``quietly``)."""
    row = registration_for(user, event)
    if row is None:
        return False
    was_registered = row.status == RegistrationStatus.REGISTERED
    db.session.delete(row)
    db.session.flush()
    if was_registered:
        _count_seats(event.id, -1)
    if not quietly:
        invitations.withdraw(event, user, tell=not declined_in_calendar)
    if was_registered:
        promote_waitlist(event)
        from network.accounts.signals import notify_access_reduced

        notify_access_reduced(user.id)  # e.g. the event's registered-only workshop room
    return True


def promote_waitlist(event: Event, now: dt.datetime | None = None) -> list[Registration]:
    """Move people from the waitlist into free seats, first come first served, and tell them."""
    if event.cancelled or event.start_at <= (now or utcnow()):
        return []
    free = None if event.capacity is None else event.capacity - registered_count(event)
    waiting = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
        .limit(free)
    ).all() if free is None or free > 0 else []
    promoted = []
    for row in waiting:
        if not can_view_event(row.user, event):
            continue
        row.status = RegistrationStatus.REGISTERED
        row.promoted_at = utcnow()
        promoted.append(row)
        with force_locale(row.user.locale or "sv"):
            notify(row.user, "event.promoted", _("Du har fått en plats: %(title)s", title=event.title),
                   url=event_path(event), subject_type="event", subject_id=event.id,
                   body=_("En plats blev ledig och du har flyttats från väntelistan."))
        confirm_registration(row)
    db.session.flush()
    if promoted:
        _count_seats(event.id, len(promoted))
    return promoted


def attendees(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.user).selectinload(User.organisation))
        .order_by(Registration.status, Registration.created_at, Registration.id)
    ))


def my_registered_event_ids(user: Any) -> set[int]:
    if not permissions.is_member(user):
        return set()
    return set(db.session.scalars(
        select(Registration.event_id).where(Registration.user_id == user.id,
                                            Registration.status == RegistrationStatus.REGISTERED)
    ))


def registered_event_ids_filter(user: Any, event_id_col: Any):
    """SQL: ``event_id_col`` is an event ``user`` holds a seat for (not a waitlist place)."""
    return event_id_col.in_(
        select(Registration.event_id).where(Registration.user_id == user.id,
                                            Registration.status == RegistrationStatus.REGISTERED))


def my_waitlisted_event_ids(user: Any) -> set[int]:
    if not permissions.is_member(user):
        return set()
    return set(db.session.scalars(
        select(Registration.event_id).where(Registration.user_id == user.id,
                                            Registration.status == RegistrationStatus.WAITLISTED)
    ))


def export_personal_data(user: User) -> dict:
    rows = db.session.execute(
        select(Registration, Event.title, Event.start_at).join(Event, Registration.event_id == Event.id)
        .where(Registration.user_id == user.id).order_by(Event.start_at)
    ).all()
    token = calendar_token(user)
    return {
        "registrations": [
            {"event": title, "starts": start, "status": str(row.status), "needs": row.needs,
             "registered_at": row.created_at, "reminded_at": row.reminder_sent_at}
            for row, title, start in rows
        ],
        # The token itself is never stored; only that a feed address exists.
        "calendar_feed_created_at": token.created_at if token else None,
    } | invitations.export_for(user)


def erase_personal_data(user: User) -> None:
    """Registrations, the feed address and the invitation records go with the account; freed
    seats go to the waitlist (erased people are not sent a cancellation: their address is gone)."""
    rows = db.session.scalars(select(Registration).where(Registration.user_id == user.id)).all()
    freed = [row.event for row in rows if row.status == RegistrationStatus.REGISTERED]
    for row in rows:
        db.session.delete(row)
    for event in freed:
        _count_seats(event.id, -1)
    revoke_calendar_token(user)
    invitations.erase_for(user)
    db.session.flush()
    for event in freed:
        promote_waitlist(event)
