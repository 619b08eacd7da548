"""Real network: server processes on loopback ports, python-socketio clients, Redis between them.

Marked ``redis``: they run whenever the local Redis answers (always in CI, where a missing Redis
fails the run) and skip with the reason elsewhere.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid

import pytest

from bench.harness import free_port
from tests.chat import live

pytestmark = pytest.mark.redis


@pytest.fixture(params=["threading", "gevent"])
def cluster(request, tmp_path, redis_url):
    """Two single-process servers on their own ports sharing one database and one Redis: the
    embedded server (``python -m network``) and README's scaled one (gunicorn, gevent worker)."""
    ports = [free_port(), free_port()]
    env = live.base_env(tmp_path, redis_url, ports)
    info = live.prepare_database(env)
    servers = [live.Server(env, port, tmp_path / f"server-{port}.log", kind=request.param)
               for port in ports]
    clients: list[live.LiveClient] = []
    try:
        for server in servers:
            server.start()
        yield {"env": env, "info": info, "servers": servers, "clients": clients}
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.stop()


def connect(cluster, server_index, user_index):
    server = cluster["servers"][server_index]
    email = cluster["info"]["users"][user_index]
    client = live.LiveClient(server.url, live.login_cookie(server.url, email),
                             cluster["info"]["room_id"]).connect()
    cluster["clients"].append(client)
    return client


def test_clients_on_two_processes_talk_both_ways_and_hear_the_cli(cluster):
    anna = connect(cluster, 0, 0)
    bo = connect(cluster, 1, 1)
    assert anna.send("Hej från process ett")["ok"]
    assert bo.send("Hej från process två")["ok"]
    for client in (anna, bo):
        assert client.wait_for(lambda c=client: {"Hej från process ett", "Hej från process två"}
                               <= set(c.bodies()))
    said = subprocess.run([live.FLASK, "--app", "network", "chat-say",
                           str(cluster["info"]["room_id"]), "Workshoppen börjar om fem minuter"],
                          env=cluster["env"], cwd=live.ROOT, capture_output=True, text=True, timeout=60)
    assert said.returncode == 0, said.stderr
    for client in (anna, bo):
        assert client.wait_for(lambda c=client: "Workshoppen börjar om fem minuter" in c.bodies())
    # Each message exactly once, in the same order everywhere.
    assert anna.bodies() == bo.bodies()
    assert len(anna.bodies()) == 3


def test_connections_from_other_origins_are_refused(cluster):
    server = cluster["servers"][0]
    client = live.LiveClient(server.url, live.login_cookie(server.url, cluster["info"]["users"][0]),
                             cluster["info"]["room_id"])
    with pytest.raises(Exception):  # noqa: B017 - the client raises its own ConnectionError
        client.sio.connect(server.url, headers={"Cookie": client.cookie, "Origin": "https://evil.example"},
                           namespaces=["/chat"], transports=["websocket"], wait_timeout=5)
    client.close()


def test_without_a_session_cookie_the_socket_is_refused(cluster):
    server = cluster["servers"][0]
    client = live.LiveClient(server.url, "", cluster["info"]["room_id"])
    with pytest.raises(Exception):  # noqa: B017
        client.sio.connect(server.url, namespaces=["/chat"], transports=["websocket"], wait_timeout=5)
    client.close()


def test_a_restarted_server_loses_no_acknowledged_message(cluster):
    """Clients keep sending while process one restarts; afterwards everyone has every
    acknowledged message exactly once."""
    anna = connect(cluster, 0, 0)   # on the server that restarts
    bo = connect(cluster, 1, 1)     # on the one that stays up
    acked: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def keep_sending(client, name):
        n = 0
        while not stop.is_set() and n < 200:
            body, key = f"{name} {n}", str(uuid.uuid4())
            for _attempt in range(40):  # retry with the same UUID until acknowledged
                try:
                    answer = client.send(body, key, timeout=2)
                except Exception:  # noqa: BLE001 - disconnected: wait for the reconnect
                    time.sleep(0.25)
                    continue
                if answer.get("ok"):
                    with lock:
                        acked[body] = answer["id"]
                    break
                if answer.get("code") == "rate_limited":
                    time.sleep(1)
                    continue
                time.sleep(0.25)  # e.g. "not_joined" just after a reconnect
            n += 1
            time.sleep(0.3)

    senders = [threading.Thread(target=keep_sending, args=(c, name))
               for c, name in ((anna, "anna"), (bo, "bo"))]
    for t in senders:
        t.start()
    time.sleep(2)
    server = cluster["servers"][0]
    server.stop()
    time.sleep(1)
    server.start()
    time.sleep(3)
    stop.set()
    for t in senders:
        t.join(timeout=60)
    assert anna.wait_for(lambda: anna.sio.connected, timeout=20)
    assert len(acked) > 10
    expected = dict(sorted(acked.items(), key=lambda kv: kv[1]))
    for client in (anna, bo):
        assert client.wait_for(lambda c=client: set(expected) <= set(c.bodies()), timeout=20), (
            set(expected) - set(client.bodies()))
        ids_by_body = {}
        for message_id, message in client.messages.items():
            ids_by_body.setdefault(message["body"], []).append(message_id)
        assert all(len(ids) == 1 for ids in ids_by_body.values())
        assert all(ids_by_body[body] == [mid] for body, mid in expected.items())


def test_make_run_serves_websockets_with_flask_run(tmp_path):
    """``make run`` serves with ``flask run``: the chat's websockets work there too (no Redis)."""
    port = free_port()
    env = live.base_env(tmp_path, None, [port])
    info = live.prepare_database(env)
    server = live.Server(env, port, tmp_path / "flask-run.log", kind="flask_run").start()
    clients = []
    try:
        for email in info["users"][:2]:
            clients.append(live.LiveClient(server.url, live.login_cookie(server.url, email),
                                           info["room_id"]).connect())
        assert clients[0].sio.transport() == "websocket"
        assert clients[0].send("via flask run")["ok"]
        assert clients[1].wait_for(lambda: "via flask run" in clients[1].bodies())
    finally:
        for client in clients:
            client.close()
        server.stop()
