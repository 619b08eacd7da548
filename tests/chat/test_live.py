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
    env["CHAT_RATE_LIMIT"] = "1000"  # the bursts below are the point, not the rate limit
    info = live.prepare_database(env, participants=3)
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
    client = live.LiveClient(server.url, live.login_cookie(server.url, email), cluster["info"]["room_id"])
    cluster["clients"].append(client)  # closed by the fixture even when connecting fails
    return client.connect()


def burst(sender, receivers, count=50):
    """``count`` sends emitted back to back (none waits for the previous acknowledgement); every
    one is acknowledged, stored in sending order and arrives in that order at every receiver."""
    bodies = [f"{id(sender)} burst {n}" for n in range(count)]
    answers: dict[str, dict] = {}
    for body in bodies:
        sender.send_without_waiting(body, answers)
    assert sender.wait_for(lambda: len(answers) == count), f"{len(answers)} of {count} acknowledged"
    assert all(answers[b]["ok"] for b in bodies), [answers[b] for b in bodies if not answers[b]["ok"]]
    ids = [answers[b]["id"] for b in bodies]
    assert ids == sorted(ids), ids
    for client in receivers:
        assert client.wait_for(lambda c=client: len(c.arrived(bodies)) == count), len(client.arrived(bodies))
        assert [m["body"] for m in client.arrived(bodies)] == bodies


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


def test_back_to_back_sends_arrive_in_sending_order_on_one_process_and_across_two(cluster):
    anna = connect(cluster, 0, 0)
    bo = connect(cluster, 0, 1)  # on the sender's process
    cilla = connect(cluster, 1, 2)  # on the other process, through Redis
    burst(anna, [anna, bo, cilla])
    burst(cilla, [anna, bo, cilla])


def test_a_megabyte_payload_gets_an_error_event_and_the_connection_stays(cluster):
    anna = connect(cluster, 0, 0)
    bo = connect(cluster, 1, 1)
    answer = anna.send("x" * 1024 * 1024)
    assert answer["ok"] is False and answer["code"] == "too_long"
    assert anna.wait_for(lambda: [e["code"] for e in anna.errors] == ["too_long"])
    assert anna.sio.connected
    assert anna.send("Efter det för långa")["ok"]
    assert bo.wait_for(lambda: "Efter det för långa" in bo.bodies())
    assert not any(m["body"].startswith("xxx") for m in bo.arrivals)


def test_a_reused_message_id_with_another_text_gets_an_error_event(cluster):
    anna = connect(cluster, 0, 0)
    key = str(uuid.uuid4())
    first = anna.send("Första", key)
    assert first["ok"]
    assert anna.send("Första", key) == {"ok": True, "id": first["id"], "duplicate": True}
    refused = anna.send("Ändrad", key)
    assert refused["ok"] is False and refused["code"] == "reused_id"
    assert anna.wait_for(lambda: [e["code"] for e in anna.errors] == ["reused_id"])
    assert "Ändrad" not in anna.bodies()


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
    def acked_from(name):
        with lock:
            return sum(1 for body in acked if body.startswith(name + " "))

    for t in senders:
        t.start()
    try:
        # Conditions, not durations: a busy machine only makes each step take longer.
        assert anna.wait_for(lambda: acked_from("anna") >= 3 and acked_from("bo") >= 3, timeout=120)
        server = cluster["servers"][0]
        server.stop()
        before = acked_from("anna")
        server.start()
        assert anna.wait_for(lambda: acked_from("anna") >= before + 3, timeout=120)
    finally:
        stop.set()
    for t in senders:
        t.join(timeout=60)
    assert anna.wait_for(lambda: anna.sio.connected)
    expected = dict(sorted(acked.items(), key=lambda kv: kv[1]))
    for client in (anna, bo):
        assert client.wait_for(lambda c=client: set(expected) <= set(c.bodies())), (
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
    env["CHAT_RATE_LIMIT"] = "1000"
    info = live.prepare_database(env)
    server = live.Server(env, port, tmp_path / "flask-run.log", kind="flask_run")
    clients = []
    try:
        server.start()
        for email in info["users"][:2]:
            clients.append(live.LiveClient(server.url, live.login_cookie(server.url, email),
                                           info["room_id"]))
            clients[-1].connect()  # closed below even when connecting fails
        assert clients[0].sio.transport() == "websocket"
        assert clients[0].send("via flask run")["ok"]
        assert clients[1].wait_for(lambda: "via flask run" in clients[1].bodies())
        # Without Redis, on the development server: a burst still arrives in sending order.
        burst(clients[0], clients)
    finally:
        for client in clients:
            client.close()
        server.stop()
