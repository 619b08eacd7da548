"""Events and series: the only code that creates, changes and cancels them. Services flush;
callers commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select

from network import fulltext, permissions
from network.accounts.models import Group, Organisation, User
from network.accounts.services import audit
from network.db import utcnow
from network.events import invitations
from network.events import permissions as events_permissions  # noqa: F401  (registers the event actions)
from network.events.common import (  # noqa: F401 - callers use them from here
    EventError,
    event_path,
    series_path,
)
from network.events.mailing import tell_participants
from network.events.models import (
    AgendaItem,
    Event,
    EventSeries,
    EventStatus,
    EventType,
    Registration,
    RegistrationStatus,
)
from network.events.registrations import promote_waitlist
from network.events.timeutil import Rule, expand, local_date_to_utc, to_local, to_utc
from network.extensions import db
from network.i18n import lazy_gettext as _l
from network.markdown import render_markdown
from network.permissions import check_access


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
    check_access("events.create_event", actor, data)
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
    check_access("events.update_event", actor, event, data)
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
        tell_participants(event, "changed")
    if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
        promote_waitlist(event)
    return event


def cancel_event(actor: User, event: Event) -> None:
    check_access("events.cancel_event", actor, event)
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
    tell_participants(event, "cancelled")


def cancel_series(actor: User, series: EventSeries) -> None:
    check_access("events.cancel_series", actor, series)
    now = utcnow()
    series.cancelled_at = now
    series.sequence += 1
    for event in series.occurrences:
        if not event.cancelled and event.end_at > now:
            event.status, event.cancelled_at = EventStatus.CANCELLED, now
            event.sequence += 1
            tell_participants(event, "cancelled", series_wide=True)
    invitations.series_cancelled(series)
    db.session.flush()
    audit(actor, "events.series.cancel", series)


def update_series(actor: User, series: EventSeries, data: EventData, now: dt.datetime | None = None) -> int:
    """Change the content of every upcoming occurrence that was not edited on its own.

    Times stay as the rule made them (a new rule is a new series); occurrences moved or edited
    one by one keep their own content. Returns how many occurrences changed.
    """
    check_access("events.update_series", actor, series, data)
    now = now or utcnow()
    changed = 0
    any_relocated = False
    for event in series.occurrences:
        if event.cancelled or event.is_exception or event.end_at <= now:
            continue
        relocated = (data.place.strip(), data.online_url.strip()) != (event.place, event.online_url)
        old_capacity = event.capacity
        data.group, data.visibility = event.group, event.visibility
        _apply_content(event, data)
        if relocated:
            event.sequence += 1
            tell_participants(event, "changed", series_wide=True)
            any_relocated = True
        if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
            promote_waitlist(event, now)
        changed += 1
    series.sequence += 1
    series.updated_at = utcnow()
    db.session.flush()
    if any_relocated:
        invitations.series_changed(series)
    if series.occurrences:
        _index(series.occurrences[0])
    audit(actor, "events.series.update", series, occurrences=changed)
    return changed


def visible_events(user: Any):
    return visible_events_in_scope(permissions.visibility_scope(user))


def visible_events_in_scope(scope: tuple):
    """``visible_events`` for every reader of a ``permissions.visibility_scope``."""
    return select(Event).join(Event.group).where(
        permissions.scope_filter(scope, Event.visibility, Event.group_id))


def upcoming_for(user: User, limit: int = 5) -> dict:
    """The start-page panel: my registrations, then what my groups have coming up. The
    statements are built once per visibility scope (the member and the time are parameters)."""
    scope = permissions.visibility_scope(user)
    now = utcnow()
    mine = db.session.execute(_my_upcoming(scope, limit), {"user_id": user.id, "now": now}).all()
    taken = [event.id for event, _status in mine] or [-1]
    groups = tuple(sorted(permissions.group_ids(user)))  # an admin's own groups too
    group_events = [] if not groups else list(db.session.scalars(
        _group_upcoming(scope, groups, limit), {"now": now, "taken": taken}))
    return {"registrations": mine, "group_events": group_events}


@lru_cache(maxsize=256)
def _my_upcoming(scope: tuple, limit: int) -> Any:
    return (select(Event, Registration.status).join(Registration, Registration.event_id == Event.id)
            .where(Registration.user_id == bindparam("user_id"), Event.end_at >= bindparam("now"),
                   permissions.scope_filter(scope, Event.visibility, Event.group_id))
            .order_by(Event.start_at).limit(limit))


@lru_cache(maxsize=256)
def _group_upcoming(scope: tuple, groups: tuple[int, ...], limit: int) -> Any:
    """The scheduled events of the reader's ``groups`` that their ``scope`` may see."""
    return (visible_events_in_scope(scope)
            .where(Event.group_id.in_(groups), Event.end_at >= bindparam("now"),
                   Event.status == EventStatus.SCHEDULED,
                   Event.id.not_in(bindparam("taken", expanding=True)))
            .order_by(Event.start_at).limit(limit))


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
