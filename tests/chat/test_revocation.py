"""Access changes reach open sockets (network/chat/revocation.py), through the Socket.IO test client."""

from __future__ import annotations

import pytest

from network.accounts import members
from network.accounts import services as accounts
from network.chat import revocation


@pytest.fixture
def people(make, db):
    facilitator = make.user(name="Fia Facilitator")
    admin = make.admin(name="Ada Admin")
    anna = make.user(name="Anna Andersson")
    bo = make.user(name="Bo Berg")
    group = make.group(members=[anna, bo], facilitators=[facilitator])
    db.session.commit()
    return {"fac": facilitator, "admin": admin, "anna": anna, "bo": bo, "group": group}


@pytest.fixture
def room(make_room, people):
    return make_room(group=people["group"], facilitator=people["fac"])


def bodies(client):
    return [e["args"]["body"] for e in client.received("message")]


def test_removed_from_the_group_the_open_socket_leaves_the_room_at_once(chat, people, room, db):
    anna, bo, fac = chat(people["anna"]), chat(people["bo"]), chat(people["fac"])
    for client in (anna, bo, fac):
        assert client.join(room)["ok"]
    for client in (anna, bo, fac):
        client.received()
    accounts.remove_member(people["fac"], people["group"], people["anna"])
    db.session.commit()
    revoked = anna.received("access_revoked")
    assert [e["args"]["room_id"] for e in revoked] == [room.id]
    assert revoked[0]["args"]["code"] == "removed"
    assert revoked[0]["args"]["message"] == "Du har inte längre tillgång till det här rummet."
    assert fac.send(room, "Nu utan Anna")["ok"]
    assert "Nu utan Anna" in bodies(bo)
    assert bodies(anna) == []  # no later room message reaches her, without her doing anything


def test_leaving_the_group_oneself_also_leaves_the_room(chat, people, room, db):
    bo, fac = chat(people["bo"]), chat(people["fac"])
    bo.join(room)
    fac.join(room)
    bo.received()
    accounts.leave_group(people["bo"], people["group"])
    db.session.commit()
    assert bo.received("access_revoked")
    fac.send(room, "Hejdå Bo")
    assert bodies(bo) == []


def test_a_rolled_back_removal_changes_no_socket(chat, people, room, db):
    anna, fac = chat(people["anna"]), chat(people["fac"])
    anna.join(room)
    fac.join(room)
    anna.received()
    accounts.remove_member(people["fac"], people["group"], people["anna"])
    db.session.rollback()
    assert anna.received("access_revoked") == []
    fac.send(room, "Fortfarande med")
    assert bodies(anna) == ["Fortfarande med"]


def test_deactivation_disconnects_every_socket_of_the_person(chat, people, room, db):
    first, second, fac = chat(people["anna"]), chat(people["anna"]), chat(people["fac"])
    first.join(room)
    second.join(room)
    fac.join(room)
    for client in (first, second):
        client.received()
    members.deactivate(people["admin"], people["anna"])
    db.session.commit()
    for client in (first, second):
        assert not client.connected
        # The test client refuses get_received() once disconnected; its queue still holds what
        # arrived before the disconnect.
        revoked = [p for p in client.sio.queue if p["name"] == "access_revoked"]
        assert revoked and revoked[0]["args"][0]["room_id"] is None
    fac.send(room, "Efter inaktiveringen")
    assert revocation.registry().sockets_of(people["anna"].id) == {}


def test_other_rooms_the_person_may_still_see_stay_joined(chat, people, room, make_room, make, db):
    other_group = make.group(members=[people["anna"]], facilitators=[people["fac"]])
    db.session.commit()
    other_room = make_room(group=other_group, facilitator=people["fac"], title="Andra rummet")
    anna, fac = chat(people["anna"]), chat(people["fac"])
    anna.join(room)
    anna.join(other_room)
    fac.join(other_room)
    anna.received()
    accounts.remove_member(people["fac"], people["group"], people["anna"])
    db.session.commit()
    assert [e["args"]["room_id"] for e in anna.received("access_revoked")] == [room.id]
    fac.send(other_room, "Här är du kvar")
    assert bodies(anna) == ["Här är du kvar"]
    assert list(revocation.registry().sockets_of(people["anna"].id).values()) == [{other_room.id}]


def test_the_registry_forgets_a_socket_that_disconnects(chat, people, room):
    anna = chat(people["anna"])
    anna.join(room)
    assert list(revocation.registry().sockets_of(people["anna"].id).values()) == [{room.id}]
    anna.sio.disconnect("/chat")
    assert revocation.registry().sockets_of(people["anna"].id) == {}
