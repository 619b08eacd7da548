"""Follow-up fixtures: a municipality (Stockholm, 0180) with its local group, people in and out
of it, an action plan with one measure and one indicator."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest

from network.accounts.models import GroupKind, GroupVisibility, OrganisationType
from network.chat import services as chat
from network.followup import duties, services
from network.forums import services as forums

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


@pytest.fixture
def activity(world, make, db):
    """Forum, chat and support activity from people in Stockholm (01) and Malmö (12)."""
    stockholm = make.user(organisation=make.organisation("Stockholms stad", municipality_code="0180"))
    malmo = make.user(organisation=make.organisation("Polisen Malmö", type=OrganisationType.POLIS,
                                                     municipality_code="1280"))
    category = forums.create_category(world.admin, "Metoder", group=None)
    first, _created = forums.create_topic(stockholm, category, "Trygghetsvandringar", "Hur gör ni?")
    forums.reply(malmo, first.topic, "Vi går varje torsdag.")
    forums.create_topic(malmo, category, "Gammal tråd", "Från förra året",
                        now=dt.datetime(duties.today().year - 1, 6, 1, tzinfo=dt.UTC))
    organiser = make.user()
    group = make.group(facilitators=[organiser], members=[malmo])
    room = chat.create_room(organiser, group, "Workshop")
    chat.post_message(malmo, room, "Hej från Malmö", str(uuid.uuid4()))
    services.add_support(world.admin, "0180", date=duties.today(), topic="Lägesbild", form="workshop",
                         hours="3", given_by="Brå")
    db.session.commit()
    return stockholm, malmo
