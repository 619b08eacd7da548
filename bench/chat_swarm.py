"""Chat swarm: many python-socketio clients in one room, measuring delivery latency and loss.

``python -m bench.chat_swarm [--clients 200 500] [--rate 10] [--duration 20] [--repeat 1]
[--database postgres|sqlite] [--worker-class gevent|gthread] [--no-redis] [--samples FILE]``

Servers: README's chat processes (gunicorn, one gevent worker each; ``--worker-class gthread``
for a thread per websocket instead) on a fresh database: PostgreSQL on ``PG_ADMIN_URL``'s server
(default ``postgresql+psycopg://127.0.0.1:5432/test``), or SQLite. Scenarios: one process per
client count, then two processes sharing Redis with the clients split between them.

Clients: ``--client-processes`` processes (2) each run their share as asyncio AsyncClients over
websocket only, so that the swarm's own work stays small next to the server's. Twenty of them
send ``rate`` messages per second in total on a fixed schedule (each message carries its send
time); every client records each message's delivery latency (arrival minus send time, one
clock: same machine), and every acknowledged message must reach every client exactly once.

Reported per run: p50/p99/max delivery latency, lost and duplicated deliveries, the send
acknowledgement's p99 (the server's handling of ``send``: checks, store, commit), how late sends
left against their schedule (large: the swarm is measuring itself), the server's CPU ms per
message (steadier than latency on a busy machine) and the 1-minute load average before and
after. Compare runs on an otherwise idle machine.

Targets (issue 7): 200 clients p99 <= 100 ms; 500 clients p99 <= 250 ms; two processes p99 <=
1.5 x the single-process figure; 0 lost, 0 duplicated. Not an HTTP benchmark, so ``python -m
bench`` does not run it (``NOT_BENCHMARKS``); run it on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench import _chat_clients, harness

SENDERS = 20
USERS = 25
WORKER_CLASS = "gevent"  # README's chat processes
PASSWORD = "bench-chat-losenord-1"  # noqa: S105 - throwaway accounts in a temporary database


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of ``admin_url``, dropped afterwards."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"bench_chat_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise SystemExit(f"PostgreSQL at {admin_url} is not usable ({type(exc).__name__}); "
                         "set PG_ADMIN_URL or run with --database sqlite") from exc
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


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
    """One single-worker gunicorn process, as README's chat processes run."""

    def __init__(self, env: dict, port: int, worker_class: str, connections: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.worker_class = worker_class
        self.database = "postgres" if env["DATABASE_URL"].startswith("postgresql") else "sqlite"
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *worker_args(worker_class, connections),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=harness.ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        if harness.wait_until(harness.answers(self.url + "/healthz"), self.proc, 60, interval=0.2):
            return
        if self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}")
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the gunicorn master and its worker so far (Linux /proc)."""
        return harness.process_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


def worker_args(worker_class: str, connections: int) -> list[str]:
    """gunicorn's worker options: one worker; gthread needs a thread per open websocket."""
    if worker_class == "gthread":
        return ["--workers", "1", "--worker-class", "gthread", "--threads", str(connections + 50)]
    return ["--workers", "1", "--worker-class", worker_class, "--worker-connections",
            str(max(1000, connections + 50))]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _receive(conns: list, what: str, timeout: float) -> list[dict]:
    answers = []
    for conn in conns:
        if not conn.poll(timeout):
            raise RuntimeError(f"a client process did not report {what} within {timeout:.0f} s")
        answer = conn.recv()
        if "error" in answer:
            raise RuntimeError(f"a client process failed: {answer['error']}")
        answers.append(answer)
    return answers


def run_scenario(name: str, servers: list[Gunicorn], cookies: list[str], room_id: int, clients: int,
                 rate: float, duration: float, procs: int, samples_file: str | None = None) -> dict:
    """``clients`` clients over ``procs`` client processes, spread round-robin over the servers."""
    context = multiprocessing.get_context("spawn")
    urls = [s.url for s in servers]
    conns, workers = [], []
    for w in range(procs):
        numbers = range(w, clients, procs)
        plan = _chat_clients.Plan(
            room_id=room_id, clients=[(urls[n % len(urls)], cookies[n % len(cookies)]) for n in numbers],
            senders=[n for n in numbers if n < SENDERS], total_senders=min(SENDERS, clients),
            rate=rate, duration=duration)
        parent, child = context.Pipe()
        worker = context.Process(target=_chat_clients.work, args=(child, plan), daemon=True)
        worker.start()
        child.close()
        conns.append(parent)
        workers.append(worker)
    try:
        ready = _receive(conns, "its connections", 600)
        load_before = os.getloadavg()
        cpu_before = [s.cpu_seconds() for s in servers]
        for conn in conns:
            conn.send({"start_at": time.time() + 1.0})
        sent = _receive(conns, "its sends", duration + 120)
        cpu_after = [s.cpu_seconds() for s in servers]
        load_after = os.getloadavg()
        acked = [mid for s in sent for mid in s["acked"]]
        for conn in conns:
            conn.send({"acked": acked})
        got = _receive(conns, "its deliveries", _chat_clients.DRAIN_TIMEOUT + 60)
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    every = set(acked)
    received = [r for g in got for r in g["received"]]
    lost = sum(len(every - {int(k) for k in r}) for r in received)
    duplicated = sum(count - 1 for r in received for count in r.values() if count > 1)
    samples = sorted(x for g in got for x in g["latencies"])
    latencies = [ms for _sent, ms in samples]
    lag = [x for s in sent for x in s["send_lag_ms"]]
    ack = [x for s in sent for x in s["ack_ms"]]
    server_cpu = sum(cpu_after) - sum(cpu_before)
    result = {
        "scenario": name, "clients": clients, "processes": len(servers), "client_processes": procs,
        "worker_class": servers[0].worker_class, "database": servers[0].database, "rate": rate,
        "duration_s": duration,
        "connect_s": round(max(r["connect_s"] for r in ready), 1), "sent_acked": len(acked),
        "send_failures": sum(s["failed"] for s in sent), "deliveries": len(latencies), "lost": lost,
        "duplicated": duplicated,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies, default=0), 1),
        "ack_p50_ms": round(percentile(ack, 50), 1), "ack_p99_ms": round(percentile(ack, 99), 1),
        "send_lag_p99_ms": round(percentile(lag, 99), 1),
        "server_cpu_ms_per_message": round(1000 * server_cpu / max(len(acked), 1), 2),
        "server_cpu_share": round(server_cpu / duration, 2),
        "client_cpu_share": round(sum(g["cpu_s"] for g in got) / duration, 2),
        "loadavg_1m": [round(load_before[0], 2), round(load_after[0], 2)],
    }
    if samples_file:
        with open(samples_file, "a", newline="") as out:
            csv.writer(out).writerows((name, f"{sent:.6f}", f"{ms:.2f}") for sent, ms in samples)
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_swarm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[200, 500])
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second in total")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each scenario")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the clients are spread over (asyncio in each)")
    parser.add_argument("--worker-class", default=WORKER_CLASS, choices=["gevent", "gthread"],
                        help=f"gunicorn worker class of the servers (default {WORKER_CLASS})")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres",
                        help="a fresh PostgreSQL database on PG_ADMIN_URL's server (the scaled "
                        "setup's database; default), or the embedded mode's SQLite file")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--no-redis", action="store_true", help="skip the two-process scenario")
    parser.add_argument("--samples", metavar="CSV", help="append every delivery (scenario, send "
                        "time, latency ms) to this file")
    args = parser.parse_args(argv)
    if not all(1 <= c <= 1000 for c in args.clients) or not 0 < args.rate <= 100 \
            or not 0 < args.duration <= 300 or not 1 <= args.repeat <= 20 \
            or not 1 <= args.client_processes <= 16:
        parser.error("clients in [1, 1000], rate in (0, 100], duration in (0, 300], repeat in "
                     "[1, 20], client processes in [1, 16]")
    with contextlib.ExitStack() as stack:
        if args.database == "postgres":
            admin_url = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")
            database_url = stack.enter_context(postgres_database(admin_url))
        else:
            database_url = None
        results = run_all(args, database_url)
    print_summary(results)
    return 0


def run_all(args: argparse.Namespace, database_url: str | None) -> list[dict]:
    instance = harness.Instance("chat-swarm")
    if database_url:
        instance.env["DATABASE_URL"] = database_url
    servers: list[Gunicorn] = []
    results = []
    connections = max(args.clients)
    try:
        done = instance.flask("db", "upgrade", "heads", check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        room_id = create_room(instance)
        ports = [harness.free_port(), harness.free_port()]
        tag = f"network-chat-bench-{uuid.uuid4().hex[:8]}"
        env = instance.env | {
            "SOCKETIO_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[0]}",
            "LOGIN_LIMIT_PER_IP": "100000 per minute", "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
            "SOCKETIO_CHANNEL": tag, "CHAT_REDIS_PREFIX": tag,
            # A bench sender posts 2.5 messages per 5 s, under the per-user limit of 5.
        }
        single = Gunicorn(env, ports[0], args.worker_class, connections, instance.dir / "single.log")
        servers.append(single)
        cookies = [harness.login(single.url, f"swarm{n}@example.se", PASSWORD)["Cookie"]
                   for n in range(USERS)]
        for _run in range(args.repeat):
            for clients in args.clients:
                results.append(run_scenario(f"1 process, {clients} clients", [single], cookies,
                                            room_id, clients, args.rate, args.duration,
                                            args.client_processes, args.samples))
        single.stop()
        servers.remove(single)
        if not args.no_redis:
            env_redis = env | {"REDIS_URL": args.redis_url}
            pair = [Gunicorn(env_redis, port, args.worker_class, connections,
                             instance.dir / f"redis-{port}.log") for port in ports]
            servers.extend(pair)
            for _run in range(args.repeat):
                for clients in args.clients:
                    results.append(run_scenario(f"2 processes + Redis, {clients} clients", pair,
                                                cookies, room_id, clients, args.rate, args.duration,
                                                args.client_processes, args.samples))
    finally:
        for server in servers:
            server.stop()
        instance.remove()
    return results


def print_summary(results: list[dict]) -> None:
    print()
    print(f"{'scenario':<36}{'deliveries':>11}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'lost':>6}"
          f"{'dup':>5}{'ack p99':>9}{'lag p99':>9}{'cpu ms/msg':>11}{'load 1m':>11}")
    for r in results:
        load = "-".join(f"{x:.1f}" for x in r["loadavg_1m"])
        print(f"{r['scenario']:<36}{r['deliveries']:>11}{r['p50_ms']!s:>8}{r['p99_ms']:>8}"
              f"{r['max_ms']:>8}{r['lost']:>6}{r['duplicated']:>5}{r['ack_p99_ms']:>9}"
              f"{r['send_lag_p99_ms']:>9}{r['server_cpu_ms_per_message']:>11}{load:>11}")
    # Two processes against one, per client count, on the median p99 of the runs.
    by = {}
    for r in results:
        by.setdefault((r["processes"], r["clients"]), []).append(r["p99_ms"])
    for (processes, clients), p99s in sorted(by.items()):
        single = by.get((1, clients))
        if processes == 2 and single:
            ratio = statistics.median(p99s) / statistics.median(single)
            print(f"two processes / one, {clients} clients: p99 ratio {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    sys.exit(main())
