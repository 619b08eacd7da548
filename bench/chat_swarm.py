"""Chat swarm: many python-socketio clients in one room, measuring delivery latency and loss.

``python -m bench.chat_swarm [--clients 200 500] [--rate 10] [--duration 20] [--no-redis]``

Scenarios: one server process (gunicorn, one gthread worker, threading mode with
simple-websocket) per client count, then two such processes sharing Redis with the clients split
between them. A few senders post ``rate`` messages per second in total; every client records
each message's delivery latency (send time to arrival, one clock: same machine), and at the end
every acknowledged message must have reached every client exactly once.

Targets (issue 7): 200 clients p99 <= 100 ms; 500 clients p99 <= 250 ms; two processes p99 <=
1.5 x the single-process figure; 0 lost, 0 duplicated. Not an HTTP benchmark, so ``python -m
bench`` does not run it (``NOT_BENCHMARKS``); run it on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import socketio

from bench import harness

SENDERS = 20
USERS = 25
PASSWORD = "bench-chat-losenord-1"  # noqa: S105 - throwaway accounts in a temporary database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_room(instance: harness.Instance) -> int:
    with instance.app_context():
        from network.accounts import services as accounts
        from network.accounts.models import GroupKind, GroupRole
        from network.chat import services as chat
        from network.extensions import db

        group = accounts.create_group(None, "Bänkgruppen", GroupKind.THEMATIC)
        users = []
        for n in range(USERS):
            user = accounts.create_user(f"swarm{n}@example.se", PASSWORD, f"Svärm {n}")
            accounts.add_member(None, group, user, GroupRole.FACILITATOR if n == 0 else GroupRole.MEMBER)
            users.append(user)
        room = chat.create_room(users[0], group, "Bänkrum")
        db.session.commit()
        return room.id


class Gunicorn:
    def __init__(self, env: dict, port: int, threads: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning",
             "--timeout", "120", "wsgi:app"], cwd=harness.ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        import requests

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


class SwarmClient:
    def __init__(self, url: str, cookie: str, room_id: int) -> None:
        self.url, self.cookie, self.room_id = url, cookie, room_id
        self.sio = socketio.Client(reconnection=False)
        self.received: dict[int, int] = {}  # message id -> times seen
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.sio.on("message", self.on_message, namespace="/chat")

    def on_message(self, data: dict) -> None:
        now = time.time()
        with self.lock:
            self.received[data["id"]] = self.received.get(data["id"], 0) + 1
            body = data.get("body", "")
            if body.startswith("swarm "):
                self.latencies.append((now - float(body.split()[2])) * 1000)

    def connect(self) -> None:
        self.sio.connect(self.url, headers={"Cookie": self.cookie}, namespaces=["/chat"],
                         transports=["websocket"], wait_timeout=30)
        answer = self.sio.call("join", {"room_id": self.room_id}, namespace="/chat", timeout=60)
        if not answer.get("ok"):
            raise RuntimeError(f"join refused: {answer}")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self.sio.disconnect()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_scenario(name: str, urls: list[str], cookies: list[str], room_id: int, clients: int,
                 rate: float, duration: float) -> dict:
    swarm = []
    started = time.monotonic()
    for n in range(clients):
        client = SwarmClient(urls[n % len(urls)], cookies[n % len(cookies)], room_id)
        client.connect()
        swarm.append(client)
    connect_s = time.monotonic() - started
    senders = swarm[:SENDERS]
    acked: list[int] = []
    failed = 0
    lock = threading.Lock()
    interval = SENDERS / rate  # each sender's pause so that all together send ``rate`` per second
    stop_at = time.monotonic() + duration

    def send_loop(index: int, client: SwarmClient) -> None:
        nonlocal failed
        time.sleep(index * interval / SENDERS)
        seq = 0
        while time.monotonic() < stop_at:
            body = f"swarm {index}-{seq} {time.time():.6f}"
            try:
                answer = client.sio.call("send", {"room_id": room_id, "body": body,
                                                  "client_uuid": str(uuid.uuid4())},
                                         namespace="/chat", timeout=30)
                with lock:
                    if answer.get("ok"):
                        acked.append(answer["id"])
                    else:
                        failed += 1
            except Exception:  # noqa: BLE001 - counted, reported
                with lock:
                    failed += 1
            seq += 1
            time.sleep(interval)

    threads = [threading.Thread(target=send_loop, args=(i, c)) for i, c in enumerate(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
    time.sleep(3)  # let the last deliveries arrive
    lost = duplicated = 0
    latencies: list[float] = []
    for client in swarm:
        with client.lock:
            lost += sum(1 for mid in acked if mid not in client.received)
            duplicated += sum(count - 1 for count in client.received.values() if count > 1)
            latencies.extend(client.latencies)
    for client in swarm:
        client.close()
    result = {
        "scenario": name, "clients": clients, "processes": len(urls), "rate": rate,
        "duration_s": duration, "connect_s": round(connect_s, 1), "sent_acked": len(acked),
        "send_failures": failed, "deliveries": len(latencies), "lost": lost,
        "duplicated": duplicated,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies, default=0), 1),
    }
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_swarm", description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[200, 500])
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second in total")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--no-redis", action="store_true", help="skip the two-process scenario")
    args = parser.parse_args(argv)
    if not all(1 <= c <= 1000 for c in args.clients) or not 0 < args.rate <= 100 \
            or not 0 < args.duration <= 300:
        parser.error("clients in [1, 1000], rate in (0, 100], duration in (0, 300]")
    instance = harness.Instance("chat-swarm")
    servers: list[Gunicorn] = []
    results = []
    try:
        done = instance.flask("db", "upgrade", "heads", check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        room_id = create_room(instance)
        ports = [free_port(), free_port()]
        tag = f"network-chat-bench-{uuid.uuid4().hex[:8]}"
        env = instance.env | {
            "SOCKETIO_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[0]}",
            "LOGIN_LIMIT_PER_IP": "100000 per minute", "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
            "SOCKETIO_CHANNEL": tag, "CHAT_REDIS_PREFIX": tag,
            # A bench sender posts 2.5 messages per 5 s, under the per-user limit of 5.
        }
        threads = max(args.clients) + 50
        single = Gunicorn(env, ports[0], threads, instance.dir / "single.log")
        servers.append(single)
        cookies = [harness.login(single.url, f"swarm{n}@example.se", PASSWORD)["Cookie"]
                   for n in range(USERS)]
        for clients in args.clients:
            results.append(run_scenario(f"1 process, {clients} clients", [single.url], cookies,
                                        room_id, clients, args.rate, args.duration))
        single.stop()
        servers.remove(single)
        if not args.no_redis:
            env_redis = env | {"REDIS_URL": args.redis_url}
            pair = [Gunicorn(env_redis, port, threads, instance.dir / f"redis-{port}.log")
                    for port in ports]
            servers.extend(pair)
            for clients in args.clients:
                results.append(run_scenario(f"2 processes + Redis, {clients} clients",
                                            [s.url for s in pair], cookies, room_id, clients,
                                            args.rate, args.duration))
    finally:
        for server in servers:
            server.stop()
        instance.remove()
    print()
    print(f"{'scenario':<36}{'deliveries':>11}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'lost':>6}{'dup':>5}")
    for r in results:
        print(f"{r['scenario']:<36}{r['deliveries']:>11}{r['p50_ms']!s:>9}{r['p99_ms']:>9}"
              f"{r['max_ms']:>9}{r['lost']:>6}{r['duplicated']:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
