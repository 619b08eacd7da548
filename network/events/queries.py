"""Which events a calendar feed holds, and what each reader may see in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from network import permissions
from network.accounts.models import Group, User
from network.events import ical
from network.events.models import (
    Event,
    EventStatus,
    Registration,
)
from network.events.permissions import can_manage_event
from network.extensions import db

FEED_PAST = dt.timedelta(days=180)


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


def reveal_for(user: Any, registered_ids: set[int]):
    def reveal(event: Event) -> bool:
        return event.id in registered_ids or (permissions.is_member(user) and can_manage_event(user, event))
    return reveal


def place_is_public(event: Event) -> bool:
    """A public event's place may be shown to anyone (its meeting link may not)."""
    return event.visibility == permissions.Visibility.PUBLIC.value
