"""Bad input gets a clear problem-details answer, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from network.api.problems import PROBLEM_MIMETYPE
from network.events.models import Registration
from network.forums.models import Post


@pytest.mark.parametrize("query", [
    {"unknown": "1"},                # unknown field
    {"limit": "many"},               # wrong type
    {"limit": "100000"},             # huge page size
    {"limit": "-1"},
    {"year": "nineteen"},
    {"type": "not-a-type"},
    {"cursor": "!!"},                # invalid cursor
])
def test_bad_query_parameters(client, world, query):
    response = client.get("/api/v1/resources", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM_MIMETYPE
    body = response.json
    assert body["status"] == 400 and body["title"] and body["detail"]


def test_unknown_fields_in_a_body_are_refused_and_nothing_is_registered(client, world, bearer, db):
    headers = bearer(world.outsider, "read write")
    response = client.post(f"/api/v1/events/{world.public_event.id}/registration",
                           json={"needs": "", "admin": True}, headers=headers)
    assert response.status_code == 400 and "admin" in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_wrong_types_in_a_body_are_refused(client, world, bearer, db):
    headers = bearer(world.outsider, "read write")
    posts = db.session.scalar(select(func.count()).select_from(Post))
    for body in ({"body": 5}, {"body": ["x"]}, {"body": "ok", "reply_to": "one"}, {}):
        response = client.post(f"/api/v1/forum/topics/{world.public_topic.id}/posts", json=body,
                               headers=headers)
        assert response.status_code == 400, body
    not_json = client.post(f"/api/v1/forum/topics/{world.public_topic.id}/posts", data="body=x",
                           headers=headers, content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415
    assert db.session.scalar(select(func.count()).select_from(Post)) == posts


def test_a_write_needs_the_write_scope(client, world, bearer, db):
    response = client.post(f"/api/v1/events/{world.public_event.id}/registration", json={},
                           headers=bearer(world.outsider, "read"))
    assert response.status_code == 403
    assert response.json["type"].endswith("/insufficient-scope")
    assert 'scope="write"' in response.headers["WWW-Authenticate"]
    assert client.post(f"/api/v1/events/{world.public_event.id}/registration",
                       json={}).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_token_without_the_read_scope_cannot_read(client, world, bearer):
    assert client.get("/api/v1/events", headers=bearer(world.outsider, "write")).status_code == 403


def test_unknown_paths_and_methods(client):
    assert client.get("/api/v1/nothing-here").status_code == 404
    assert client.get("/api/v1/events/9223372036854775808").status_code == 404  # beyond any id
    response = client.delete("/api/v1/resources")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.mimetype == PROBLEM_MIMETYPE


def test_rate_limit_answers_in_problem_details(app, client, world):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    statuses = [client.get("/api/v1/areas").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/areas")
    assert limited.mimetype == PROBLEM_MIMETYPE and "Retry-After" in limited.headers
