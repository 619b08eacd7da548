"""Where the cache's generations live (see ``network/cache.py`` for what they mean).

Each store keeps the *data generation* (raised by every write that is not neutral or personal)
and any number of *scope generations* by name: ``structural``, a feature (``forums``), one thing
(``forums:topic:12``), one member (``member:7``). A store answers None when it cannot know
(Redis unreachable): then nothing is trusted or stored.

- ``LocalGeneration``: one process, or tests: counters in memory.
- ``FileGeneration``: the processes of one machine: 8-byte counters in a memory-mapped file, the
  data generation first, then a table of scope slots by a hash of the name. Two scopes sharing a
  slot renew each other's pages, which is only ever a cache miss. Reading one costs about a
  microsecond, so the hot paths can check them on every request.
- ``RedisGeneration``: every process on every host: one Redis key per generation, and an epoch
  key so that a Redis restarted empty never repeats a value from before.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import secrets
import struct
import threading
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)
_COUNTER = struct.Struct("<Q")
SCOPE_SLOTS = 8192


class LocalGeneration:
    def __init__(self) -> None:
        self._value = 0
        self._scopes: dict[str, int] = {}
        self._lock = threading.Lock()

    def value(self) -> int | None:
        return self._value

    def bump(self) -> None:
        self.bump_scopes((), data=True)

    def scope_values(self, scopes: Sequence[str]) -> tuple[int, ...] | None:
        return tuple(self._scopes.get(name, 0) for name in scopes)

    def bump_scopes(self, scopes: Iterable[str], data: bool) -> None:
        with self._lock:
            if data:
                self._value += 1
            for name in scopes:
                self._scopes[name] = self._scopes.get(name, 0) + 1


class FileGeneration:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        size = _COUNTER.size * (1 + SCOPE_SLOTS)
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
        self.bump_scopes((), data=True)

    def scope_values(self, scopes: Sequence[str]) -> tuple[int, ...] | None:
        return tuple(_COUNTER.unpack_from(self._map, _slot(name))[0] for name in scopes)

    def bump_scopes(self, scopes: Iterable[str], data: bool) -> None:
        offsets = sorted({_slot(name) for name in scopes} | ({0} if data else set()))
        with open(self._lock_path, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for offset in offsets:
                _COUNTER.pack_into(self._map, offset, _COUNTER.unpack_from(self._map, offset)[0] + 1)


def _slot(name: str) -> int:
    return _COUNTER.size * (1 + zlib.crc32(name.encode()) % SCOPE_SLOTS)


class RedisGeneration:
    def __init__(self, url: str, key: str) -> None:
        from network.redisconn import client

        self.client = client(url)
        self.key = key

    def value(self) -> int | None:
        values = self._read([self.key])
        return None if values is None else values[0]

    def _read(self, keys: list[str]) -> tuple[int, ...] | None:
        """The counters, each offset by this Redis' *epoch*: a random number set once per
        dataset. A Redis restarted empty (or flushed) counts from 0 again, and without the epoch
        its counters would soon repeat values that stamped pages before the restart, which would
        then be served stale; with a new epoch no old stamp can match."""
        try:
            epoch, *raw = self.client.mget([self.key + ":epoch", *keys])
            if epoch is None:
                self.client.set(self.key + ":epoch", secrets.randbits(62), nx=True)
                epoch, *raw = self.client.mget([self.key + ":epoch", *keys])
        except Exception as exc:  # noqa: BLE001 - a cache outage means "trust nothing", not an error page
            log.warning("cache generation unavailable: %s", exc)
            return None
        if epoch is None:
            return None
        base = int(epoch) << 64
        return tuple(base + (int(value) if value is not None else 0) for value in raw)

    def bump(self) -> None:
        self.bump_scopes((), data=True)

    def scope_values(self, scopes: Sequence[str]) -> tuple[int, ...] | None:
        if not scopes:
            return ()
        return self._read([f"{self.key}:{name}" for name in scopes])

    def bump_scopes(self, scopes: Iterable[str], data: bool) -> None:
        try:
            pipe = self.client.pipeline(transaction=False)
            if data:
                pipe.incr(self.key)
            for name in sorted(scopes):
                pipe.incr(f"{self.key}:{name}")
            pipe.execute()
        except Exception as exc:  # noqa: BLE001
            # Nothing can be trusted until Redis is back: value() answers None meanwhile, and
            # the first value after the outage differs from all before it only if we move it.
            log.error("cache generation not raised: %s", exc)
