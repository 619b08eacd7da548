"""Presence and the rate limit, in memory and in Redis (shared by every server process)."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from network.chat import state


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def prefix() -> str:
    return f"network-chat-test-{uuid.uuid4().hex[:8]}"


@pytest.mark.redis
def test_redis_rate_limit_is_shared_by_every_limiter_on_the_same_redis(redis_client):
    p = prefix()
    one = state.RedisRateLimiter(redis_client, p, limit=5, window=5)
    two = state.RedisRateLimiter(redis_client, p, limit=5, window=5)
    results = [(one if n % 2 else two).hit(7) for n in range(6)]
    assert results == [True] * 5 + [False]
    assert one.hit(8) is True


@pytest.mark.redis
def test_redis_rate_limit_window_slides(redis_client):
    limiter = state.RedisRateLimiter(redis_client, prefix(), limit=2, window=0.3)
    assert limiter.hit(1) and limiter.hit(1) and not limiter.hit(1)
    time.sleep(0.35)
    assert limiter.hit(1)


def test_memory_rate_limit_window_slides():
    limiter = state.MemoryRateLimiter(limit=2, window=0.3)
    assert limiter.hit(1) and limiter.hit(1) and not limiter.hit(1)
    time.sleep(0.35)
    assert limiter.hit(1)


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
