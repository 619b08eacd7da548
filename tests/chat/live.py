"""Helpers for tests against real server processes on loopback ports.

Each server is a subprocess with its own environment: a shared temporary SQLite file migrated
with ``flask db upgrade``, and (when given) the test Redis with the run's Redis names
(``tests.conftest.redis_names``) and a tag of their own, so neither other tests nor parallel runs
cross them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

from bench.harness import answers, wait_until
from tests.conftest import redis_names

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
FLASK = str(Path(sys.executable).with_name("flask"))


def base_env(tmp_path: Path, redis_url: str | None, ports: list[int]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WERKZEUG_"))}
    env.update(redis_names(f"live-{uuid.uuid4().hex[:8]}"))
    env.update({
        "NETWORK_ENV": "development",
        "NETWORK_INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "live-test-secret-key-0123456789abcdef0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[0]}",
        "SOCKETIO_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports),
        "MAIL_TRANSPORT": "console",
        "LOGIN_LIMIT_PER_IP": "10000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "10000 per minute",
    })
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


SETUP = """
import json, sys
from network import create_app
from network.accounts import services as accounts
from network.accounts.models import GroupRole
from network.chat import services as chat
from network.extensions import db
app = create_app()
with app.app_context():
    n = int(sys.argv[1])
    fac = accounts.create_user("fac@example.se", "losenord-for-test-1", "Samtalsledare")
    group = accounts.create_group(None, "Workshopgruppen", "thematic")
    accounts.add_member(None, group, fac, GroupRole.FACILITATOR)
    users = []
    for i in range(n):
        u = accounts.create_user(f"p{i}@example.se", "losenord-for-test-1", f"Deltagare {i}")
        accounts.add_member(None, group, u)
        users.append(u.email)
    room = chat.create_room(fac, group, "Livetest")
    db.session.commit()
    print(json.dumps({"room_id": room.id, "users": users, "facilitator": fac.email}))
"""


def prepare_database(env: dict, participants: int = 2) -> dict:
    subprocess.run([FLASK, "--app", "network", "db", "upgrade", "heads"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    out = subprocess.run([PYTHON, "-c", SETUP, str(participants)], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def server_command(kind: str, port: int) -> list[str]:
    """How each kind of server starts: the embedded commands, and README's chat processes."""
    if kind == "gevent":
        return [PYTHON, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1",
                "--worker-connections", "1000", "--graceful-timeout", "2",
                "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    embedded = {
        "threading": [PYTHON, "-m", "network"],  # socketio.run: threading + simple-websocket
        "flask_run": [FLASK, "--app", "network", "run"],  # what ``make run`` serves with
    }[kind]
    return [*embedded, "--host", "127.0.0.1", "--port", str(port)]


class Server:
    """One server process on a loopback port, started as ``server_command(kind, port)``."""

    def __init__(self, env: dict, port: int, log_path: Path, kind: str = "threading") -> None:
        self.env, self.port, self.log_path, self.kind = env, port, log_path, kind
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 120) -> Server:  # a deadline on a busy machine, not a figure
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(server_command(self.kind, self.port), env=self.env, cwd=ROOT,
                                     stdout=log, stderr=log)
        if wait_until(answers(self.url + "/healthz"), self.proc, timeout):
            return self
        if self.proc.poll() is not None:
            self.stop()  # closes the log
            raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
        self.stop()
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


def login_cookie(base_url: str, email: str, password: str = "losenord-for-test-1") -> str:
    with requests.Session() as http:
        page = http.get(base_url + "/logga-in", timeout=10)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        data = {"email": email, "password": password}
        if token:
            data["csrf_token"] = token.group(1)
        answer = http.post(base_url + "/logga-in", data=data, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class LiveClient:
    """A python-socketio client that joins one room and records every message it sees."""

    def __init__(self, base_url: str, cookie: str, room_id: int, http_session=None) -> None:
        """``cookie`` is sent as a header; or give an ``http_session`` (requests) whose cookie jar
        holds the login and keeps what the server sets, as a browser would."""
        self.base_url, self.cookie, self.room_id = base_url, cookie, room_id
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2,
                                   reconnection_delay_max=1, http_session=http_session)
        self.messages: dict[int, dict] = {}
        self.arrivals: list[dict] = []  # broadcast messages in the order they arrived
        self.errors: list[dict] = []  # chat_error events
        self.lock = threading.Lock()
        self.joined = threading.Event()
        self.joins = 0  # successful joins: more than one after a reconnect
        self.sio.on("message", self._on_message, namespace="/chat")
        self.sio.on("connect", self._on_connect, namespace="/chat")
        self.sio.on("chat_error", self._on_error, namespace="/chat")
        self.sio.on("disconnect", self._keep_websocket, namespace="/chat")
        self._in_arrival_order()
        # python-engineio's client drops (without closing) the websocket of a connection the
        # server ended, and opens a new one to reconnect: each is kept here and closed in
        # close(), so none is left to the garbage collector (a ResourceWarning in a later test).
        self._websockets: list = []

    def _in_arrival_order(self) -> None:
        """python-engineio's client hands every incoming packet to a thread of its own, so under
        load two broadcasts can be recorded in the opposite order to how the server sent them
        (seen: "burst 23" before "burst 22"). A browser handles them in order; so does this client
        once packets are handled on the reading thread. Nothing here waits on the server inside a
        handler (``_join`` runs on its own thread), so that cannot block the reading."""
        eio = self.sio.eio
        trigger = eio._trigger_event

        def in_order(event, *args, **kwargs):
            if event == "message":
                kwargs["run_async"] = False
            return trigger(event, *args, **kwargs)

        eio._trigger_event = in_order

    def _on_message(self, data: dict) -> None:
        with self.lock:
            self.messages.setdefault(data["id"], data)
            self.arrivals.append(data)

    def _on_error(self, data: dict) -> None:
        with self.lock:
            self.errors.append(data)

    def _keep_websocket(self, *_reason) -> None:
        ws = self.sio.eio.ws
        if ws is not None and all(ws is not kept for kept in self._websockets):
            self._websockets.append(ws)

    def _on_connect(self) -> None:
        self._keep_websocket()
        threading.Thread(target=self._join, daemon=True).start()

    def last_id(self) -> int:
        with self.lock:
            return max(self.messages, default=0)

    def _join(self) -> None:
        payload = {"room_id": self.room_id}
        if self.last_id():
            payload["last_id"] = self.last_id()
        try:
            answer = self.sio.call("join", payload, namespace="/chat", timeout=30)
        except Exception:  # noqa: BLE001 - the reconnect will try again
            return
        if answer and answer.get("ok"):
            with self.lock:
                for m in answer["messages"]:
                    self.messages.setdefault(m["id"], m)
                self.joins += 1
            self.joined.set()

    def connect(self, transports=("websocket",), **kw) -> LiveClient:
        """Connect and join; a client that fails to is closed before the error goes up, so no
        socket outlives its test."""
        try:
            self.sio.connect(self.base_url, headers={"Cookie": self.cookie} if self.cookie else {},
                             namespaces=["/chat"],
                             transports=list(transports), wait_timeout=30, **kw)
            assert self.joined.wait(30), "join was not acknowledged"
        except BaseException:
            self.close()
            raise
        return self

    def send_without_waiting(self, body: str, answers: dict, client_uuid: str | None = None) -> None:
        """Emit a send and return at once; its acknowledgement lands in ``answers[body]``."""
        def acknowledged(answer: dict) -> None:
            with self.lock:
                answers[body] = answer

        self.sio.emit("send", {"room_id": self.room_id, "body": body,
                               "client_uuid": client_uuid or str(uuid.uuid4())},
                      namespace="/chat", callback=acknowledged)

    def arrived(self, bodies: set[str] | list[str]) -> list[dict]:
        """The broadcasts of ``bodies`` this client received, in arrival order."""
        wanted = set(bodies)
        with self.lock:
            return [m for m in self.arrivals if m["body"] in wanted]

    def send(self, body: str, client_uuid: str | None = None, timeout: float = 30) -> dict:
        return self.sio.call("send", {"room_id": self.room_id, "body": body,
                                      "client_uuid": client_uuid or str(uuid.uuid4())},
                             namespace="/chat", timeout=timeout)

    def bodies(self) -> list[str]:
        with self.lock:
            return [m["body"] for _id, m in sorted(self.messages.items())]

    def wait_for(self, predicate, timeout: float = 60) -> bool:  # generous: a busy machine
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self.sio.disconnect()
        # A refused connection leaves the Engine.IO client's HTTP session and websocket open.
        eio = self.sio.eio
        with contextlib.suppress(Exception):
            if eio.ws is not None:
                eio.ws.close()
        for ws in [*self._websockets, eio.ws]:
            with contextlib.suppress(Exception):
                if ws is not None:
                    ws.shutdown()  # closes the socket even when the connection is already broken
        with contextlib.suppress(Exception):
            if eio.http is not None:
                eio.http.close()
