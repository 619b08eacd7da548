"""Events mapped onto ``network.permissions``: one function per action."""

from __future__ import annotations

from typing import Any

from network import permissions
from network.accounts.models import Group
from network.events.models import Event


def can_view_event(user: Any, event: Event) -> bool:
    return permissions.can_view_content(user, event.visibility, event.group_id)


def can_create_event(user: Any, group: Group) -> bool:
    """Facilitators of the organising group, and admins."""
    return permissions.can_manage_group(user, group) and (not group.archived or permissions.is_admin(user))


def can_manage_event(user: Any, event: Event) -> bool:
    """Edit, cancel, see and export attendees."""
    return permissions.can_manage_group(user, event.group)


def can_register(user: Any, event: Event) -> bool:
    return permissions.is_member(user) and can_view_event(user, event)


def can_see_location(user: Any, event: Event, registered: bool) -> bool:
    """Place and meeting link: registered participants and organisers only."""
    return registered or can_manage_event(user, event)


def can_subscribe(user: Any) -> bool:
    return permissions.is_member(user)


def can_create_event_from(user: Any, data: Any) -> bool:
    """Create an event (or series) in ``data.group``."""
    return data.group is not None and can_create_event(user, data.group)


def can_update_event(user: Any, event: Event, data: Any) -> bool:
    """Organisers change an event; moving it to another group needs the right to create there."""
    if not can_manage_event(user, event):
        return False
    group = getattr(data, "group", None)
    return group is None or group.id == event.group_id or can_create_event(user, group)


def can_manage_series(user: Any, series: Any) -> bool:
    return permissions.can_manage_group(user, series.group)


def can_update_series(user: Any, series: Any, data: Any) -> bool:
    return can_manage_series(user, series)


permissions.register_auth({
    "events.create_event": can_create_event_from,
    "events.update_event": can_update_event,
    "events.cancel_event": can_manage_event,
    "events.cancel_series": can_manage_series,
    "events.update_series": can_update_series,
    "events.register": can_register,
})
