"""Conditional GETs answered in front of Flask while nothing has changed."""

import datetime as dt

import pytest
from flask import Response

from network import cache, httpcache

STAMP = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def probe(app):
    """A route that counts how often Flask ran it; shareable unless ?private=1."""
    calls = []

    def view():
        from flask import request

        calls.append(1)
        if not request.args.get("private"):
            httpcache.shareable(60)
        response = Response("innehåll")
        response.set_etag("v1")
        response.last_modified = STAMP
        return response.make_conditional(request)

    app.add_url_rule("/probe", "probe", view)
    return calls


def ask(client, path="/probe", etag='"v1"', **headers):
    return client.get(path, headers={"If-None-Match": etag, **headers})


def test_a_repeated_304_is_answered_without_running_flask(client, probe):
    assert ask(client).status_code == 304
    again = ask(client)
    assert again.status_code == 304 and len(probe) == 1
    assert again.headers["ETag"] == '"v1"'
    assert again.headers["X-Content-Type-Options"] == "nosniff"


def test_if_modified_since_is_answered_too(client, probe):
    since = {"If-Modified-Since": "Sun, 01 Mar 2026 12:00:00 GMT"}
    client.get("/probe", headers=since)
    assert client.get("/probe", headers=since).status_code == 304 and len(probe) == 1


def test_a_different_validator_reaches_flask(client, probe):
    ask(client)
    response = ask(client, etag='"v0"')
    assert response.status_code == 200 and response.data == "innehåll".encode()
    assert len(probe) == 2


def test_any_write_ends_the_kept_answer(client, probe, db, make):
    ask(client)
    make.user()
    db.session.commit()
    ask(client)
    assert len(probe) == 2


def test_the_kept_answer_expires(client, probe, monkeypatch):
    import time

    ask(client)
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    ask(client)
    assert len(probe) == 2


def test_answers_not_marked_shareable_always_reach_flask(client, probe):
    for _ in range(2):
        assert ask(client, "/probe?private=1").status_code == 304
    assert len(probe) == 2


def test_ranges_always_reach_flask_and_head_is_answered_like_get(client, probe):
    ask(client)
    ask(client, Range="bytes=0-1")
    assert client.head("/probe", headers={"If-None-Match": '"v1"'}).status_code == 304
    assert len(probe) == 2


def test_an_unknown_generation_keeps_nothing(app, client, probe, monkeypatch):
    monkeypatch.setattr(app.extensions["network_cache"].generation, "value", lambda: None)
    ask(client)
    ask(client)
    assert len(probe) == 2


def test_answers_with_cookies_are_never_kept(app, client):
    def view():
        from flask import request, session

        httpcache.shareable(60)
        session["x"] = 1
        response = Response("x")
        response.set_etag("c1")
        return response.make_conditional(request)

    app.add_url_rule("/cookie", "cookie", view)
    ask(client, "/cookie", etag='"c1"')
    with_cookie = ask(client, "/cookie", etag='"c1"')
    assert "Set-Cookie" in with_cookie.headers  # it came from Flask again


def test_generation_is_read_before_the_request(app, client, db, make):
    """A write during the request leaves the answer unusable: it may reflect the old data."""
    def view():
        from flask import request

        httpcache.shareable(60)
        make.user()
        db.session.commit()
        response = Response("x")
        response.set_etag("w1")
        return response.make_conditional(request)

    app.add_url_rule("/writes", "writes", view)
    before = cache.generation()
    ask(client, "/writes", etag='"w1"')
    ask(client, "/writes", etag='"w1"')
    assert cache.generation() == before + 2  # Flask ran twice
