"""Presence and the rate limit, in memory and in Redis (shared by every server process)."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from limits.storage import storage_from_string

from network.chat import state
from tests.conftest import namespaced


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def prefix() -> str:
    return namespaced(f"chat-{uuid.uuid4().hex[:8]}")


@pytest.mark.redis
def test_redis_rate_limit_is_shared_by_every_limiter_on_the_same_redis(redis_url):
    p = prefix()
    one = state.RateLimiter(storage_from_string(redis_url), p, limit=5, window=5)
    two = state.RateLimiter(storage_from_string(redis_url), p, limit=5, window=5)
    results = [(one if n % 2 else two).hit(7) for n in range(6)]
    assert results == [True] * 5 + [False]
    assert one.hit(8) is True


def test_memory_rate_limit_refuses_past_the_limit_and_forgets_after_the_window(monkeypatch):
    storage = storage_from_string("memory://")
    limiter = state.RateLimiter(storage, prefix(), limit=2, window=5)
    assert limiter.hit(1) and limiter.hit(1) and not limiter.hit(1)
    assert limiter.hit(2)
    later = time.time() + 6
    monkeypatch.setattr(time, "time", lambda: later)
    assert limiter.hit(1)


def test_installations_with_different_prefixes_count_apart():
    storage = storage_from_string("memory://")
    one = state.RateLimiter(storage, prefix(), limit=1, window=5)
    two = state.RateLimiter(storage, prefix(), limit=1, window=5)
    assert one.hit(1) and two.hit(1) and not one.hit(1)


@pytest.mark.redis
@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_presence_lists_each_person_once_and_forgets_stale_entries(backend, redis_client, monkeypatch):
    store = state.MemoryPresence() if backend == "memory" else state.RedisPresence(redis_client, prefix())
    store.add(1, "sid-a", {"id": 1, "name": "Örjan"})
    store.add(1, "sid-b", {"id": 1, "name": "Örjan"})
    store.add(1, "sid-c", {"id": 2, "name": "Anna"})
    store.add(2, "sid-d", {"id": 3, "name": "Bo"})
    assert [u["name"] for u in store.users(1)] == ["Anna", "Örjan"]
    assert sorted(store.sids_of_user(1, 1)) == ["sid-a", "sid-b"]
    store.remove(1, "sid-c")
    assert [u["name"] for u in store.users(1)] == ["Örjan"]
    later = time.time() + state.PRESENCE_TTL + 1
    monkeypatch.setattr(state.time, "time", lambda: later)
    assert store.users(1) == []


@pytest.mark.redis
def test_two_installations_sharing_one_redis_never_see_each_others_presence(redis_client):
    """CHAT_REDIS_PREFIX keeps installations apart: the same room id in two installations."""
    first, second = prefix(), prefix()
    ours, theirs = state.RedisPresence(redis_client, first), state.RedisPresence(redis_client, second)
    ours.add(7, "sid-a", {"id": 1, "name": "Anna"})
    theirs.add(7, "sid-b", {"id": 2, "name": "Bertil"})
    assert [u["name"] for u in ours.users(7)] == ["Anna"]
    assert [u["name"] for u in theirs.users(7)] == ["Bertil"]
    assert all(key.decode().startswith((first, second))
               for key in redis_client.scan_iter(f"{first}*")) and ours.sids_of_user(7, 2) == []
    for key in (*redis_client.scan_iter(f"{first}*"), *redis_client.scan_iter(f"{second}*")):
        redis_client.delete(key)


def test_the_rate_limit_counts_in_this_process_while_redis_is_away():
    """A restarting Redis does not refuse every chat message: the limit holds per process."""
    away = state.RateLimiter(storage_from_string("redis://127.0.0.1:1/0"), prefix(), limit=2, window=5)
    assert [away.hit(7) for _ in range(3)] == [True, True, False]
    assert away.hit(8)
