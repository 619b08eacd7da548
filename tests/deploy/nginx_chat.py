"""The chat and fail-over part of the end-to-end deployment test (tests/deploy/test_install_e2e.py).

Through nginx: two Socket.IO clients (long-polling first, then the websocket upgrade, with the
route cookie nginx sets, as a browser does) land on different chat processes and talk; then one
page process and one chat process are killed. Every request after the kill is answered by the
other page process, and no acknowledged message is lost: the client of the killed chat process
reconnects through nginx to the other one and catches up from the database.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import requests

from tests.chat import live

DEADLINE = 120  # seconds to wait for a condition on a busy machine, not a measured figure

ROOM_SETUP = """
import sys
from sqlalchemy import select
from network import create_app
from network.accounts import services as accounts
from network.accounts.models import User
from network.chat import services as chat
from network.extensions import db
app = create_app()
with app.app_context():
    admin = db.session.scalar(select(User).where(User.email == sys.argv[1]))
    group = accounts.create_group(None, "Trygghetsvandring Rosengård", "thematic")
    room = chat.create_room(admin, group, "Workshop: belysning i parken")
    db.session.commit()
    print(room.id)
"""


def wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    assert predicate(), f"gave up waiting: {what}"


def _session(cert: Path, cookies=None) -> requests.Session:
    http = requests.Session()
    http.verify = str(cert)
    http.trust_env = False
    if cookies is not None:
        http.cookies.update(cookies)
    return http


def log_in(public: str, cert: Path, email: str, password: str) -> requests.Session:
    web = _session(cert)
    form = web.get(f"{public}/logga-in")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
    answer = web.post(f"{public}/logga-in", allow_redirects=False,
                      headers={"Referer": f"{public}/logga-in"},
                      data={"csrf_token": token, "email": email, "password": password})
    assert answer.status_code == 302, answer.text[:2000]
    return web


def _process_of(client: live.LiveClient, processes, chat_ports: list[int]) -> int | None:
    """The chat port nginx routed this client to: its access log (the test's format) names the
    route cookie and the upstream of each request; the websocket is only logged once it ends,
    but the handshake before it carries the same route."""
    route = client.sio.eio.http.cookies.get("network_chat_route")
    if not route:
        return None
    for line in processes.log("nginx-access").splitlines():
        if f"route={route} " in line and "/socket.io/" in line:
            # After a retry the last upstream is the one that answered.
            port = int(line.rsplit("upstream=", 1)[1].split(",")[-1].strip().rsplit(":", 1)[1])
            if port in chat_ports:
                return port
    return None


def _connect_on_each_process(public, cert, web, room_id, processes, chat_ports, clients):
    """Clients connect (each with a fresh route cookie) until one sits on each chat process."""
    placed: dict[int, live.LiveClient] = {}
    for _attempt in range(16):  # each lands on either process: 16 tries fail once in 30,000
        client = live.LiveClient(public, "", room_id, http_session=_session(cert, web.cookies))
        clients.append(client)  # closed by the caller, also when connecting fails
        client.connect(transports=("polling", "websocket"))
        wait_until(lambda c=client: _process_of(c, processes, chat_ports) is not None,
                   "nginx set a route cookie and logged its upstream")
        port = _process_of(client, processes, chat_ports)
        if port in placed:
            client.close()
            continue
        placed[port] = client
        if len(placed) == len(chat_ports):
            break
    assert len(placed) == len(chat_ports), f"all clients landed on {list(placed)}"
    for client in placed.values():
        wait_until(lambda c=client: c.sio.transport() == "websocket", "the websocket upgrade")
    return [placed[port] for port in chat_ports]


def _send_until_acknowledged(client: live.LiveClient, body: str) -> int:
    key = str(uuid.uuid4())
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            answer = client.send(body, key, timeout=10)
        except Exception:  # noqa: BLE001 - disconnected: the same UUID once reconnected
            time.sleep(0.5)
            continue
        if answer.get("ok"):
            return answer["id"]
        time.sleep(0.5)  # e.g. "not_joined" just after a reconnect
    raise AssertionError(f"{body!r} was never acknowledged")


def _kill(processes, name: str) -> None:
    process = dict(processes.running)[name]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def chat_and_fail_over(public: str, cert: Path, app_dir: Path, service_env: dict, processes,
                       page_ports: list[int], chat_ports: list[int], email: str,
                       password: str) -> None:
    made = subprocess.run([str(app_dir / ".venv/bin/python"), "-c", ROOM_SETUP, email], cwd=app_dir,
                          env=service_env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-3000:]
    room_id = int(made.stdout.strip().splitlines()[-1])
    web = log_in(public, cert, email, password)
    clients: list[live.LiveClient] = []
    try:
        anna, bo = _connect_on_each_process(public, cert, web, room_id, processes, chat_ports, clients)
        acked = {"Hej från första chattprocessen": _send_until_acknowledged(anna, "Hej från första "
                                                                            "chattprocessen"),
                 "Hej från andra": _send_until_acknowledged(bo, "Hej från andra")}
        for client in (anna, bo):
            wait_until(lambda c=client: set(acked) <= set(c.bodies()), "both hear both")

        # A page process dies: every later request, a form post among them, gets its answer.
        _kill(processes, f"page-{page_ports[0]}")
        for path in ["/", f"/workshoppar/{room_id}", "/bibliotek", "/"] * 5:
            assert web.get(f"{public}{path}").status_code == 200, path
        log_in(public, cert, email, password).close()

        # Anna's chat process dies; Bo keeps writing; Anna reconnects elsewhere and writes too.
        joins = anna.joins
        _kill(processes, f"chat-{chat_ports[0]}")
        for n in range(5):
            body = f"Medan första processen är nere {n}"
            acked[body] = _send_until_acknowledged(bo, body)
        wait_until(lambda: anna.joins > joins, "Anna rejoins through nginx")
        for n in range(3):
            body = f"Anna igen {n}"
            acked[body] = _send_until_acknowledged(anna, body)
        for client in (anna, bo):
            wait_until(lambda c=client: set(acked) <= set(c.bodies()), "every acknowledged message")
            with client.lock:
                by_body = {}
                for message_id, message in client.messages.items():
                    by_body.setdefault(message["body"], []).append(message_id)
            assert {body: by_body[body] for body in acked} == {b: [i] for b, i in acked.items()}
    finally:
        for client in clients:
            client.close()
        web.close()
