"""Two installations sharing one Redis: every key an installation writes carries its prefix,
and neither counts the other's requests against its rate limits."""

from __future__ import annotations

import uuid

import pytest

from network import create_app


@pytest.fixture
def shared_redis(redis_url):
    """A Redis database of its own (not the one other tests flush), emptied of our keys after."""
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/13"
    client = redis.Redis.from_url(url)
    yield url, client
    for key in client.scan_iter("inst-*"):
        client.delete(key)
    client.close()


def _installation(app_config, url: str, name: str):
    return create_app({**app_config, "REDIS_URL": url, "RATELIMIT_STORAGE_URI": url,
                       "CACHE_KEY_PREFIX": name, "RATELIMIT_KEY_PREFIX": name,
                       "CHAT_REDIS_PREFIX": f"{name}-chat", "SOCKETIO_CHANNEL": f"{name}-socketio",
                       "SESSION_REDIS_PREFIX": f"{name}-session"})


def test_every_key_carries_the_installation_prefix_and_feeds_stay_apart(app_config, shared_redis):
    url, client = shared_redis
    first, second = f"inst-{uuid.uuid4().hex[:8]}", f"inst-{uuid.uuid4().hex[:8]}"
    before = set(client.scan_iter("*"))
    app = _installation(app_config, url, first)
    web = app.test_client()
    assert web.get("/evenemang/kalender/offentlig.ics").status_code == 200
    web.post("/logga-in", data={"email": "nobody@example.se", "password": "wrong-password"})
    with app.app_context():
        from network import cache
        from network.accounts import services, sessions

        cache.bump()
        sessions.open_session(services.create_user(f"{first}@example.se", None, "Prefix Prefixsson"))

    written = {key.decode() for key in set(client.scan_iter("*")) - before}
    assert any("generation" in key for key in written), written
    assert any("nobody@example.se" in key for key in written), written  # the login limit's keys
    assert any(f"{first}-session:s:" in key for key in written), written  # a sign-in session
    assert all(first in key for key in written), written

    other = _installation(app_config, url, second)
    seen = set(client.scan_iter("*"))
    other.test_client().post("/logga-in", data={"email": "nobody@example.se",
                                                 "password": "wrong-password"})
    again = {key.decode() for key in set(client.scan_iter("*")) - seen}
    assert again and all(second in key for key in again), again
    for installation in (app, other):
        with installation.app_context():
            from network.extensions import db

            db.engine.dispose()
