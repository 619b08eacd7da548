"""Chat fixtures: rooms, and Socket.IO test clients tied to logged-in Flask test clients."""

from __future__ import annotations

import uuid

import pytest

from network.chat import services
from network.chat.broadcast import NAMESPACE
from network.extensions import socketio


@pytest.fixture
def make_room(db, make):
    def _make_room(group=None, title="Workshop om trygghet", facilitator=None, **kw):
        if group is None:
            facilitator = facilitator or make.user()
            group = make.group(facilitators=[facilitator])
        room = services.create_room(facilitator, group, title, **kw)
        db.session.commit()
        return room

    return _make_room


class ChatClient:
    """A Socket.IO test client with helpers for the chat's events."""

    def __init__(self, sio, user) -> None:
        self.sio = sio
        self.user = user

    def call(self, event, data=None):
        return self.sio.emit(event, data, namespace=NAMESPACE, callback=True)

    def join(self, room, **extra):
        return self.call("join", {"room_id": room.id, **extra})

    def send(self, room, body="Hej alla", client_uuid=None):
        return self.call("send", {"room_id": room.id, "body": body,
                                  "client_uuid": client_uuid or str(uuid.uuid4())})

    def received(self, name=None):
        """Events received since the last call, each with its one payload under "args"."""
        events = self.sio.get_received(NAMESPACE)
        for e in events:
            # Events emitted inside a handler arrive as an argument list, others bare.
            if isinstance(e["args"], list) and len(e["args"]) == 1:
                e["args"] = e["args"][0]
        return [e for e in events if name is None or e["name"] == name]

    @property
    def connected(self):
        return self.sio.is_connected(NAMESPACE)


@pytest.fixture
def chat(app, login):
    """``chat(user)`` returns a connected ChatClient (or a refused one for None)."""
    clients = []

    def _chat(user=None):
        flask_client = login(user) if user is not None else app.test_client()
        sio = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=flask_client)
        client = ChatClient(sio, user)
        clients.append(client)
        return client

    yield _chat
    for client in clients:
        if client.connected:
            client.sio.disconnect(NAMESPACE)
