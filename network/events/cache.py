"""A tiny cache for calendar feeds: in-process by default, Redis when REDIS_URL is set.

Two layers:
- *bodies*, keyed by everything that changes a feed (its name, the count, id sum and last change
  of its events, the subscriber's memberships and registrations). They never need invalidating,
  only expiring.
- *meta* per feed: the current body key, ETag and Last-Modified, so that a calendar client's
  refresh (a 304, or a cached 200) costs no database query at all. Meta is trusted for
  ``EVENTS_FEED_FRESH_SECONDS`` (30 s) and only while the *generation* is unchanged; every flush
  that touches events, registrations, memberships, groups, users or calendar tokens raises the
  generation. With Redis the generation is shared by all processes; in-process, another worker
  notices a change within the fresh interval at the latest.

Flask-Caching would cover the body layer only, with more configuration surface than this needs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
PREFIX = "events:feed:"
TTL_SECONDS = 3600
FRESH_SECONDS = 30
MAX_LOCAL_ENTRIES = 256
_listening = False


class LocalCache:
    def __init__(self, size: int = MAX_LOCAL_ENTRIES) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()
        self._generation = 0

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

    def generation(self) -> int:
        return self._generation

    def bump(self) -> None:
        with self.lock:
            self._generation += 1

    def get_meta(self, feed: str) -> dict | None:
        return self.get("meta:" + feed)

    def set_meta(self, feed: str, meta: dict, ttl: int) -> None:
        self.set("meta:" + feed, meta)


class RedisCache:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def _call(self, method: str, *args, **kwargs) -> Any:
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a cache outage only costs a regeneration
            log.warning("feed cache unavailable: %s", exc)
            return None

    def get(self, key: str) -> bytes | None:
        return self._call("get", PREFIX + key)

    def set(self, key: str, value: bytes, ttl: int = TTL_SECONDS) -> None:
        self._call("set", PREFIX + key, value, ex=ttl)

    def generation(self) -> int:
        value = self._call("get", PREFIX + "generation")
        # Unreachable Redis: a value that never matches, so meta is never trusted.
        return int(value) if value is not None else -1

    def bump(self) -> None:
        self._call("incr", PREFIX + "generation")

    def get_meta(self, feed: str) -> dict | None:
        raw = self.get("meta:" + feed)
        return json.loads(raw) if raw else None

    def set_meta(self, feed: str, meta: dict, ttl: int) -> None:
        self.set("meta:" + feed, json.dumps(meta).encode(), ttl=max(ttl, 1))


def _feed_relevant(obj: Any) -> bool:
    from network.accounts.models import Group, Membership, User
    from network.events.models import AgendaItem, CalendarToken, Event, EventSeries, Registration

    return isinstance(obj, Event | EventSeries | AgendaItem | Registration | CalendarToken
                      | Membership | Group | User)


def _after_flush(session: Session, flush_context: Any) -> None:
    if not has_app_context():
        return
    cache = current_app.extensions.get("events_feed_cache")
    if cache is None:
        return
    if any(_feed_relevant(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        cache.bump()


def init_app(app: Flask) -> None:
    global _listening
    url = app.config.get("EVENTS_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
    app.extensions["events_feed_cache"] = RedisCache(url) if url else LocalCache()
    app.config.setdefault("EVENTS_FEED_FRESH_SECONDS", FRESH_SECONDS)
    if not _listening:
        # One listener for every app: it finds the current app's cache when it runs.
        event.listen(Session, "after_flush", _after_flush)
        _listening = True


def feed_cache() -> LocalCache | RedisCache:
    return current_app.extensions["events_feed_cache"]


def now() -> float:
    return time.time()
