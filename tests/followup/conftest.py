"""Follow-up fixtures: a municipality (Stockholm, 0180) with its local group, people in and out
of it, an action plan with one measure and one indicator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from network.accounts.models import GroupKind, GroupVisibility, OrganisationType
from network.followup import services

CODE = "0180"


@dataclass
class World:
    member: object
    facilitator: object
    outsider: object
    other_local: object
    admin: object
    group: object
    plan: object
    measure: object
    indicator: object
    area: object
    police: object


def build_world(make, db) -> World:
    member, facilitator, outsider, other_local = make.user(), make.user(), make.user(), make.user()
    admin = make.admin()
    group = make.group(name="Lokal samverkan Stockholm", kind=GroupKind.LOCAL,
                       visibility=GroupVisibility.CLOSED, municipality_code=CODE,
                       members=[member], facilitators=[facilitator])
    make.group(name="Lokal samverkan Malmö", kind=GroupKind.LOCAL, visibility=GroupVisibility.CLOSED,
               municipality_code="1280", members=[other_local])
    area = make.area(CODE, name="Rinkeby")
    police = make.organisation("Polisen Rinkeby", type=OrganisationType.POLIS)
    plan = services.save_plan(admin, CODE, title="Åtgärdsplan Stockholm", start_year=2025, end_year=2027,
                              description="Planen")
    measure = services.save_measure(
        admin, plan, title="Trygghetsvandringar i Rinkeby", problem="Otrygghet kvällstid vid torget",
        description="Vi *vandrar*.", theme="trygghet", status="pagar", start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 12, 31), responsible_id=police.id, partner_ids=[], area_ids=[area.id])
    indicator = services.save_indicator(
        admin, measure, name="Andel trygga kvällstid", unit="procent", source="Trygghetsmätning",
        baseline_value="40", baseline_date=dt.date(2024, 12, 31), target_value="55",
        target_date=dt.date(2026, 12, 31))
    db.session.commit()
    return World(member, facilitator, outsider, other_local, admin, group, plan, measure, indicator,
                 area, police)


@pytest.fixture
def world(app, make, db) -> World:
    return build_world(make, db)
