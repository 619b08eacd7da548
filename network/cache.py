"""The platform's cache: what may be reused, and for how long it stays right.

Correctness rests on one number, the *data generation*. It is raised after every commit that
changed data: any ORM flush, and any INSERT/UPDATE/DELETE statement run through the session.
Writes no cached page depends on are declared so: ``execution_options(cache_neutral=True)`` on a
statement (download counters), ``register_neutral(Model)`` for rows that only live pages show
(workshop chat messages, which arrive many per second during a workshop).

Writes only their owner ever sees are *personal*: a member's read positions in the forum, their
notifications being read. ``register_personal(Model, "user_id")`` for such rows and
``execution_options(cache_personal=user_id)`` on such statements raise that member's own
*personal generation* instead of the data generation. Every cached page of a logged-in member is
stamped with both numbers (``stamp``), so reading a topic renews the reader's own pages (their
unread markers, their badge) and leaves everybody else's cached pages in place. A commit that
also changed shared data raises the data generation, which renews every page anyway.

Everything cached remembers the generation it was made at and is used only while the generation
is unchanged, and never longer than its own TTL (for what changes with the clock alone:
"upcoming", "3 minutes ago"). So no cached page can outlive the data it shows,
whichever feature or process changed it (a web request, a CLI command, another worker).

Where the generation lives:

- ``REDIS_URL`` set: a Redis key (INCR), shared by every process on every host. If Redis cannot
  be reached, nothing is trusted or stored until it can.
- otherwise: 8-byte counters in a memory-mapped file in the instance folder (the data generation,
  then a table of personal generations; members whose ids share a slot renew each other's pages,
  which is only ever a cache miss), shared by the processes of one machine (``make run``, or
  several gunicorn workers on SQLite). Reading one costs about a microsecond, so the hot paths
  (conditional GETs, cached pages) can check them on every request.
- tests: a counter in the app.

The cached values themselves stay in the process (a bounded LRU): only the generation has to be
shared for a stale value never to be used, and in-process values need no serialising.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import struct
import threading
import time
from collections import OrderedDict
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

log = logging.getLogger(__name__)
_DIRTY = "network_cache_dirty"
_PERSONAL_DIRTY = "network_cache_personal"
_COUNTER = struct.Struct("<Q")
# Personal generations in the file store: slots after the data generation's, by member id.
PERSONAL_SLOTS = 8192
_NEUTRAL: set[type] = set()
_PERSONAL: dict[type, str] = {}
_listening = False


class LocalGeneration:
    """One process, or tests: a counter in memory."""

    def __init__(self) -> None:
        self._value = 0
        self._personal: dict[int, int] = {}
        self._lock = threading.Lock()

    def value(self) -> int | None:
        return self._value

    def bump(self) -> None:
        with self._lock:
            self._value += 1

    def personal_value(self, user_id: int) -> int | None:
        return self._personal.get(user_id, 0)

    def bump_personal(self, user_ids: set[int]) -> None:
        with self._lock:
            for user_id in user_ids:
                self._personal[user_id] = self._personal.get(user_id, 0) + 1


class FileGeneration:
    """Processes on one machine: a counter in a shared memory-mapped file, locked for writing."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        size = _COUNTER.size * (1 + PERSONAL_SLOTS)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < size:  # new, or written by a version with one counter
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    if os.fstat(fd).st_size < size:
                        os.ftruncate(fd, size)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            self._map = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        self._lock_path = path

    def value(self) -> int | None:
        return _COUNTER.unpack_from(self._map, 0)[0]

    def bump(self) -> None:
        self._add([0])

    def personal_value(self, user_id: int) -> int | None:
        return _COUNTER.unpack_from(self._map, self._slot(user_id))[0]

    def bump_personal(self, user_ids: set[int]) -> None:
        self._add(sorted({self._slot(user_id) for user_id in user_ids}))

    @staticmethod
    def _slot(user_id: int) -> int:
        return _COUNTER.size * (1 + user_id % PERSONAL_SLOTS)

    def _add(self, offsets: list[int]) -> None:
        with open(self._lock_path, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for offset in offsets:
                _COUNTER.pack_into(self._map, offset, _COUNTER.unpack_from(self._map, offset)[0] + 1)


class RedisGeneration:
    """Every process on every host: a Redis key."""

    def __init__(self, url: str, key: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.key = key

    def value(self) -> int | None:
        try:
            raw = self.client.get(self.key)
        except Exception as exc:  # noqa: BLE001 - a cache outage means "trust nothing", not an error page
            log.warning("cache generation unavailable: %s", exc)
            return None
        return int(raw) if raw is not None else 0

    def bump(self) -> None:
        try:
            self.client.incr(self.key)
        except Exception as exc:  # noqa: BLE001
            # Nothing can be trusted until Redis is back: value() answers None meanwhile, and
            # the first value after the outage differs from all before it only if we move it.
            log.error("cache generation not raised: %s", exc)

    def personal_value(self, user_id: int) -> int | None:
        try:
            raw = self.client.get(f"{self.key}:member:{user_id}")
        except Exception as exc:  # noqa: BLE001
            log.warning("personal cache generation unavailable: %s", exc)
            return None
        return int(raw) if raw is not None else 0

    def bump_personal(self, user_ids: set[int]) -> None:
        try:
            pipe = self.client.pipeline(transaction=False)
            for user_id in sorted(user_ids):
                pipe.incr(f"{self.key}:member:{user_id}")
            pipe.execute()
        except Exception as exc:  # noqa: BLE001
            log.error("personal cache generation not raised: %s", exc)


class Cache:
    """Values tagged with the generation they were made at; a bounded in-process LRU."""

    def __init__(self, generation: LocalGeneration | FileGeneration | RedisGeneration,
                 max_entries: int = 2048) -> None:
        self.generation = generation
        self.max_entries = max_entries
        self._items: OrderedDict[Any, tuple[int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, generation: int | None) -> Any:
        """The value stored under ``key`` at ``generation`` and not expired, else None."""
        if generation is None:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            made_at, expires, value = item
            if made_at != generation or expires < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key: Any, value: Any, generation: int | None, ttl: float) -> None:
        if generation is None:
            return
        with self._lock:
            self._items[key] = (generation, time.monotonic() + ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def cache() -> Cache:
    return current_app.extensions["network_cache"]


def generation() -> int | None:
    """The current data generation, or None when it cannot be known (then cache nothing)."""
    return cache().generation.value()


def bump() -> None:
    """Raise the generation by hand, for a change the session listeners cannot see."""
    cache().generation.bump()


def stamp(generation: int | None, user_id: int | None) -> Any:
    """What a cached page of ``user_id`` (None: a visitor) is valid at: the data generation and,
    for a member, their personal generation. None when either cannot be known."""
    if generation is None or user_id is None:
        return generation
    personal = cache().generation.personal_value(user_id)
    return None if personal is None else (generation, personal)


# -- noticing changes ----------------------------------------------------------------------------


def _mark(session: Session) -> None:
    session.info[_DIRTY] = True


def register_neutral(*models: type) -> None:
    """Rows of these models are shown on no cached page: writing them keeps the generation."""
    _NEUTRAL.update(models)


def register_personal(model: type, user_attribute: str) -> None:
    """Rows of ``model`` are shown only to the member ``user_attribute`` names: writing one
    raises that member's personal generation, not the data generation."""
    _PERSONAL[model] = user_attribute


def _mark_personal(session: Session, user_id: int) -> None:
    session.info.setdefault(_PERSONAL_DIRTY, set()).add(user_id)


def _after_flush(session: Session, _context: Any) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        kind = type(obj)
        if kind in _NEUTRAL:
            continue
        owner = _PERSONAL.get(kind)
        if owner is not None and getattr(obj, owner, None) is not None:
            _mark_personal(session, getattr(obj, owner))
        elif not session.info.get(_DIRTY):
            _mark(session)


def _do_orm_execute(state: Any) -> None:
    if state.execution_options.get("cache_neutral"):
        return
    personal = state.execution_options.get("cache_personal")
    if personal is not None and (state.is_insert or state.is_update or state.is_delete):
        _mark_personal(state.session, personal)
        return
    statement = state.statement
    writes = state.is_insert or state.is_update or state.is_delete or (
        isinstance(statement, TextClause)
        and statement.text.lstrip()[:6].lower() not in ("select", "pragma"))
    if writes:
        _mark(state.session)


def _after_commit(session: Session) -> None:
    shared = session.info.pop(_DIRTY, False)
    personal = session.info.pop(_PERSONAL_DIRTY, None)
    if not (shared or personal) or not has_app_context():
        return
    network_cache = current_app.extensions.get("network_cache")
    if network_cache is None:
        return
    if shared:  # renews every page, the members' own ones included
        network_cache.generation.bump()
    else:
        network_cache.generation.bump_personal(personal)


def _after_rollback(session: Session) -> None:
    # Fires for the real database rollback only (not a savepoint's): nothing flushed survives.
    session.info.pop(_DIRTY, None)
    session.info.pop(_PERSONAL_DIRTY, None)


def init_app(app: Flask) -> None:
    global _listening
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        generation_store: Any = RedisGeneration(redis_url, app.config["CACHE_KEY_PREFIX"] + ":generation")
    elif app.config.get("CACHE_GENERATION_FILE"):
        generation_store = FileGeneration(Path(app.config["CACHE_GENERATION_FILE"]))
    else:
        generation_store = LocalGeneration()
    app.extensions["network_cache"] = Cache(generation_store, app.config.get("CACHE_MAX_ENTRIES", 2048))
    if not _listening:
        # One set of listeners for every app (tests build many); each finds its app's cache.
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
