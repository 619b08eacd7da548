"""A tiny cache for calendar feeds: in-process by default, Redis when REDIS_URL is set.

Two layers:
- *bodies*, keyed by everything that changes a feed (its name, the count, id sum and last change
  of its events, the subscriber's memberships and registrations). They never need invalidating,
  only expiring.
- *meta* per feed: the current body key, ETag and Last-Modified, so that a calendar client's
  refresh (a 304, or a cached 200) costs no database query at all. Meta is trusted for
  ``EVENTS_FEED_FRESH_SECONDS`` (30 s) and only while the platform's data generation
  (``network/cache.py``: raised by every committed write, in any process) is unchanged.

Flask-Caching would cover the body layer only, with more configuration surface than this needs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)
# After the installation's CACHE_KEY_PREFIX, so installations sharing one Redis keep apart.
PREFIX = "events:feed:"
TTL_SECONDS = 3600
FRESH_SECONDS = 30
MAX_LOCAL_ENTRIES = 256


class LocalCache:
    def __init__(self, size: int = MAX_LOCAL_ENTRIES) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: int = TTL_SECONDS) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def get_meta(self, feed: str) -> dict | None:
        return self.get("meta:" + feed)

    def set_meta(self, feed: str, meta: dict, ttl: int) -> None:
        self.set("meta:" + feed, meta)


class RedisCache:
    def __init__(self, url: str, installation: str = "network-cache") -> None:
        import redis

        self.prefix = f"{installation}:{PREFIX}"
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def _call(self, method: str, *args, **kwargs) -> Any:
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a cache outage only costs a regeneration
            log.warning("feed cache unavailable: %s", exc)
            return None

    def get(self, key: str) -> bytes | None:
        return self._call("get", self.prefix + key)

    def set(self, key: str, value: bytes, ttl: int = TTL_SECONDS) -> None:
        self._call("set", self.prefix + key, value, ex=ttl)

    def get_meta(self, feed: str) -> dict | None:
        raw = self.get("meta:" + feed)
        return json.loads(raw) if raw else None

    def set_meta(self, feed: str, meta: dict, ttl: int) -> None:
        self.set("meta:" + feed, json.dumps(meta).encode(), ttl=max(ttl, 1))


def init_app(app: Flask) -> None:
    url = app.config.get("EVENTS_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
    app.extensions["events_feed_cache"] = (
        RedisCache(url, app.config.get("CACHE_KEY_PREFIX", "network-cache")) if url else LocalCache())
    app.config.setdefault("EVENTS_FEED_FRESH_SECONDS", FRESH_SECONDS)


def feed_cache() -> LocalCache | RedisCache:
    return current_app.extensions["events_feed_cache"]


def now() -> float:
    return time.time()
