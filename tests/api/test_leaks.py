"""Closed-group content never reaches outsiders through the API: lists, details, counts, search."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import SECRET

LISTS = ["/api/v1/resources", "/api/v1/events", "/api/v1/groups", "/api/v1/forum/categories",
         "/api/v1/forum/topics", "/api/v1/experience-reports", "/api/v1/events?include_cancelled=true",
         "/api/v1/groups?include_archived=true", f"/api/v1/search?q={SECRET}",
         "/api/v1/search?q=metodstöd", "/api/v1/search?q=gruppens"]


@pytest.fixture(params=["visitor", "member", "member token"])
def outsider(request, client, world, bearer, login):
    if request.param == "visitor":
        return client, {}
    if request.param == "member":
        return login(world.outsider), {}
    return client, bearer(world.outsider)


def test_no_list_or_count_mentions_closed_group_content(outsider, world):
    browser, headers = outsider
    for url in LISTS:
        response = browser.get(url, headers=headers)
        assert response.status_code == 200, url
        assert SECRET not in response.get_data(as_text=True), url
        assert SECRET.lower() not in json.dumps(response.json).lower(), url
    search = browser.get(f"/api/v1/search?q={SECRET}", headers=headers).json
    assert search["total"] == 0 and search["counts"] == {}


def test_closed_objects_are_not_found(outsider, world):
    browser, headers = outsider
    for url in (f"/api/v1/resources/{world.closed_resource.id}", f"/api/v1/events/{world.closed_event.id}",
                f"/api/v1/groups/{world.closed_group.id}", f"/api/v1/forum/topics/{world.closed_topic.id}",
                f"/api/v1/forum/topics/{world.closed_topic.id}/posts",
                f"/api/v1/forum/categories/{world.closed_topic.category_id}"):
        response = browser.get(url, headers=headers)
        assert response.status_code == 404, url
        assert SECRET not in response.get_data(as_text=True)


def test_filters_cannot_reach_into_a_closed_group(outsider, world):
    browser, headers = outsider
    for url in (f"/api/v1/events?group_id={world.closed_group.id}",
                f"/api/v1/forum/topics?category_id={world.closed_topic.category_id}"):
        assert browser.get(url, headers=headers).json["items"] == [], url


def test_the_group_member_does_see_it(client, world, bearer):
    headers = bearer(world.insider)
    assert world.closed_resource.id in [
        r["id"] for r in client.get("/api/v1/resources", headers=headers).json["items"]]
    search = client.get(f"/api/v1/search?q={SECRET}", headers=headers).json
    assert search["total"] >= 3
