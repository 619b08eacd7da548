"""A tiny bytes cache for generated feeds: in-process by default, Redis when REDIS_URL is set.

Keys already contain everything that changes a feed (its name, the count, id sum and last change
of its events), so entries never need invalidating, only expiring. Flask-Caching would do the
same with more configuration surface than two functions need.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from flask import Flask, current_app

log = logging.getLogger(__name__)
PREFIX = "events:feed:"
TTL_SECONDS = 3600
MAX_LOCAL_ENTRIES = 256


class LocalCache:
    def __init__(self, size: int = MAX_LOCAL_ENTRIES) -> None:
        self.size = size
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class RedisCache:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(PREFIX + key)
        except Exception as exc:  # noqa: BLE001 - a cache outage only costs a regeneration
            log.warning("feed cache unavailable: %s", exc)
            return None

    def set(self, key: str, value: bytes) -> None:
        try:
            self.client.set(PREFIX + key, value, ex=TTL_SECONDS)
        except Exception as exc:  # noqa: BLE001
            log.warning("feed cache unavailable: %s", exc)


def init_app(app: Flask) -> None:
    url = app.config.get("EVENTS_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
    app.extensions["events_feed_cache"] = RedisCache(url) if url else LocalCache()


def feed_cache() -> LocalCache | RedisCache:
    return current_app.extensions["events_feed_cache"]
