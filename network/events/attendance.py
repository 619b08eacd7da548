"""Attendance: who actually came to an occurrence, as opposed to who registered.

Organisers mark attendees on a checkbox list, or open a check-in code that participants type (or
follow as a link) during the meeting. An occurrence counts as *held* when it has ended and was
not cancelled; the figures the programme reports (``stats``, ``attended_by_municipality``) count
held occurrences only, registrations and attendance separately.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network import permissions
from network.accounts.models import Organisation, User
from network.db import UTCDateTime, utcnow
from network.events.models import Event, EventStatus, Registration, RegistrationStatus
from network.extensions import db
from network.i18n import gettext as _

# Check-in codes: no look-alike characters, long enough that guessing within the rate limit
# (see attendance_views) is hopeless: 31^8 ≈ 8.5e11.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# A code works from a little before the start until a little after the end.
CHECKIN_MARGIN = dt.timedelta(minutes=30)


class AttendanceError(ValueError):
    """A refusal with a message for the user; nothing has been changed."""


class Attendance(db.Model):
    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(8))  # "marked" by an organiser | "code" check-in
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CheckInCode(db.Model):
    """The code participants use to check in to one occurrence (one open code per occurrence)."""

    __tablename__ = "event_checkin_codes"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def is_held(event: Event, now: dt.datetime | None = None) -> bool:
    """Past (ended) and not cancelled."""
    return not event.cancelled and event.end_at <= _now(now)


def _held(now: dt.datetime):
    return [Event.status != EventStatus.CANCELLED.value, Event.cancelled_at.is_(None), Event.end_at <= now]


# -- reading -----------------------------------------------------------------------------------


def attendee_ids(event: Event) -> set[int]:
    return set(db.session.scalars(select(Attendance.user_id).where(Attendance.event_id == event.id)))


def attendance_list(event: Event) -> list[tuple[User, bool, str | None]]:
    """(person, registered, how they were recorded or None) for everyone registered or present."""
    present = dict(db.session.execute(
        select(Attendance.user_id, Attendance.method).where(Attendance.event_id == event.id)).all())
    registered = set(db.session.scalars(select(Registration.user_id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED.value)))
    ids = registered | set(present)
    people = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)) if ids else []
    return [(u, u.id in registered, present.get(u.id)) for u in people]


def open_code(event: Event) -> str | None:
    row = db.session.get(CheckInCode, event.id)
    return row.code if row else None


# -- acting ------------------------------------------------------------------------------------


def mark_attendance(actor: User, event: Event, user_ids: list[int], *,
                    now: dt.datetime | None = None) -> set[int]:
    """Set who attended: the ticked people are present, everyone else is not."""
    permissions.check_access("events.mark_attendance", actor, event)
    now = _now(now)
    if event.cancelled:
        raise AttendanceError(_("Träffen är inställd: ingen närvaro kan registreras."))
    if event.start_at > now:
        raise AttendanceError(_("Träffen har inte börjat än: närvaro registreras under eller efter träffen."))
    wanted = set(user_ids)
    known = {u.id for u, _registered, _how in attendance_list(event)}
    if wanted - known:
        raise AttendanceError(_("Bara anmälda deltagare kan markeras som närvarande."))
    present = attendee_ids(event)
    if present - wanted:
        db.session.execute(delete(Attendance).where(Attendance.event_id == event.id,
                                                    Attendance.user_id.in_(present - wanted)))
    for user_id in sorted(wanted - present):
        db.session.add(Attendance(event_id=event.id, user_id=user_id, method="marked",
                                  recorded_by_id=actor.id))
    db.session.flush()
    return wanted


def open_checkin(actor: User, event: Event, *, now: dt.datetime | None = None) -> str:
    """A new code for this occurrence (replacing any earlier one)."""
    permissions.check_access("events.open_checkin", actor, event)
    now = _now(now)
    if event.cancelled:
        raise AttendanceError(_("Träffen är inställd: incheckning kan inte öppnas."))
    if now > event.end_at + CHECKIN_MARGIN:
        raise AttendanceError(_("Träffen är slut: markera närvaron i listan i stället."))
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    row = db.session.get(CheckInCode, event.id)
    if row is None:
        row = CheckInCode(event_id=event.id)
        db.session.add(row)
    row.code, row.opened_by_id, row.created_at = code, actor.id, now
    db.session.flush()
    return code


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def check_in(user: User, event: Event, code: str, *, now: dt.datetime | None = None) -> Attendance:
    """The participant checks in with the code shown at the meeting."""
    permissions.check_access("events.check_in", user, event)
    now = _now(now)
    row = db.session.get(CheckInCode, event.id)
    if event.cancelled or row is None:
        raise AttendanceError(_("Incheckningen är inte öppen för den här träffen."))
    if not (event.start_at - CHECKIN_MARGIN <= now <= event.end_at + CHECKIN_MARGIN):
        raise AttendanceError(_("Incheckningen är bara öppen under träffen."))
    if not hmac.compare_digest(normalise_code(code).encode(), row.code.encode()):
        raise AttendanceError(_("Koden stämmer inte. Kontrollera koden som visas på träffen."))
    if db.session.scalar(select(Attendance.id).where(Attendance.event_id == event.id,
                                                     Attendance.user_id == user.id)) is not None:
        raise AttendanceError(_("Du är redan incheckad på den här träffen."))
    attendance = Attendance(event_id=event.id, user_id=user.id, method="code", recorded_by_id=user.id)
    db.session.add(attendance)
    db.session.flush()
    return attendance


# -- figures for the programme report ----------------------------------------------------------


def _period(since: dt.datetime | None, until: dt.datetime | None) -> list:
    where = []
    if since is not None:
        where.append(Event.start_at >= since)
    if until is not None:
        where.append(Event.start_at <= until)
    return where


def stats(since: dt.datetime | None = None, until: dt.datetime | None = None, *,
          now: dt.datetime | None = None) -> dict[str, int]:
    """Held meetings, registrations to them, and the people who came (by organisation type)."""
    where = _held(_now(now)) + _period(since, until)
    # The held meetings and their registrations in one read of the events: each keeps its seats
    # taken as a running total (``Event.registered_total``, kept by registrations.py).
    held, registrations = db.session.execute(
        select(func.count(Event.id), func.coalesce(func.sum(Event.registered_total), 0))
        .where(*where)).one()
    rows = db.session.execute(
        select(Organisation.type, func.count(Attendance.id))
        .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
        .join(User, User.id == Attendance.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*where).group_by(Organisation.type)).all()
    figures = {"meetings_held": held, "registrations": int(registrations),
               "attended": sum(count for _t, count in rows)}
    for org_type, count in sorted(rows, key=lambda row: str(row[0] or "")):
        figures[f"attended_{org_type or 'none'}"] = count
    return figures


def attended_by_municipality(since: dt.datetime | None = None, until: dt.datetime | None = None, *,
                             now: dt.datetime | None = None) -> dict[str | None, int]:
    """{municipality code of the attendee's organisation (None: none): attendances at held meetings}."""
    where = _held(_now(now)) + _period(since, until)
    rows = db.session.execute(
        select(Organisation.municipality_code, func.count(Attendance.id))
        .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
        .join(User, User.id == Attendance.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*where).group_by(Organisation.municipality_code)).all()
    return {code: count for code, count in rows}


def seed_attendance(ctx) -> None:
    """``seed-demo``: past meetings get attendance (most of those registered came)."""
    admin = ctx.users.get("admin") if ctx is not None else None
    if admin is None:
        return
    now = utcnow()
    past = db.session.scalars(select(Event).where(*_held(now)).order_by(Event.start_at))
    for event in past:
        if attendee_ids(event):
            continue
        people = [u.id for u, registered, _how in attendance_list(event) if registered]
        came = [uid for n, uid in enumerate(people) if n % 5 != 4]
        if came:
            mark_attendance(admin, event, came, now=now)
    db.session.flush()


def _can_manage(user, event: Event) -> bool:
    return permissions.can_manage_group(user, event.group)


def _can_check_in(user, event: Event) -> bool:
    return (permissions.is_member(user)
            and permissions.can_view_content(user, event.visibility, event.group_id))


permissions.register_auth({
    "events.mark_attendance": _can_manage,
    "events.open_checkin": _can_manage,
    "events.check_in": _can_check_in,
})
