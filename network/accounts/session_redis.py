"""Sessions in Redis: the scaled mode's store (``SESSION_STORE=redis``, the default with Redis).

Keys, under ``SESSION_REDIS_PREFIX`` (installations sharing one Redis keep apart):

- ``<prefix>:s:<sha256 of the cookie secret>``: the session as JSON (owner, user agent, times),
  with a TTL equal to the idle expiry, so an unused session purges itself. The hash is also the
  session's id on "Mina sessioner" and the admin's member page; the secret is never stored.
- ``<prefix>:u:<user id>``: the owner's index, a sorted set of those hashes scored by expiry,
  for listing, "end all" and the admin's view. Members past their expiry, or whose record is
  gone, are removed whenever the index is read (and by the daily purge).

A request costs one GET plus the account lookup by primary key. Ending sessions writes nothing
in the database, so it raises the cache's data generation itself (``cache.bump_data``): the
page cache's memory of "this cookie is that person" is checked again, on every process.

Redis unreachable: a request that needs a session answers 503 (``SessionStoreUnavailable``, the
same clear page as a database outage), never a 500, and nothing of it is committed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from werkzeug.exceptions import ServiceUnavailable

from network.accounts.models import User
from network.extensions import db

log = logging.getLogger(__name__)
_ID = re.compile(r"[0-9a-f]{64}")
F = TypeVar("F", bound=Callable[..., Any])


class SessionStoreUnavailable(ServiceUnavailable):
    """Redis did not answer: the session cannot be checked or changed just now."""

    def __init__(self) -> None:
        super().__init__(retry_after=30)


def _guarded(method: F) -> F:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return method(*args, **kwargs)
        except RedisError as exc:
            log.warning("session store unavailable: %s", exc)
            raise SessionStoreUnavailable() from exc

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class RedisSession:
    """One session as "Mina sessioner", the member page and the data export show it."""

    id: str
    user_id: int
    user_agent: str
    remember: bool
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime


def _stamp(moment: dt.datetime) -> float:
    return moment.timestamp()


def _moment(stamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def _ttl(now: dt.datetime, expires: dt.datetime) -> int:
    return max(1, math.ceil((expires - now).total_seconds()))


class RedisSessions:
    name = "redis"

    def __init__(self, url: str, prefix: str) -> None:
        from network.redisconn import client

        self.redis = client(url)
        self.prefix = prefix

    def _record_key(self, key_hash: str) -> str:
        return f"{self.prefix}:s:{key_hash}"

    def _index_key(self, user_id: int) -> str:
        return f"{self.prefix}:u:{user_id}"

    @staticmethod
    def _parse(key_hash: str, raw: bytes | None) -> RedisSession | None:
        if raw is None:
            return None
        data = json.loads(raw)
        return RedisSession(id=key_hash, user_id=int(data["u"]), user_agent=data["a"],
                            remember=bool(data["r"]), created_at=_moment(data["c"]),
                            last_seen_at=_moment(data["l"]), expires_at=_moment(data["e"]))

    @staticmethod
    def _dump(user_id: int, user_agent: str, remember: bool, created: dt.datetime,
              seen: dt.datetime, expires: dt.datetime) -> str:
        return json.dumps({"u": user_id, "a": user_agent, "r": remember, "c": _stamp(created),
                           "l": _stamp(seen), "e": _stamp(expires)})

    @_guarded
    def create(self, user: User, key_hash: str, user_agent: str, remember: bool,
               now: dt.datetime, expires: dt.datetime) -> str:
        ttl = _ttl(now, expires)
        index = self._index_key(user.id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(self._record_key(key_hash),
                 self._dump(user.id, user_agent, remember, now, now, expires), ex=ttl)
        pipe.zadd(index, {key_hash: _stamp(expires)})
        pipe.expire(index, ttl)  # no member of the index outlives the newest session
        pipe.execute()
        return key_hash

    @_guarded
    def lookup(self, key_hash: str, now: dt.datetime
               ) -> tuple[str, User, dt.datetime, dt.datetime] | None:
        """(session id, account, last seen, expiry) of the live session, or None."""
        record = self._parse(key_hash, self.redis.get(self._record_key(key_hash)))
        if record is None or record.expires_at <= now:
            return None
        user = db.session.get(User, record.user_id)
        return None if user is None else (key_hash, user, record.last_seen_at, record.expires_at)

    @_guarded
    def touch(self, session_id: str, now: dt.datetime, expires: dt.datetime) -> None:
        record = self.get(session_id)
        if record is None:
            return
        ttl = _ttl(now, expires)
        index = self._index_key(record.user_id)
        pipe = self.redis.pipeline(transaction=False)
        # XX: a session ended since it was read stays ended.
        pipe.set(self._record_key(session_id),
                 self._dump(record.user_id, record.user_agent, record.remember,
                            record.created_at, now, expires), ex=ttl, xx=True)
        pipe.zadd(index, {session_id: _stamp(expires)}, xx=True)
        pipe.expire(index, ttl)
        pipe.execute()

    def parse_id(self, raw: str) -> str | None:
        return raw if _ID.fullmatch(raw) else None

    @_guarded
    def get(self, session_id: str) -> RedisSession | None:
        return self._parse(session_id, self.redis.get(self._record_key(session_id)))

    @_guarded
    def delete(self, session_id: str, user_id: int) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self._record_key(session_id))
        pipe.zrem(self._index_key(user_id), session_id)
        pipe.execute()

    @_guarded
    def delete_all(self, user_id: int, keep: str | None) -> int:
        index = self._index_key(user_id)
        ended = [m.decode() for m in self.redis.zrange(index, 0, -1) if m.decode() != keep]
        if not ended:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for key_hash in ended:
            pipe.delete(self._record_key(key_hash))
        pipe.zrem(index, *ended)
        return sum(pipe.execute()[:-1])

    @_guarded
    def active(self, user_id: int, now: dt.datetime) -> list[RedisSession]:
        index = self._index_key(user_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.zremrangebyscore(index, "-inf", _stamp(now))
        pipe.zrange(index, 0, -1)
        members = [m.decode() for m in pipe.execute()[1]]
        if not members:
            return []
        raw = self.redis.mget([self._record_key(m) for m in members])
        found = [self._parse(m, r) for m, r in zip(members, raw, strict=True)]
        gone = [m for m, record in zip(members, found, strict=True) if record is None]
        if gone:
            self.redis.zrem(index, *gone)
        live = [r for r in found if r is not None and r.expires_at > now]
        return sorted(live, key=lambda r: (r.last_seen_at, r.created_at), reverse=True)

    @_guarded
    def purge(self, now: dt.datetime) -> int:
        """The records expire by themselves; this drops the index entries they left behind."""
        removed = 0
        for index in self.redis.scan_iter(match=f"{self.prefix}:u:*", count=500):
            removed += self.redis.zremrangebyscore(index, "-inf", _stamp(now))
        return removed

    def ended(self) -> None:
        from network import cache
        from network.accounts.sessions import SESSIONS_SCOPE

        cache.bump_data(SESSIONS_SCOPE)
