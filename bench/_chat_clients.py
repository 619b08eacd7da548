"""One client process of the chat swarm: asyncio Socket.IO clients, websocket transport only.

``bench.chat_swarm`` starts a few of these (``multiprocessing``, spawn) so that the clients'
own work (decoding 5 000 deliveries a second at 500 clients) is spread out and small next to the
server's, and talks to each through a pipe:

    parent -> worker  Plan (at start)
    worker -> parent  {"connected": n, "connect_s": s}
    parent -> worker  {"start_at": wall-clock time to send the first message}
    worker -> parent  {"acked": [...], "failed": n, "send_lag_ms": [...], "ack_ms": [...]}
    parent -> worker  {"acked": every worker's acknowledged ids}
    worker -> parent  {"received": [{id: times} per client], "latencies": [(sent, ms)], "cpu_s": s}

Latency is arrival time minus the send time written into the message body; every process reads
the same machine clock (``time.time``). ``send_lag_ms`` is how late each send left against its
schedule: when it grows, the swarm is measuring itself rather than the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

DRAIN_TIMEOUT = 20.0
CONNECT_CONCURRENCY = 20


@dataclass
class Plan:
    room_id: int
    clients: list[tuple[str, str]]  # (server url, cookie) for each client of this worker
    senders: list[int]  # global sender numbers of this worker's first len(senders) clients
    total_senders: int
    rate: float  # messages per second in total, over every worker
    duration: float


class Member:
    def __init__(self, url: str, cookie: str) -> None:
        import socketio

        self.url, self.cookie = url, cookie
        # Its own HTTP session: the Engine.IO client moves the Cookie header into the session's jar.
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: Counter[int] = Counter()
        self.latencies: list[tuple[float, float]] = []  # (send time, latency ms)
        self.sio.on("message", self.on_message, namespace="/chat")

    def on_message(self, data: dict) -> None:
        now = time.time()
        self.received[data["id"]] += 1
        body = data.get("body", "")
        if body.startswith("swarm "):
            sent = float(body.split()[2])
            self.latencies.append((sent, (now - sent) * 1000))

    async def connect(self, room_id: int) -> None:
        await self.sio.connect(self.url, headers={"Cookie": self.cookie}, namespaces=["/chat"],
                               transports=["websocket"], wait_timeout=60)
        answer = await self.sio.call("join", {"room_id": room_id}, namespace="/chat", timeout=120)
        if not answer.get("ok"):
            raise RuntimeError(f"join refused: {answer}")


async def _connect_all(plan: Plan) -> list[Member]:
    members = [Member(url, cookie) for url, cookie in plan.clients]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(member: Member) -> None:
        async with gate:
            await member.connect(plan.room_id)

    await asyncio.gather(*(one(m) for m in members))
    return members


async def _send_all(plan: Plan, members: list[Member], start_at: float) -> dict:
    """Open loop: message k leaves at start_at + k / rate from sender k mod total_senders."""
    acked: list[int] = []
    lag: list[float] = []
    ack_ms: list[float] = []
    failed = 0

    async def send(member: Member, tag: str, due: float) -> None:
        nonlocal failed
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.time()
        lag.append((now - due) * 1000)
        try:
            answer = await member.sio.call(
                "send", {"room_id": plan.room_id, "body": f"swarm {tag} {now:.6f}",
                         "client_uuid": str(uuid.uuid4())}, namespace="/chat", timeout=60)
        except Exception:  # noqa: BLE001 - counted, reported
            failed += 1
            return
        if answer.get("ok"):
            acked.append(answer["id"])
            ack_ms.append((time.time() - now) * 1000)
        else:
            failed += 1

    total = int(plan.rate * plan.duration)
    tasks = []
    for k in range(total):
        sender = k % plan.total_senders
        if sender in plan.senders:
            member = members[plan.senders.index(sender)]
            tasks.append(send(member, f"{sender}-{k}", start_at + k / plan.rate))
    await asyncio.gather(*tasks)
    return {"acked": acked, "failed": failed, "send_lag_ms": lag, "ack_ms": ack_ms}


async def _drain(members: list[Member], acked: set[int]) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        if all(acked <= m.received.keys() for m in members):
            return
        await asyncio.sleep(0.1)


async def _run(conn: Any, plan: Plan) -> None:
    started = time.monotonic()
    members = await _connect_all(plan)
    conn.send({"connected": len(members), "connect_s": time.monotonic() - started})
    start_at = (await asyncio.to_thread(conn.recv))["start_at"]
    cpu_before = time.process_time()
    conn.send(await _send_all(plan, members, start_at))
    every_acked = set((await asyncio.to_thread(conn.recv))["acked"])
    await _drain(members, every_acked)
    cpu = time.process_time() - cpu_before
    conn.send({"received": [dict(m.received) for m in members],
               "latencies": [x for m in members for x in m.latencies], "cpu_s": cpu})
    for member in members:
        with contextlib.suppress(Exception):  # already gone
            await member.sio.disconnect()


def work(conn: Any, plan: Plan) -> None:
    """The worker process' entry point."""
    try:
        asyncio.run(_run(conn, plan))
    except BaseException as exc:
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
        raise
    finally:
        conn.close()
