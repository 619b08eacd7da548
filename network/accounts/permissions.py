"""The accounts feature's objects mapped onto ``network.permissions``: one function per action."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from network import permissions
from network.accounts.models import Group, GroupVisibility


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


def visible_groups_filter(user: Any) -> ColumnElement[bool]:
    """``permissions.can_view_group`` as a SQL expression over ``Group``."""
    if permissions.is_admin(user):
        return true()
    if not permissions.is_member(user):
        return Group.visibility == GroupVisibility.PUBLIC.value
    groups = permissions.group_ids(user)
    return or_(
        Group.visibility.in_([GroupVisibility.PUBLIC.value, GroupVisibility.MEMBERS.value]),
        Group.id.in_(groups) if groups else false(),
    )


def can_end_session(user: Any, record: Any) -> bool:
    """A member ends their own sessions; an administrator any (e.g. a lost phone)."""
    return permissions.is_member(user) and (record.user_id == user.id or permissions.is_admin(user))


def can_unlink_identity(user: Any, identity: Any) -> bool:
    """A member removes their own linked logins (single sign-on) only."""
    return permissions.is_member(user) and identity.user_id == user.id


def _admin(user: Any, *_objects: Any) -> bool:
    return permissions.is_admin(user)


def _manages_group(user: Any, group: Group, *_objects: Any) -> bool:
    return permissions.can_manage_group(user, group)


def _may_invite_again(user: Any, invitation: Any) -> bool:
    return permissions.can_invite(user, invitation.group)


permissions.register_auth({
    "accounts.session.end": can_end_session,
    "accounts.member.list": _admin,
    "accounts.member.view": _admin,
    "accounts.member.deactivate": _admin,
    "accounts.member.reactivate": _admin,
    "accounts.member.set_role": _admin,
    "accounts.member.set_expertise": _admin,
    "accounts.member.add_to_group": _manages_group,
    "accounts.member.remove_from_group": _manages_group,
    "accounts.group.transfer_facilitator": _manages_group,
    "accounts.invitation.resend": _may_invite_again,
    "accounts.invitation.cancel": _may_invite_again,
    "accounts.invitation.bulk": _admin,
    "accounts.request.approve": _admin,
    "accounts.request.decline": _admin,
    "accounts.sso.password_login": _admin,
    "accounts.sso.unlink": can_unlink_identity,
})
