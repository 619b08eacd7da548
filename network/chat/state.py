"""Short-lived chat state: who is in which room, and how fast each person is sending.

Two backends with one interface each. With ``REDIS_URL`` set both live in Redis so every server
process shares them; without it they live in this process's memory (the embedded single-process
mode). Limits, stated plainly:

- Presence entries carry a timestamp that the client refreshes every 30 seconds
  (``presence_ping``); entries older than ``PRESENCE_TTL`` are ignored and swept. A server
  process that dies without running its disconnect handlers therefore leaves its people listed
  for at most that long.
- The rate limit is a moving window kept by the ``limits`` library in Flask-Limiter's storage;
  with Redis it holds across processes, without it each process counts on its own.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

PRESENCE_TTL = 90.0


class MemoryPresence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[int, dict[str, tuple[dict, float]]] = defaultdict(dict)

    def add(self, room_id: int, sid: str, user: dict) -> None:
        with self._lock:
            self._rooms[room_id][sid] = (user, time.time())

    def touch(self, room_id: int, sid: str) -> None:
        with self._lock:
            entry = self._rooms.get(room_id, {}).get(sid)
            if entry:
                self._rooms[room_id][sid] = (entry[0], time.time())

    def remove(self, room_id: int, sid: str) -> None:
        with self._lock:
            self._rooms.get(room_id, {}).pop(sid, None)

    def users(self, room_id: int) -> list[dict]:
        cutoff = time.time() - PRESENCE_TTL
        with self._lock:
            entries = self._rooms.get(room_id, {})
            for sid in [s for s, (_u, seen) in entries.items() if seen < cutoff]:
                del entries[sid]
            return _distinct_users(user for user, _seen in entries.values())

    def sids_of_user(self, room_id: int, user_id: int) -> list[str]:
        with self._lock:
            return [s for s, (u, _seen) in self._rooms.get(room_id, {}).items() if u["id"] == user_id]


class RedisPresence:
    """A hash per room: sid -> {"user": ..., "seen": unix time}."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.redis = client
        self.prefix = prefix

    def _key(self, room_id: int) -> str:
        return f"{self.prefix}:presence:{room_id}"

    def add(self, room_id: int, sid: str, user: dict) -> None:
        key = self._key(room_id)
        pipe = self.redis.pipeline()
        pipe.hset(key, sid, json.dumps({"user": user, "seen": time.time()}))
        pipe.expire(key, int(PRESENCE_TTL * 4))
        pipe.execute()

    def touch(self, room_id: int, sid: str) -> None:
        raw = self.redis.hget(self._key(room_id), sid)
        if raw:
            entry = json.loads(raw)
            self.add(room_id, sid, entry["user"])

    def remove(self, room_id: int, sid: str) -> None:
        self.redis.hdel(self._key(room_id), sid)

    def _entries(self, room_id: int) -> dict[str, dict]:
        key = self._key(room_id)
        cutoff = time.time() - PRESENCE_TTL
        entries, stale = {}, []
        for sid, raw in self.redis.hgetall(key).items():
            entry = json.loads(raw)
            if entry["seen"] < cutoff:
                stale.append(sid)
            else:
                entries[sid.decode() if isinstance(sid, bytes) else sid] = entry
        if stale:
            self.redis.hdel(key, *stale)
        return entries

    def users(self, room_id: int) -> list[dict]:
        return _distinct_users(entry["user"] for entry in self._entries(room_id).values())

    def sids_of_user(self, room_id: int, user_id: int) -> list[str]:
        return [s for s, e in self._entries(room_id).items() if e["user"]["id"] == user_id]


def _distinct_users(users: Any) -> list[dict]:
    seen: dict[int, dict] = {}
    for user in users:
        seen.setdefault(user["id"], user)
    return sorted(seen.values(), key=lambda u: (u["name"].casefold(), u["id"]))


class RateLimiter:
    """A moving window per person through Flask-Limiter's storage (the ``limits`` library).

    The storage is Redis when ``REDIS_URL`` is set, so the limit holds across processes; without
    it each process counts on its own. While Redis is away (restarting) each process counts on
    its own too, as Flask-Limiter's in-memory fallback does for pages: the chat keeps taking
    messages rather than refusing every one.
    """

    def __init__(self, storage: Any, prefix: str, limit: int, window: float) -> None:
        self.prefix = prefix
        self.item = RateLimitItemPerSecond(limit, max(1, int(window)))
        self.strategy = MovingWindowRateLimiter(storage)
        self.fallback = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, user_id: int) -> bool:
        """Record an attempt; False when the user is over the limit (and nothing is recorded)."""
        key = (self.item, self.prefix, "chat-rate", str(user_id))
        try:
            return self.strategy.hit(*key)
        except Exception as exc:  # noqa: BLE001 - the storage is away: count here meanwhile
            log.warning("chat rate limit counted in this process (storage unavailable: %s)", exc)
            return self.fallback.hit(*key)


def build_state(config: Any, storage: Any) -> dict:
    """The presence store and rate limiter for an app's configuration and limiter storage."""
    prefix = config["CHAT_REDIS_PREFIX"]
    limiter = RateLimiter(storage, prefix, int(config["CHAT_RATE_LIMIT"]),
                          float(config["CHAT_RATE_WINDOW"]))
    url = config.get("REDIS_URL")
    if url:
        from network.redisconn import client

        return {"presence": RedisPresence(client(url), prefix), "rate_limiter": limiter}
    return {"presence": MemoryPresence(), "rate_limiter": limiter}
