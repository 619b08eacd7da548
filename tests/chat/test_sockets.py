"""The chat namespace: who may connect and join, and what each event does."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from network.chat.models import ChatMessage


def test_logged_out_visitors_cannot_connect(chat):
    client = chat(None)
    assert not client.connected


def test_members_join_and_get_history_and_presence(chat, make, make_room):
    member = make.user(name="Anna")
    room = make_room()
    room.group  # noqa: B018
    from network.accounts import services as accounts

    accounts.add_member(None, room.group, member)
    client = chat(member)
    assert client.connected
    answer = client.join(room)
    assert answer["ok"] is True
    assert answer["messages"] == []
    assert [u["name"] for u in answer["presence"]] == ["Anna"]


def test_a_retried_send_is_stored_once(chat, make, make_room, db):
    member = make.user()
    room = make_room()
    from network.accounts import services as accounts

    accounts.add_member(None, room.group, member)
    client = chat(member)
    client.join(room)
    key = str(uuid.uuid4())
    first = client.send(room, "Hej", key)
    second = client.send(room, "Hej", key)
    assert first["ok"] and second["ok"]
    assert first["id"] == second["id"]
    assert second["duplicate"] is True
    assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 1
