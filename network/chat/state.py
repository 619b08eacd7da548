"""Short-lived chat state: who is in which room, and how fast each person is sending.

Two backends with one interface each. With ``REDIS_URL`` set both live in Redis so every server
process shares them; without it they live in this process's memory (the embedded single-process
mode). Limits, stated plainly:

- Presence entries carry a timestamp that the client refreshes every 30 seconds
  (``presence_ping``); entries older than ``PRESENCE_TTL`` are ignored and swept. A server
  process that dies without running its disconnect handlers therefore leaves its people listed
  for at most that long.
- The rate limit is a sliding window (a sorted set per user in Redis, a deque in memory); with
  Redis it holds across processes, without it each process counts on its own.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict, deque
from typing import Any

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


class MemoryRateLimiter:
    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._hits: dict[int, deque[float]] = defaultdict(deque)

    def hit(self, user_id: int) -> bool:
        """Record an attempt; False when the user is over the limit (and nothing is recorded)."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[user_id]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


# Sliding window in one round trip: drop old hits, count, add this one only when under the limit.
_RATE_SCRIPT = """
local key, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then return 0 end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
return 1
"""


class RedisRateLimiter:
    def __init__(self, client: Any, prefix: str, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.prefix = prefix
        self._script = client.register_script(_RATE_SCRIPT)

    def hit(self, user_id: int) -> bool:
        # The script reads Redis' clock, so processes on hosts with drifting clocks agree.
        key = f"{self.prefix}:rate:{user_id}"
        return bool(self._script(keys=[key], args=[self.window, self.limit, uuid.uuid4().hex]))


def build_state(config: Any) -> dict:
    """The presence store and rate limiter for an app's configuration."""
    limit = int(config["CHAT_RATE_LIMIT"])
    window = float(config["CHAT_RATE_WINDOW"])
    url = config.get("REDIS_URL")
    if url:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        prefix = config["CHAT_REDIS_PREFIX"]
        return {"presence": RedisPresence(client, prefix),
                "rate_limiter": RedisRateLimiter(client, prefix, limit, window)}
    return {"presence": MemoryPresence(), "rate_limiter": MemoryRateLimiter(limit, window)}
