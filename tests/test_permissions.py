"""The permission matrix for network/permissions.py: role × group visibility × action.

Every cell states what a user gets; the Python predicate and the SQL filter are checked
against each other on real rows, so a list can never show what a page would refuse.
"""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import delete, select

from network import permissions
from network.accounts.models import (
    Group,
    GroupRole,
    GroupVisibility,
    Membership,
    NetworkRole,
    User,
    UserExpertise,
)
from network.accounts.permissions import visible_groups_filter
from network.accounts.privacy import erase_account
from network.accounts.services import add_member
from network.fulltext import SearchEntry, index_entry
from network.permissions import Visibility

ROLES = ["anonymous", "member", "group_member", "facilitator", "admin", "deleted", "inactive",
         "staff", "county", "expert"]
# Programme staff, county-board staff and experts are members without group rights of their own:
# in groups they are not part of they get what every member gets.
PLAIN_MEMBERS = ("staff", "county", "expert")
GROUP_VISIBILITIES = [GroupVisibility.PUBLIC, GroupVisibility.MEMBERS, GroupVisibility.CLOSED]
PUB, MEM, CLO = GroupVisibility.PUBLIC, GroupVisibility.MEMBERS, GroupVisibility.CLOSED
ALL = {PUB, MEM, CLO}
NONE: set = set()

# action -> role -> the group visibilities where the action is allowed.
EXPECTED = {
    "view_group": {
        "anonymous": {PUB}, "member": {PUB, MEM}, "group_member": ALL, "facilitator": ALL,
        "admin": ALL, "deleted": {PUB}, "inactive": {PUB},
    },
    "post": {
        "anonymous": NONE, "member": {PUB, MEM}, "group_member": ALL, "facilitator": ALL,
        "admin": ALL, "deleted": NONE, "inactive": NONE,
    },
    "manage": {
        "anonymous": NONE, "member": NONE, "group_member": NONE, "facilitator": ALL,
        "admin": ALL, "deleted": NONE, "inactive": NONE,
    },
    "moderate": {
        "anonymous": NONE, "member": NONE, "group_member": NONE, "facilitator": ALL,
        "admin": ALL, "deleted": NONE, "inactive": NONE,
    },
    "join": {
        # Members already in the group have nothing to join; closed groups are by invitation.
        "anonymous": NONE, "member": {PUB, MEM}, "group_member": NONE, "facilitator": NONE,
        "admin": {PUB, MEM}, "deleted": NONE, "inactive": NONE,
    },
    "invite": {
        "anonymous": NONE, "member": NONE, "group_member": NONE, "facilitator": ALL,
        "admin": ALL, "deleted": NONE, "inactive": NONE,
    },
}

for _rights in EXPECTED.values():
    for _role in PLAIN_MEMBERS:
        _rights[_role] = _rights["member"]

# Content visibility -> roles that may see it (independent of the group's own visibility).
CONTENT = {
    Visibility.PUBLIC: set(ROLES),
    Visibility.MEMBERS: {"member", "group_member", "facilitator", "admin", *PLAIN_MEMBERS},
    Visibility.GROUP: {"group_member", "facilitator", "admin"},
}

ACTIONS = {
    "view_group": permissions.can_view_group,
    "post": permissions.can_post_in_group,
    "manage": permissions.can_manage_group,
    "moderate": lambda user, group: permissions.can_moderate(user, group.id),
    "join": permissions.can_join_group,
    "invite": permissions.can_invite,
}


def _make_user(make, db, role: str, group: Group):
    if role == "anonymous":
        return AnonymousUserMixin()
    user = make.admin() if role == "admin" else make.user()
    if role == "staff":
        user.role = NetworkRole.STAFF
    if role == "county":
        user.role, user.county_code = NetworkRole.COUNTY, "18"
    if role == "expert":
        user.expertise.append(UserExpertise(theme="grovt_vald"))
    if role in ("group_member", "inactive", "deleted"):
        add_member(None, group, user, GroupRole.MEMBER)
    if role == "facilitator":
        add_member(None, group, user, GroupRole.FACILITATOR)
    if role == "inactive":
        user.active = False  # a suspended account keeps its memberships but gets nothing
    if role == "deleted":
        erase_account(user)
    db.session.flush()
    return user


@pytest.fixture
def world(app, db, make):
    """One group of each visibility (plus an unrelated one) and a user of the role in each."""

    def build(role: str, visibility: GroupVisibility):
        group = make.group(visibility=visibility)
        other = make.group(visibility=GroupVisibility.CLOSED)
        user = _make_user(make, db, role, group)
        db.session.commit()
        # A fresh request context per case: permissions cache roles per request.
        ctx = app.test_request_context()
        ctx.push()
        return user, group, other, ctx

    return build


@pytest.mark.parametrize("visibility", GROUP_VISIBILITIES, ids=str)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_group_actions(world, role, visibility, action):
    user, group, _other, ctx = world(role, visibility)
    try:
        allowed = ACTIONS[action](user, group)
        assert allowed == (visibility in EXPECTED[action][role]), (
            f"{role} {action} in a {visibility} group should be "
            f"{'allowed' if not allowed else 'refused'}")
    finally:
        ctx.pop()


@pytest.mark.parametrize("visibility", GROUP_VISIBILITIES, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_visible_groups_filter_agrees_with_can_view_group(world, db, role, visibility):
    user, group, other, ctx = world(role, visibility)
    try:
        visible = set(db.session.scalars(
            select(Group.id).where(visible_groups_filter(user))))
        for g in db.session.scalars(select(Group)):
            assert (g.id in visible) == permissions.can_view_group(user, g), g.visibility
        assert (group.id in visible) == (visibility in EXPECTED["view_group"][role])
        assert (other.id in visible) == (role == "admin")
    finally:
        ctx.pop()


@pytest.mark.parametrize("visibility", GROUP_VISIBILITIES, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_content_visibility_predicate_and_sql_filter_agree(world, db, role, visibility):
    user, group, other, ctx = world(role, visibility)
    try:
        n = 0
        for owner in (group, other, None):
            for level in Visibility:
                if level == Visibility.GROUP and owner is None:
                    continue
                n += 1
                index_entry("matrix", n, title=f"{level} {owner and owner.id}", body="x", url="/",
                            visibility=level.value, group_id=owner.id if owner else None)
        db.session.flush()
        rows = db.session.scalars(select(SearchEntry).where(SearchEntry.kind == "matrix")).all()
        assert len(rows) == n
        visible = set(db.session.scalars(select(SearchEntry.id).where(
            SearchEntry.kind == "matrix",
            permissions.visible_filter(user, SearchEntry.visibility, SearchEntry.group_id))))
        for row in rows:
            predicate = permissions.can_view_content(user, row.visibility, row.group_id)
            assert (row.id in visible) == predicate, (role, row.visibility, row.group_id)
            if row.group_id in (group.id, None):
                assert predicate == (role in CONTENT[Visibility(row.visibility)]), (
                    role, row.visibility)
            else:  # content of a group the user is not in
                expected = role in CONTENT[Visibility(row.visibility)] and (
                    row.visibility != Visibility.GROUP or role == "admin")
                assert predicate == expected, (role, row.visibility, "other group")
    finally:
        ctx.pop()


def test_users_who_see_the_same_content_share_a_visibility_scope(app, db, make):
    """Listings reuse a statement built for one user for every user of the same scope: the scope
    must tell apart everyone whose rights differ."""
    group, other = make.group(visibility=GroupVisibility.CLOSED), make.group()
    one, two, three, suspended = make.user(), make.user(), make.user(), make.user()
    for user in (one, two, suspended):
        add_member(None, group, user, GroupRole.MEMBER)
    add_member(None, other, three, GroupRole.FACILITATOR)
    suspended.active = False
    db.session.commit()
    with app.test_request_context():
        scopes = {name: permissions.visibility_scope(user) for name, user in (
            ("anonymous", AnonymousUserMixin()), ("one", one), ("two", two), ("three", three),
            ("plain", make.user()), ("suspended", suspended), ("admin", make.admin()))}
    assert scopes["one"] == scopes["two"] == ("member", (group.id,))
    assert scopes["three"] == ("member", (other.id,))
    assert scopes["plain"] == ("member", ())
    assert scopes["anonymous"] == scopes["suspended"] == ("visitor",)
    assert scopes["admin"] == ("admin",)


def test_deleted_user_is_anonymised_and_has_no_memberships(world, db):
    user, group, _other, ctx = world("deleted", GroupVisibility.CLOSED)
    try:
        assert isinstance(user, User) and user.deleted_at is not None
        assert permissions.group_roles(user) == {}
        assert not permissions.is_member(user)
    finally:
        ctx.pop()


def test_archived_groups_take_no_posts_or_joins_but_stay_readable(world, db, make):
    user, group, _other, ctx = world("group_member", GroupVisibility.MEMBERS)
    try:
        outsider = make.user()
        group.archived = True
        assert permissions.can_view_group(user, group)
        assert not permissions.can_post_in_group(user, group)
        assert not permissions.can_join_group(outsider, group)
    finally:
        ctx.pop()


# -- the accounts feature's registered actions -------------------------------------------------

ACCOUNT_ACTIONS = ["accounts.member.list", "accounts.member.view", "accounts.member.deactivate",
                   "accounts.member.reactivate", "accounts.member.set_role",
                   "accounts.member.set_expertise", "accounts.invitation.bulk",
                   "accounts.request.approve", "accounts.request.decline"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_member_administration_is_for_administrators_alone(world, role, action):
    user, group, _other, ctx = world(role, GroupVisibility.MEMBERS)
    try:
        target = group.memberships[0].user if group.memberships else None
        assert permissions.allowed(action, user, target) == (role == "admin")
    finally:
        ctx.pop()


@pytest.mark.parametrize("role", ROLES)
def test_group_handover_is_for_the_groups_facilitators_and_administrators(world, role):
    user, group, _other, ctx = world(role, GroupVisibility.MEMBERS)
    try:
        expected = role in ("admin", "facilitator")
        for action in ("accounts.group.transfer_facilitator", "accounts.member.add_to_group",
                       "accounts.member.remove_from_group"):
            assert permissions.allowed(action, user, group) == expected, action
    finally:
        ctx.pop()


def test_group_roles_are_read_once_per_change_of_memberships(app, db, make, count_queries):
    """Kept per process while no structural write happened: a page asks the database for a
    member's groups only after memberships changed, and sees a change at once."""
    group, other = make.group(), make.group()
    anna = make.user()
    add_member(None, group, anna, GroupRole.MEMBER)
    db.session.commit()
    with app.test_request_context():
        assert permissions.group_roles(anna) == {group.id: "member"}
    with app.test_request_context(), count_queries() as queries:
        assert permissions.group_roles(anna) == {group.id: "member"}
    assert queries.count == 0
    with app.test_request_context():
        add_member(None, other, anna, GroupRole.FACILITATOR)
        # Within the request that changed them, before its commit: read from the database.
        assert permissions.group_roles(anna) == {group.id: "member", other.id: "facilitator"}
        db.session.commit()
    with app.test_request_context():
        assert permissions.group_roles(anna) == {group.id: "member", other.id: "facilitator"}
    # A change committed elsewhere (another process, a CLI command) without this request's help.
    db.session.execute(delete(Membership).where(Membership.group_id == other.id))
    db.session.commit()
    with app.test_request_context():
        assert permissions.group_roles(anna) == {group.id: "member"}
