"""The accounts feature's objects mapped onto ``network.permissions``: one function per action."""

from __future__ import annotations

from typing import Any

from network import permissions
from network.accounts.models import Group


def can_see_members(user: Any, group: Group) -> bool:
    """Names and organisations of a group's members are for network members who see the group."""
    return permissions.is_member(user) and permissions.can_view_group(user, group)


def can_leave_group(user: Any, group: Group) -> bool:
    return permissions.is_group_member(user, group)


def can_edit_group(user: Any, group: Group) -> bool:
    """Name, kind, visibility and archiving: network administration."""
    return permissions.is_admin(user)


def can_manage_members(user: Any, group: Group) -> bool:
    return permissions.can_manage_group(user, group) and not group.archived


def can_end_session(user: Any, record: Any) -> bool:
    """A member ends their own sessions; an administrator any (e.g. a lost phone)."""
    return permissions.is_member(user) and (record.user_id == user.id or permissions.is_admin(user))


permissions.register_auth({
    "accounts.session.end": can_end_session,
})
