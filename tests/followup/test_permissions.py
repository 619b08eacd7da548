"""Who sees a municipality's follow-up: its local group(s) and the admins, nobody else."""

from __future__ import annotations

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from network.accounts.models import GroupKind, GroupVisibility
from network.followup import permissions as followup_permissions
from network.followup.models import Measure
from tests.followup.helpers import public_charts


def test_local_group_members_and_admins_see_the_municipality(world):
    for user in (world.member, world.facilitator, world.admin):
        assert followup_permissions.can_view_municipality(user, "0180")
    for user in (world.outsider, world.other_local, AnonymousUserMixin()):
        assert not followup_permissions.can_view_municipality(user, "0180")


def test_only_facilitators_and_admins_decide_what_becomes_public(world):
    assert followup_permissions.can_decide_public(world.facilitator, "0180")
    assert followup_permissions.can_decide_public(world.admin, "0180")
    assert not followup_permissions.can_decide_public(world.member, "0180")
    assert not followup_permissions.can_decide_public(world.other_local, "0180")


def test_the_sql_filter_agrees_with_the_predicate(world, db):
    for user in (world.member, world.outsider, world.other_local, world.admin, AnonymousUserMixin()):
        visible = followup_permissions.municipality_filter(user, Measure.municipality_code)
        listed = set(db.session.scalars(select(Measure.id).where(visible)))
        expected = {world.measure.id} if followup_permissions.can_view_measure(user, world.measure) else set()
        assert listed == expected


def test_a_second_local_group_of_the_municipality_also_sees_it(world, make):
    second = make.user()
    make.group(name="Lokal samverkan Stockholm syd", kind=GroupKind.LOCAL,
               visibility=GroupVisibility.CLOSED, municipality_code="0180", members=[second])
    assert followup_permissions.can_view_municipality(second, "0180")
    assert followup_permissions.primary_group_id("0180") == world.group.id


def test_thematic_groups_tied_to_a_municipality_do_not_grant_access(world, make):
    user = make.user()
    make.group(name="Tema", kind=GroupKind.THEMATIC, municipality_code="0180", members=[user])
    assert not followup_permissions.can_view_municipality(user, "0180")


def test_an_archived_local_group_no_longer_grants_access(world, make, db):
    user = make.user()
    group = make.group(name="Gammal", kind=GroupKind.LOCAL, municipality_code="0180", members=[user])
    group.archived = True
    db.session.flush()
    assert not followup_permissions.can_view_municipality(user, "0180")


def test_charts_are_public_only_when_the_municipality_says_so(world):
    anonymous = AnonymousUserMixin()
    assert not followup_permissions.can_view_charts(anonymous, world.measure)
    public_charts(world)
    assert followup_permissions.can_view_charts(anonymous, world.measure)
