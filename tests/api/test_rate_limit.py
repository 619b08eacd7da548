"""The API's rate limit (``API_RATE_LIMIT`` per token, member or address): what callers see."""

from __future__ import annotations

import socket

import pytest

from network import create_app
from network.api.problems import PROBLEM_MIMETYPE

PATH = "/api/v1/areas"


@pytest.fixture
def three(app):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    return app


def test_every_answer_carries_the_limit_and_what_is_left(three, client):
    answers = [client.get(PATH) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["3", "3", "3"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    for answer in answers:
        assert int(answer.headers["X-RateLimit-Reset"]) > 0
        assert 0 <= int(answer.headers["Retry-After"]) <= 60


def test_the_fourth_call_in_a_minute_is_a_problem_with_retry_after(three, client):
    for _ in range(3):
        client.get(PATH)
    limited = client.get(PATH)
    assert limited.status_code == 429 and limited.mimetype == PROBLEM_MIMETYPE
    assert limited.get_json()["status"] == 429
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(limited.headers["Retry-After"]) <= 60


def test_each_address_has_its_own_count(three, client):
    for _ in range(3):
        assert client.get(PATH, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    assert client.get(PATH, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    assert client.get(PATH, environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


def test_a_token_counts_apart_from_its_address_and_from_other_tokens(three, client, world, bearer):
    mine, theirs = bearer(world.outsider), bearer(world.insider)
    for _ in range(3):
        assert client.get(PATH, headers=mine).status_code == 200
    assert client.get(PATH, headers=mine).status_code == 429
    assert client.get(PATH, headers=theirs).status_code == 200
    assert client.get(PATH).status_code == 200  # the same address without a token
    assert client.get(PATH).headers["X-RateLimit-Remaining"] == "1"


def test_installations_sharing_a_store_do_not_count_each_others_calls(app_config):
    first = create_app({**app_config, "API_RATE_LIMIT": "2 per minute",
                        "RATELIMIT_KEY_PREFIX": app_config["RATELIMIT_KEY_PREFIX"] + "-first"})
    second = create_app({**app_config, "API_RATE_LIMIT": "2 per minute",
                         "RATELIMIT_KEY_PREFIX": app_config["RATELIMIT_KEY_PREFIX"] + "-second"})
    # One limiter object serves every app of the process: both now count in the same store.
    assert [first.test_client().get(PATH).status_code for _ in range(3)] == [200, 200, 429]
    assert [second.test_client().get(PATH).status_code for _ in range(3)] == [200, 200, 429]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.fixture
def store_revived():
    """The process's one limiter marks its store dead when Redis is away; the apps of later tests
    must start on their own store again."""
    from network.extensions import limiter

    yield
    limiter._storage_dead = False


def test_with_the_store_unreachable_calls_are_counted_in_memory(app_config, caplog, store_revived):
    app = create_app({**app_config, "API_RATE_LIMIT": "2 per minute",
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/0",
                      "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.2,
                                                    "socket_timeout": 0.2}})
    client = app.test_client()
    answers = [client.get(PATH) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert answers[2].mimetype == PROBLEM_MIMETYPE
    assert "falling back to in-memory storage" in caplog.text
