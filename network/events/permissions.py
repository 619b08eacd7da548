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
