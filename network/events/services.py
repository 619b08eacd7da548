"""Events: the only code that creates, changes, cancels and registers. Services flush; callers commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from network import fulltext, permissions
from network.accounts.models import Group, Organisation, User
from network.accounts.services import audit
from network.accounts.tokens import hash_token, new_token, token_matches
from network.db import utcnow
from network.events import ical
from network.events.models import (
    AgendaItem,
    CalendarToken,
    Event,
    EventSeries,
    EventStatus,
    EventType,
    Registration,
    RegistrationStatus,
)
from network.events.permissions import can_manage_event, can_register, can_view_event
from network.events.timeutil import Rule, expand, local_date_to_utc, to_local, to_utc
from network.extensions import db
from network.markdown import render_markdown
from network.notifications.services import notify, queue_email

URL_PREFIX = "/evenemang"
NEEDS_KEPT = dt.timedelta(days=30)
FEED_PAST = dt.timedelta(days=180)


class EventError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


@dataclass
class AgendaLine:
    time: str
    title: str
    speaker: str = ""


@dataclass
class EventData:
    """Clean form data. Times are naive Stockholm wall-clock; all-day events use whole days."""

    type: EventType
    group: Group
    title: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool = False
    description: str = ""
    place: str = ""
    online_url: str = ""
    visibility: str = permissions.Visibility.MEMBERS.value
    capacity: int | None = None
    deadline: dt.datetime | None = None
    agenda: list[AgendaLine] = field(default_factory=list)


def event_path(event: Event) -> str:
    return f"{URL_PREFIX}/{event.id}"


def series_path(series: EventSeries) -> str:
    return f"{URL_PREFIX}/serie/{series.id}"


def _utc_range(data: EventData) -> tuple[dt.datetime, dt.datetime]:
    """Validated UTC start/end; the form has already refused gaps, overlaps and end ≤ start."""
    if data.all_day:
        start = local_date_to_utc(data.start.date())
        end = local_date_to_utc(data.end.date() + dt.timedelta(days=1))
    else:
        start, end = to_utc(data.start), to_utc(data.end)
    if end <= start:
        raise EventError(_l("Slutet måste komma efter början."))
    if data.capacity is not None and data.capacity < 0:
        raise EventError(_l("Antalet platser kan inte vara negativt."))
    return start, end


def _apply_content(event: Event, data: EventData) -> None:
    event.type = data.type
    event.title = data.title.strip()
    event.description = data.description
    event.description_html = render_markdown(data.description)
    event.place = data.place.strip()
    event.online_url = data.online_url.strip()
    event.visibility = str(data.visibility)
    event.capacity = data.capacity
    event.agenda = [
        AgendaItem(position=i, time=line.time, title=line.title, speaker=line.speaker)
        for i, line in enumerate(data.agenda)
    ]


def _deadline_utc(data: EventData) -> dt.datetime | None:
    return to_utc(data.deadline) if data.deadline else None


def _index(event: Event) -> None:
    """One search entry per single event, and one per series (its first occurrence)."""
    if event.series_id is not None and event.series.occurrences and event.series.occurrences[0] is not event:
        return
    fulltext.index_entry(
        "event", event.id, title=event.title, body=event.description, url=event_path(event),
        visibility=event.visibility, group_id=event.group_id, created_at=event.start_at,
    )


def create_event(actor: User, data: EventData, rule: Rule | None = None) -> Event:
    """A single event, or a series materialised as occurrences. Returns the first event."""
    start, end = _utc_range(data)
    deadline = _deadline_utc(data)
    if rule is None:
        event = Event(group=data.group, created_by=actor, start_at=start, end_at=end,
                      all_day=data.all_day, registration_deadline=deadline)
        _apply_content(event, data)
        db.session.add(event)
        db.session.flush()
        _index(event)
        audit(actor, "events.event.create", event, title=event.title)
        return event
    local_start = to_local(start)
    duration = end - start
    starts = expand(rule, local_start)
    series = EventSeries(group=data.group, rrule=rule.to_rrule(local_start), dtstart_local=local_start,
                         duration_minutes=int(duration.total_seconds() // 60), all_day=data.all_day)
    db.session.add(series)
    lead = (start - deadline) if deadline else None
    first = None
    for local in starts:
        occ_start = local_date_to_utc(local.date()) if data.all_day else to_utc(local)
        occ_end = (local_date_to_utc(local.date() + (data.end.date() - data.start.date())
                                     + dt.timedelta(days=1)) if data.all_day
                   else to_utc(local + (data.end - data.start)))
        event = Event(group=data.group, created_by=actor, start_at=occ_start, end_at=occ_end,
                      all_day=data.all_day, series=series, original_start_at=occ_start,
                      registration_deadline=(occ_start - lead) if lead is not None else None)
        _apply_content(event, data)
        db.session.add(event)
        first = first or event
    db.session.flush()
    _index(first)
    audit(actor, "events.series.create", series, rule=series.rrule, occurrences=len(starts))
    return first


def update_event(actor: User, event: Event, data: EventData) -> Event:
    """Edit one event or one occurrence (which then becomes an exception of its series)."""
    if event.cancelled:
        raise EventError(_l("Ett inställt evenemang kan inte ändras."))
    start, end = _utc_range(data)
    moved = (start, end, data.all_day) != (event.start_at, event.end_at, event.all_day)
    relocated = (data.place.strip(), data.online_url.strip()) != (event.place, event.online_url)
    old_capacity = event.capacity
    if event.series_id is not None:
        # Group and visibility are the series'; an occurrence cannot leave it.
        data.group, data.visibility = event.group, event.visibility
        event.is_exception = True
        event.series.updated_at = utcnow()
    else:
        event.group = data.group
    event.start_at, event.end_at, event.all_day = start, end, data.all_day
    event.registration_deadline = _deadline_utc(data)
    _apply_content(event, data)
    if moved or relocated:
        event.sequence += 1
    db.session.flush()
    _index(event)
    fulltext.update_access("event", [event.id], visibility=event.visibility, group_id=event.group_id)
    audit(actor, "events.event.update", event, moved=moved, relocated=relocated)
    if moved or relocated:
        _tell_participants(event, "changed")
    if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
        promote_waitlist(event)
    return event


def cancel_event(actor: User, event: Event) -> None:
    if event.cancelled:
        return
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.sequence += 1
    if event.series is not None:
        # The master's EXDATE changes too.
        event.series.sequence += 1
        event.series.updated_at = utcnow()
    db.session.flush()
    audit(actor, "events.event.cancel", event)
    _tell_participants(event, "cancelled")


def cancel_series(actor: User, series: EventSeries) -> None:
    now = utcnow()
    series.cancelled_at = now
    series.sequence += 1
    for event in series.occurrences:
        if not event.cancelled and event.end_at > now:
            event.status, event.cancelled_at = EventStatus.CANCELLED, now
            event.sequence += 1
            _tell_participants(event, "cancelled")
    db.session.flush()
    audit(actor, "events.series.cancel", series)


# -- registration ------------------------------------------------------------------------------


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


def register(user: User, event: Event, needs: str = "", now: dt.datetime | None = None) -> Registration:
    """Register, or join the waitlist when full. Registering twice keeps one registration."""
    if not can_register(user, event):
        raise EventError(_l("Du kan inte anmäla dig till det här evenemanget."))
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
    _confirm(row)
    return row


def unregister(user: User, event: Event) -> bool:
    row = registration_for(user, event)
    if row is None:
        return False
    was_registered = row.status == RegistrationStatus.REGISTERED
    db.session.delete(row)
    db.session.flush()
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
        _confirm(row)
    db.session.flush()
    return promoted


def single_event_ics(event: Event, reveal: bool) -> bytes:
    base = current_app.config["PUBLIC_BASE_URL"]
    options = ical.FeedOptions(
        name=event.title, host=feed_host(), now=utcnow(), reveal=lambda e: reveal,
        event_url=lambda e: base + event_path(e), series_url=lambda s: base + series_path(s),
    )
    return ical.build_calendar([event], options)


def feed_host() -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def _when(event: Event) -> str:
    from flask_babel import format_date, format_datetime

    if event.all_day:
        return format_date(to_local(event.start_at).date(), "full")
    return format_datetime(event.start_at, "EEEE d MMMM y 'kl.' HH:mm")


def _confirm(row: Registration) -> None:
    user, event = row.user, row.event
    if not user.email:
        return
    base = current_app.config["PUBLIC_BASE_URL"]
    with force_locale(user.locale or "sv"):
        if row.status == RegistrationStatus.REGISTERED:
            subject = _("Anmälan bekräftad: %(title)s", title=event.title)
            lines = [_("Du är anmäld till %(title)s, %(when)s.", title=event.title, when=_when(event))]
            if event.place:
                lines.append(_("Plats: %(place)s", place=event.place))
            if event.online_url:
                lines.append(_("Möteslänk: %(url)s", url=event.online_url))
            lines.append(_("Kalenderfilen är bifogad."))
            attachments = [("evenemang.ics", "text/calendar", single_event_ics(event, True))]
        else:
            subject = _("Du står på väntelistan: %(title)s", title=event.title)
            lines = [_("Evenemanget är fullt. Du får ett meddelande om en plats blir ledig.")]
            attachments = []
        lines.append(base + event_path(event))
        queue_email(user.email, subject, "\n\n".join(lines) + "\n", attachments=attachments)


def _tell_participants(event: Event, what: str) -> None:
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.user))
    ).all()
    for row in rows:
        if not can_view_event(row.user, event):
            continue
        with force_locale(row.user.locale or "sv"):
            if what == "cancelled":
                title = _("Inställt: %(title)s", title=event.title)
                body = _("Evenemanget %(when)s är inställt.", when=_when(event))
            else:
                title = _("Ändrat: %(title)s", title=event.title)
                body = _("Tid eller plats har ändrats. Ny tid: %(when)s.", when=_when(event))
            notify(row.user, f"event.{what}", title, url=event_path(event), body=body,
                   subject_type="event", subject_id=event.id)


def attendees(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.user).selectinload(User.organisation))
        .order_by(Registration.status, Registration.created_at, Registration.id)
    ))


# -- scheduled jobs ----------------------------------------------------------------------------


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind registered people of events starting before the end of tomorrow. Safe to repeat."""
    now = now or utcnow()
    tomorrow = to_local(now).date() + dt.timedelta(days=1)
    horizon = local_date_to_utc(tomorrow + dt.timedelta(days=1))
    rows = db.session.scalars(
        select(Registration).join(Registration.event)
        .where(Registration.status == RegistrationStatus.REGISTERED,
               Registration.reminder_sent_at.is_(None),
               Event.status == EventStatus.SCHEDULED,
               Event.start_at > now, Event.start_at < horizon)
        .options(selectinload(Registration.user), selectinload(Registration.event))
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"]
    sent = 0
    for row in rows:
        row.reminder_sent_at = now
        user, event = row.user, row.event
        if not user.email or not user.is_active or not can_view_event(user, event):
            continue
        with force_locale(user.locale or "sv"):
            lines = [_("Påminnelse: %(title)s börjar %(when)s.", title=event.title, when=_when(event))]
            if event.place:
                lines.append(_("Plats: %(place)s", place=event.place))
            if event.online_url:
                lines.append(_("Möteslänk: %(url)s", url=event.online_url))
            lines.append(base + event_path(event))
            queue_email(user.email, _("Påminnelse: %(title)s", title=event.title),
                        "\n\n".join(lines) + "\n")
        sent += 1
    db.session.flush()
    return sent


def purge_needs(now: dt.datetime | None = None) -> int:
    """Delete free-text needs 30 days after the event ended. Safe to repeat."""
    cutoff = (now or utcnow()) - NEEDS_KEPT
    ids = select(Event.id).where(Event.end_at < cutoff)
    result = db.session.execute(
        Registration.__table__.update()
        .where(Registration.event_id.in_(ids), Registration.needs != "")
        .values(needs="")
    )
    return result.rowcount or 0


# -- calendar tokens ---------------------------------------------------------------------------


def calendar_token(user: User) -> CalendarToken | None:
    return db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))


def regenerate_calendar_token(user: User) -> str:
    """A new secret feed URL; any old one stops working. Returns the token (shown once)."""
    token, digest = new_token()
    row = calendar_token(user)
    if row is None:
        row = CalendarToken(user_id=user.id, token_hash=digest)
        db.session.add(row)
    else:
        row.token_hash, row.created_at = digest, utcnow()
    db.session.flush()
    return token


def revoke_calendar_token(user: User) -> None:
    row = calendar_token(user)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def user_for_token(token: str) -> User | None:
    """Look up by hash, then compare in constant time; inactive users have no feed."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == hash_token(token)))
    if row is None or not token_matches(token, row.token_hash):
        return None
    user = row.user
    return user if user.is_active else None


# -- queries -----------------------------------------------------------------------------------


def visible_events(user: Any):
    return select(Event).join(Event.group).where(
        permissions.visible_filter(user, Event.visibility, Event.group_id)
    )


def _feed_window(now: dt.datetime):
    """Past events stay a while; cancelled single events leave 30 days after cancellation."""
    return and_(
        or_(Event.series_id.is_not(None), Event.end_at >= now - FEED_PAST),
        or_(Event.series_id.is_not(None), Event.status == EventStatus.SCHEDULED,
            Event.cancelled_at >= now - ical.CANCELLED_KEPT),
    )


def public_feed_filter(now: dt.datetime):
    return and_(Event.visibility == permissions.Visibility.PUBLIC.value, _feed_window(now))


def group_feed_filter(user: Any, group: Group, now: dt.datetime):
    return and_(Event.group_id == group.id,
                permissions.visible_filter(user, Event.visibility, Event.group_id),
                _feed_window(now))


def personal_feed_filter(user: User, now: dt.datetime):
    mine = select(Registration.event_id).where(Registration.user_id == user.id)
    groups = permissions.group_ids(user)
    return and_(
        permissions.visible_filter(user, Event.visibility, Event.group_id),
        or_(Event.group_id.in_(groups) if groups else false(), Event.id.in_(mine)),
        _feed_window(now),
    )


def feed_signature(condition) -> tuple[int, int, dt.datetime | None]:
    """(count, sum of ids, last change): changes whenever the feed's content can."""
    count, id_sum, last = db.session.execute(
        select(func.count(Event.id), func.coalesce(func.sum(Event.id), 0), func.max(Event.updated_at))
        .where(condition)
    ).one()
    if isinstance(last, str):  # SQLite returns the aggregate as text
        last = dt.datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return int(count), int(id_sum), last


def feed_events(condition) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(condition)
        .options(selectinload(Event.agenda), selectinload(Event.series))
        .order_by(Event.start_at, Event.id)
    ))


def whole_series_ids(events: list[Event], user: Any, personal: bool) -> set[int]:
    """Series written as RRULE masters: all of them, except in a personal feed those the user
    only follows through a registration (they get single occurrences instead)."""
    ids = {e.series_id for e in events if e.series_id is not None}
    if not personal:
        return ids
    groups = permissions.group_ids(user)
    return {e.series_id for e in events if e.series_id in ids and e.group_id in groups}


def my_registered_event_ids(user: Any) -> set[int]:
    if not permissions.is_member(user):
        return set()
    return set(db.session.scalars(
        select(Registration.event_id).where(Registration.user_id == user.id,
                                            Registration.status == RegistrationStatus.REGISTERED)
    ))


def reveal_for(user: Any, registered_ids: set[int]):
    def reveal(event: Event) -> bool:
        return event.id in registered_ids or (permissions.is_member(user) and can_manage_event(user, event))
    return reveal


def upcoming_for(user: User, limit: int = 5) -> dict:
    """The start-page panel: my registrations, then what my groups have coming up."""
    now = utcnow()
    mine = db.session.execute(
        select(Event, Registration.status).join(Registration, Registration.event_id == Event.id)
        .where(Registration.user_id == user.id, Event.end_at >= now,
               permissions.visible_filter(user, Event.visibility, Event.group_id))
        .order_by(Event.start_at).limit(limit)
    ).all()
    groups = permissions.group_ids(user)
    taken = {event.id for event, _status in mine}
    group_events = [] if not groups else list(db.session.scalars(
        visible_events(user).where(Event.group_id.in_(groups), Event.end_at >= now,
                                   Event.status == EventStatus.SCHEDULED,
                                   Event.id.not_in(taken or {-1}))
        .order_by(Event.start_at).limit(limit)
    ))
    return {"registrations": mine, "group_events": group_events}


# -- personal data (GDPR) ----------------------------------------------------------------------


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
    }


def erase_personal_data(user: User) -> None:
    """Registrations and the feed address go with the account; freed seats go to the waitlist."""
    rows = db.session.scalars(select(Registration).where(Registration.user_id == user.id)).all()
    freed = [row.event for row in rows if row.status == RegistrationStatus.REGISTERED]
    for row in rows:
        db.session.delete(row)
    revoke_calendar_token(user)
    db.session.flush()
    for event in freed:
        promote_waitlist(event)


def update_series(actor: User, series: EventSeries, data: EventData, now: dt.datetime | None = None) -> int:
    """Change the content of every upcoming occurrence that was not edited on its own.

    Times stay as the rule made them (a new rule is a new series); occurrences moved or edited
    one by one keep their own content. Returns how many occurrences changed.
    """
    now = now or utcnow()
    changed = 0
    for event in series.occurrences:
        if event.cancelled or event.is_exception or event.end_at <= now:
            continue
        relocated = (data.place.strip(), data.online_url.strip()) != (event.place, event.online_url)
        old_capacity = event.capacity
        data.group, data.visibility = event.group, event.visibility
        _apply_content(event, data)
        if relocated:
            event.sequence += 1
            _tell_participants(event, "changed")
        if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
            promote_waitlist(event, now)
        changed += 1
    series.sequence += 1
    series.updated_at = utcnow()
    db.session.flush()
    if series.occurrences:
        _index(series.occurrences[0])
    audit(actor, "events.series.update", series, occurrences=changed)
    return changed


def stats(since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Meetings held (not cancelled, start in [since, until]) and registered attendance.

    ``attended_<type>`` splits attendance by the type of the participant's organisation
    (``attended_none`` for people without one); waitlisted people are not counted.
    """
    period = [Event.cancelled_at.is_(None), Event.status != EventStatus.CANCELLED]
    if since is not None:
        period.append(Event.start_at >= since)
    if until is not None:
        period.append(Event.start_at <= until)
    held = db.session.scalar(select(func.count(Event.id)).where(*period)) or 0
    rows = db.session.execute(
        select(Organisation.type, func.count(Registration.id))
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .join(User, User.id == Registration.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*period, Registration.status == RegistrationStatus.REGISTERED)
        .group_by(Organisation.type)
    ).all()
    figures = {"meetings_held": held, "attended": sum(count for _, count in rows)}
    for org_type, count in sorted(rows, key=lambda row: str(row[0] or "")):
        figures[f"attended_{org_type or 'none'}"] = count
    return figures
