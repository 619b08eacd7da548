"""Real network: a person removed from the group stops hearing the room on every process.

Servers are real processes on loopback ports (tests/chat/live.py); the removal is the
facilitator's ordinary form post on the group page. One embedded process without Redis, and two
processes sharing Redis (the socket is on the other process than the one handling the removal).
"""

from __future__ import annotations

import json
import re
import subprocess
import threading

import pytest
import requests

from bench.harness import free_port
from tests.chat import live

SETUP = """
import json
from network import create_app
from network.accounts import services as accounts
from network.accounts.models import GroupRole
from network.chat import services as chat
from network.extensions import db
app = create_app()
with app.app_context():
    fac = accounts.create_user("fac@example.se", "losenord-for-test-1", "Samtalsledare")
    anna = accounts.create_user("anna@example.se", "losenord-for-test-1", "Anna")
    bo = accounts.create_user("bo@example.se", "losenord-for-test-1", "Bo")
    group = accounts.create_group(None, "Workshopgruppen", "thematic")
    accounts.add_member(None, group, fac, GroupRole.FACILITATOR)
    accounts.add_member(None, group, anna)
    accounts.add_member(None, group, bo)
    room = chat.create_room(fac, group, "Livetest")
    db.session.commit()
    print(json.dumps({"room_id": room.id, "group_id": group.id, "anna_id": anna.id}))
"""


def prepare(env: dict) -> dict:
    subprocess.run([live.FLASK, "--app", "network", "db", "upgrade", "heads"], env=env,
                   cwd=live.ROOT, check=True, capture_output=True, timeout=120)
    out = subprocess.run([live.PYTHON, "-c", SETUP], env=env, cwd=live.ROOT, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


class WatchedClient(live.LiveClient):
    """A live client that also records ``access_revoked`` events."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.revoked: list[dict] = []
        self._revoked_lock = threading.Lock()
        self.sio.on("access_revoked", self._on_revoked, namespace="/chat")

    def _on_revoked(self, data: dict) -> None:
        with self._revoked_lock:
            self.revoked.append(data)


def remove_from_group(base_url: str, email: str, group_id: int, user_id: int) -> None:
    """The facilitator's own form post on the group page, with its CSRF token."""
    with requests.Session() as http:
        page = http.get(base_url + "/logga-in", timeout=10)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        answer = http.post(base_url + "/logga-in", timeout=10, allow_redirects=False, data={
            "email": email, "password": "losenord-for-test-1", "csrf_token": token})
        assert answer.status_code == 302
        page = http.get(f"{base_url}/grupper/{group_id}", timeout=10)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        answer = http.post(f"{base_url}/grupper/{group_id}/medlemmar/{user_id}/ta-bort",
                           data={"csrf_token": token}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:300]


@pytest.fixture
def servers(request, tmp_path):
    """``servers(n, redis_url)`` starts n server processes sharing one database."""
    started: list[live.Server] = []
    clients: list[live.LiveClient] = []

    def _start(count: int, redis_url: str | None):
        ports = [free_port() for _ in range(count)]
        env = live.base_env(tmp_path, redis_url, ports)
        info = prepare(env)
        for port in ports:
            started.append(live.Server(env, port, tmp_path / f"server-{port}.log").start())
        return info, started, clients

    yield _start
    for client in clients:
        client.close()
    for server in started:
        server.stop()


def connect(server, email, room_id, clients, cls=live.LiveClient):
    client = cls(server.url, live.login_cookie(server.url, email), room_id)
    client.connect()
    clients.append(client)
    return client


def check_removal_reaches_the_socket(info, socket_server, action_server, clients):
    room_id = info["room_id"]
    anna = connect(socket_server, "anna@example.se", room_id, clients, WatchedClient)
    bo = connect(socket_server, "bo@example.se", room_id, clients)
    fac = connect(action_server, "fac@example.se", room_id, clients)
    assert fac.send("Före")["ok"]
    assert anna.wait_for(lambda: "Före" in anna.bodies())
    remove_from_group(action_server.url, "fac@example.se", info["group_id"], info["anna_id"])
    assert anna.wait_for(lambda: anna.revoked), "no access_revoked event reached the socket"
    assert anna.revoked[0]["room_id"] == room_id and anna.revoked[0]["code"] == "removed"
    assert fac.send("Efter")["ok"]
    # Bo, on the same process as Anna, hears it: by then Anna would have too, were she in the room.
    assert bo.wait_for(lambda: "Efter" in bo.bodies())
    assert "Efter" not in anna.bodies()
    assert anna.sio.connected  # out of the room, not thrown off the network


def test_removed_member_stops_hearing_the_room_on_one_process(servers):
    info, started, clients = servers(1, None)
    check_removal_reaches_the_socket(info, started[0], started[0], clients)


@pytest.mark.redis
def test_removed_member_stops_hearing_the_room_on_another_process(servers, redis_url):
    info, started, clients = servers(2, redis_url)
    check_removal_reaches_the_socket(info, started[1], started[0], clients)
