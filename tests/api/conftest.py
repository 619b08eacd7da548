"""API fixtures: a small world with public, members' and closed-group content, and tokens."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest

from network.accounts.models import GroupVisibility
from network.api import tokens
from network.events import services as events
from network.events.models import EventType
from network.forums import services as forums
from network.resources import services as resources
from tests.resources.conftest import make_pdf

SECRET = "Hemligt-zebra-kvarter"  # a word only closed-group content contains
START = dt.datetime(2027, 3, 10, 10, 0)


@dataclass
class World:
    admin: Any
    outsider: Any
    insider: Any
    facilitator: Any
    open_group: Any
    closed_group: Any
    public_resource: Any
    members_resource: Any
    closed_resource: Any
    public_event: Any
    members_event: Any
    closed_event: Any
    public_topic: Any
    closed_topic: Any


def _resource(actor, title, visibility, group=None):
    reason = "Nätverkets eget material, publiceras direkt" if visibility == "public" else ""
    return resources.create_resource(
        actor, title=title, type="metodstod", visibility=visibility, override_reason=reason,
        group_id=group.id if group else None,
        uploads=[resources.Upload(io.BytesIO(make_pdf(title)), "guide.pdf")])


def _event(actor, group, title, visibility, start=START):
    return events.create_event(actor, events.EventData(
        type=EventType.NETWORK_MEETING, group=group, title=title, start=start,
        end=start + dt.timedelta(hours=2), visibility=visibility, place="Stadshuset, rum 4"))


@pytest.fixture
def world(make, db) -> World:
    admin = make.admin(name="Ada Admin")
    outsider = make.user(name="Otto Utanför")
    insider = make.user(name="Inga Inne")
    facilitator = make.user(name="Fia Facilitator")
    open_group = make.group(name="Öppna gruppen", visibility=GroupVisibility.PUBLIC,
                            facilitators=[facilitator], members=[outsider])
    closed_group = make.group(name=f"Slutna gruppen {SECRET}", visibility=GroupVisibility.CLOSED,
                              facilitators=[facilitator], members=[insider])
    public_category = forums.create_category(admin, "Allmänt", visibility="public")
    closed_category = forums.create_category(admin, f"Inre {SECRET}", group=closed_group)
    public_post, _ = forums.create_topic(admin, public_category, "Trygghetsvandringar", "Hur gör ni?")
    closed_post, _ = forums.create_topic(insider, closed_category, f"Inre tråd {SECRET}",
                                         f"Bara för gruppen: {SECRET}")
    world = World(
        admin=admin, outsider=outsider, insider=insider, facilitator=facilitator,
        open_group=open_group, closed_group=closed_group,
        public_resource=_resource(admin, "Öppet metodstöd", "public"),
        members_resource=_resource(admin, "Medlemmarnas metodstöd", "members"),
        closed_resource=_resource(insider, f"Gruppens metodstöd {SECRET}", "group", closed_group),
        public_event=_event(facilitator, open_group, "Öppen nätverksträff", "public"),
        members_event=_event(facilitator, open_group, "Medlemsträff", "members",
                             START + dt.timedelta(days=1)),
        closed_event=_event(facilitator, closed_group, f"Slutet möte {SECRET}", "group",
                            START + dt.timedelta(days=2)),
        public_topic=public_post.topic, closed_topic=closed_post.topic,
    )
    db.session.commit()
    return world


@pytest.fixture
def bearer(db):
    """``bearer(user, "read write")`` → headers carrying a fresh token of ``user``."""

    def _bearer(user, scopes: str = "read", days: int = 30) -> dict[str, str]:
        _row, token = tokens.create_token(user, name="test", scopes=scopes.split(), days=days)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer
