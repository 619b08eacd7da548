"""The one place that answers "may this user see / do this?".

Every feature maps its objects onto the same two facts, a *visibility* and an owning *group*,
and asks the functions here; feature packages keep a thin ``permissions.py`` that does that
mapping. The same rules exist twice, on purpose, in two forms that are tested against each
other: as Python predicates (for a loaded object) and as SQL expressions (so list, search and
feed queries filter *inside* the query, never after a LIMIT).

Visibility of a piece of content:
    public   anyone, including visitors without an account
    members  every active network member
    group    members of the owning group (and network admins)
Network admins may see and manage everything.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask import current_app, g, has_request_context
from sqlalchemy import ColumnElement, and_, false, or_, true

from network import cache

if TYPE_CHECKING:
    from collections.abc import Mapping

# Groups as this module sees them (it sits below the accounts feature that defines them): a
# group is anything with ``id``, ``visibility`` (one of these strings) and ``archived``; a
# person's groups come from the loader accounts registers (``set_group_roles_loader``).
GROUP_PUBLIC, GROUP_MEMBERS, GROUP_CLOSED = "public", "members", "closed"
FACILITATOR = "facilitator"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    GROUP = "group"


GROUP_DEFAULT_VISIBILITY = {
    GROUP_PUBLIC: Visibility.PUBLIC,
    GROUP_MEMBERS: Visibility.MEMBERS,
    GROUP_CLOSED: Visibility.GROUP,
}


def default_visibility_for(group: Any | None) -> Visibility:
    """What content created in ``group`` inherits unless it says otherwise."""
    if group is None:
        return Visibility.MEMBERS
    return GROUP_DEFAULT_VISIBILITY[str(group.visibility)]


GroupRolesLoader = Callable[[int], "Mapping[int, str]"]


def set_group_roles_loader(app: Any, loader: GroupRolesLoader) -> None:
    """Accounts tells this module how to read a person's groups: ``{group id: role}``."""
    app.extensions["network_group_roles_loader"] = loader


# -- who is the user ---------------------------------------------------------------------------


def is_member(user: Any) -> bool:
    """An authenticated, active network member (anonymous visitors are not)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user: Any) -> bool:
    return is_member(user) and user.is_admin


def is_programme_staff(user: Any) -> bool:
    """The agency's programme staff (and admins): every municipality's follow-up, support, review."""
    return is_member(user) and bool(getattr(user, "is_programme_staff", False))


def overseen_county(user: Any) -> str | None:
    """The county code a county-board member oversees, or None."""
    return getattr(user, "overseen_county", None) if is_member(user) else None


# Memberships and groups are structural data (network/cache.py): a person's roles are kept per
# process while ``structural`` holds, so a page asks the database for them only after one changed.
ROLES_TTL = 300
_ROLES_CHANGED = "_group_roles_changed"


def group_roles(user: Any) -> dict[int, str]:
    """The user's groups and role in each (``"facilitator"`` or ``"member"``), once per request."""
    if not is_member(user):
        return {}
    cache_key = f"_group_roles_{user.id}"
    if has_request_context() and cache_key in g:
        return g.get(cache_key)
    roles = _load_group_roles(user.id)
    if has_request_context():
        setattr(g, cache_key, roles)
    return roles


def _load_group_roles(user_id: int) -> dict[int, str]:
    loader = current_app.extensions["network_group_roles_loader"]
    if not has_request_context() or g.get(_ROLES_CHANGED) \
            or "network_cache" not in current_app.extensions:
        return dict(loader(user_id))
    store = cache.cache()
    stamp = store.generation.scope_values((cache.STRUCTURAL,))
    key = ("group_roles", user_id)
    roles = store.get(key, stamp)
    if roles is None:
        roles = dict(loader(user_id))
        store.set(key, roles, stamp, ROLES_TTL)
    return dict(roles)


def forget_group_roles(user: Any) -> None:
    """Call after changing memberships within a request: until it ends, roles are read from
    the database (what was kept is renewed by the commit's structural change)."""
    if has_request_context() and is_member(user):
        g.pop(f"_group_roles_{user.id}", None)
        setattr(g, _ROLES_CHANGED, True)


def group_ids(user: Any) -> set[int]:
    return set(group_roles(user))


def is_group_member(user: Any, group: Any | int | None) -> bool:
    if group is None:
        return False
    gid = group if isinstance(group, int) else group.id
    return gid in group_roles(user)


def is_facilitator(user: Any, group: Any | int | None) -> bool:
    if group is None:
        return False
    gid = group if isinstance(group, int) else group.id
    return group_roles(user).get(gid) == FACILITATOR


def facilitated_group_ids(user: Any) -> set[int]:
    return {gid for gid, role in group_roles(user).items() if role == FACILITATOR}


# -- groups ------------------------------------------------------------------------------------


def can_view_group(user: Any, group: Any) -> bool:
    """Whether the group's page and the content it shares with its audience may be seen."""
    if is_admin(user):
        return True
    visibility = str(group.visibility)
    if visibility == GROUP_PUBLIC:
        return True
    if visibility == GROUP_MEMBERS:
        return is_member(user)
    return is_group_member(user, group)


def can_post_in_group(user: Any, group: Any | None) -> bool:
    """Start topics, register content, take part. Open groups welcome every member."""
    if not is_member(user):
        return False
    if is_admin(user) or group is None:
        return True
    if group.archived:
        return False
    if str(group.visibility) == GROUP_CLOSED:
        return is_group_member(user, group)
    return True


def can_manage_group(user: Any, group: Any | None) -> bool:
    """Facilitators manage their group (members, categories, events, moderation)."""
    if is_admin(user):
        return True
    return group is not None and is_facilitator(user, group)


def can_join_group(user: Any, group: Any) -> bool:
    """Open groups may be joined by any member; closed ones only by invitation."""
    return (
        is_member(user)
        and not group.archived
        and str(group.visibility) != GROUP_CLOSED
        and not is_group_member(user, group)
    )


def can_invite(user: Any, group: Any | None = None) -> bool:
    """Admins invite to the network; facilitators invite into their own group."""
    if is_admin(user):
        return True
    return group is not None and is_facilitator(user, group)


def can_administer(user: Any) -> bool:
    """Network-wide administration: organisations, areas, all groups, the audit log."""
    return is_admin(user)


# -- content -----------------------------------------------------------------------------------


def can_view_content(user: Any, visibility: str, group_id: int | None) -> bool:
    """The rule for every piece of content: pages, downloads, feeds, notifications, sockets."""
    level = Visibility(visibility)
    if level == Visibility.PUBLIC:
        return True
    if not is_member(user):
        return False
    if level == Visibility.MEMBERS or is_admin(user):
        return True
    return group_id is not None and group_id in group_roles(user)


def visible_filter(user: Any, visibility_col: Any, group_id_col: Any) -> ColumnElement[bool]:
    """``can_view_content`` as a SQL expression, for the WHERE clause of any listing query."""
    return scope_filter(visibility_scope(user), visibility_col, group_id_col)


def visibility_scope(user: Any) -> tuple:
    """All that ``visible_filter`` reads of ``user``, as a hashable value: a visitor, an admin, or
    a member and their groups. Two users of one scope see the same content, so a statement built
    for one of them (``scope_filter``) may be reused for the other."""
    if not is_member(user):
        return ("visitor",)
    if is_admin(user):
        return ("admin",)
    return ("member", tuple(sorted(group_ids(user))))


def access_state(user: Any) -> tuple:
    """Everything this module answers from about ``user``, as a hashable value: who they are,
    their flags and their groups with their role in each. A statement built from access filters
    for one state may be reused while the state is the same (a per-person filter may name the
    person's id, so the id is part of it); what the database holds is read when it runs."""
    if not is_member(user):
        return ("visitor",)
    return (user.id, bool(user.is_admin), is_programme_staff(user), overseen_county(user),
            tuple(sorted(group_roles(user).items())))


@lru_cache(maxsize=1024)
def scope_filter(scope: tuple, visibility_col: Any, group_id_col: Any) -> ColumnElement[bool]:
    """``visible_filter`` for a ``visibility_scope``, built once per scope and columns (SQL
    expressions are immutable, so every statement of that scope may share it; building it was
    a tenth of the pages' statement work)."""
    if scope[0] == "visitor":
        return visibility_col == Visibility.PUBLIC.value
    if scope[0] == "admin":
        return true()
    groups = scope[1]
    in_group = and_(visibility_col == Visibility.GROUP.value, group_id_col.in_(groups)) if groups else false()
    return or_(
        visibility_col.in_([Visibility.PUBLIC.value, Visibility.MEMBERS.value]),
        in_group,
    )


def can_moderate(user: Any, group_id: int | None) -> bool:
    """Moderate content owned by a group (or network-wide content, for admins)."""
    if is_admin(user):
        return True
    return group_id is not None and is_facilitator(user, group_id)


def can_edit_own(user: Any, author_id: int | None, group_id: int | None) -> bool:
    """Authors edit what they wrote; moderators edit anything in their group."""
    if not is_member(user):
        return False
    return (author_id is not None and author_id == user.id) or can_moderate(user, group_id)


# -- the action registry -----------------------------------------------------------------------
#
# CKAN's pattern: every service action has an authorisation function of the same name, and the
# action asks for it through ``check_access`` before it changes anything. Views still ask first
# (to choose between 403 and 404 and to show or hide buttons), but a CLI command, a socket handler
# or an API endpoint that calls the action directly meets the same rule.


class AccessDenied(PermissionError):
    """Raised by ``check_access``; the error handler answers 403."""

    def __init__(self, action: str) -> None:
        super().__init__(f"not allowed: {action}")
        self.action = action


AuthFunction = Callable[..., bool]
_AUTH_FUNCTIONS: dict[str, AuthFunction] = {}


def register_auth(functions: dict[str, AuthFunction]) -> None:
    """Register ``{"feature.action": predicate(user, *objects)}``; a name is registered once."""
    for name, function in functions.items():
        known = _AUTH_FUNCTIONS.get(name)
        if known is not None and known is not function:
            raise ValueError(f"authorisation for {name!r} is registered twice")
        _AUTH_FUNCTIONS[name] = function


def allowed(action: str, user: Any, *objects: Any) -> bool:
    """Whether ``user`` may perform ``action`` on ``objects`` (an unknown action is a bug)."""
    try:
        function = _AUTH_FUNCTIONS[action]
    except KeyError:
        raise LookupError(f"no authorisation function registered for {action!r}") from None
    return bool(function(user, *objects))


def check_access(action: str, user: Any, *objects: Any) -> None:
    """Raise ``AccessDenied`` unless ``user`` may perform ``action``: call it first in every action."""
    if not allowed(action, user, *objects):
        raise AccessDenied(action)


def registered_actions() -> list[str]:
    return sorted(_AUTH_FUNCTIONS)
