"""Two installations sharing one Redis: every key an installation writes carries its prefix,
and neither counts the other's requests against its rate limits."""

from __future__ import annotations

import uuid

import pytest

from network import create_app, jobs


@pytest.fixture
def shared_redis(private_redis):
    """A Redis of this test's own, so that every key in it was written here."""
    import redis

    client = redis.Redis.from_url(private_redis.url)
    yield private_redis.url, client
    client.close()


def _installation(app_config, url: str, name: str):
    return create_app({**app_config, "REDIS_URL": url, "RATELIMIT_STORAGE_URI": url,
                       "CACHE_KEY_PREFIX": name, "RATELIMIT_KEY_PREFIX": name,
                       "CHAT_REDIS_PREFIX": f"{name}-chat", "SOCKETIO_CHANNEL": f"{name}-socketio",
                       "SESSION_REDIS_PREFIX": f"{name}-session", "JOBS_QUEUE": f"{name}-jobs"})


def _written(client, seen: set) -> set[str]:
    return {key.decode() for key in set(client.scan_iter("*")) - seen}


def test_every_key_carries_the_installation_prefix_and_feeds_stay_apart(app_config, shared_redis):
    url, client = shared_redis
    first, second = f"inst-{uuid.uuid4().hex[:8]}", f"inst-{uuid.uuid4().hex[:8]}"
    app = _installation(app_config, url, first)
    web = app.test_client()
    assert web.get("/evenemang/kalender/offentlig.ics").status_code == 200
    web.post("/logga-in", data={"email": "nobody@example.se", "password": "wrong-password"})
    with app.app_context():
        from network import cache
        from network.accounts import services, sessions

        cache.bump()
        sessions.open_session(services.create_user(f"{first}@example.se", None, "Prefix Prefixsson"))
        jobs.dispatch(app, "resources.extract", {"file_id": 1})  # queued, never run here

    written = _written(client, set())
    assert any("generation" in key for key in written), written
    assert any("nobody@example.se" in key for key in written), written  # the login limit's keys
    assert any(f"{first}-session:s:" in key for key in written), written  # a sign-in session
    # RQ's own keys carry RQ_KEY_PREFIX (read from the environment by RQ, per process).
    rq_prefix = app.config["RQ_KEY_PREFIX"] + ":"
    assert any(key.startswith(rq_prefix + "job:") for key in written), written
    assert all(first in key for key in written if not key.startswith(rq_prefix)), sorted(written)
    assert all(first in key for key in written if key.startswith(rq_prefix + "queue:")), sorted(written)

    other = _installation(app_config, url, second)
    seen = set(client.scan_iter("*"))
    other.test_client().post("/logga-in", data={"email": "nobody@example.se",
                                                 "password": "wrong-password"})
    again = _written(client, seen)
    assert again and all(second in key for key in again), again
    for installation in (app, other):
        with installation.app_context():
            from network.extensions import db

            db.engine.dispose()


def test_the_run_s_own_redis_names_carry_its_namespace():
    """Two test runs on one machine share the test Redis and keep apart by these names."""
    from tests.conftest import REDIS_NAMES, RUN_NAMESPACE, redis_names

    assert all(value.startswith(RUN_NAMESPACE) for value in REDIS_NAMES.values())
    tagged = redis_names("other")
    assert tagged["CACHE_KEY_PREFIX"] != REDIS_NAMES["CACHE_KEY_PREFIX"]
    assert tagged["RQ_KEY_PREFIX"] == REDIS_NAMES["RQ_KEY_PREFIX"]  # one per process
