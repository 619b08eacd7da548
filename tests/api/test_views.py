"""The read endpoints: content, pagination by cursor, filters, ETag/304, languages."""

from __future__ import annotations

import base64
import datetime as dt

from network.api.problems import PROBLEM_MIMETYPE
from network.followup import services as followup_services


def ids(response) -> list[int]:
    assert response.status_code == 200, response.data
    return [item["id"] for item in response.json["items"]]


def test_visitors_get_public_resources_with_versions_and_file_links(client, world):
    listing = client.get("/api/v1/resources")
    assert ids(listing) == [world.public_resource.id]
    detail = client.get(f"/api/v1/resources/{world.public_resource.id}").json
    assert detail["title"] == "Öppet metodstöd"
    assert detail["versions"][0]["number"] == 1
    file = detail["versions"][0]["files"][0]
    assert file["download_url"] == f"http://localhost/bibliotek/fil/{file['id']}/guide.pdf"
    download = client.get(file["download_url"].removeprefix("http://localhost"))
    assert download.status_code == 200
    download.close()


def test_members_resource_is_not_found_for_visitors(client, world):
    response = client.get(f"/api/v1/resources/{world.members_resource.id}")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM_MIMETYPE


def test_a_read_token_sees_what_its_owner_sees(client, world, bearer):
    headers = bearer(world.insider)
    assert set(ids(client.get("/api/v1/resources", headers=headers))) == {
        world.public_resource.id, world.members_resource.id, world.closed_resource.id}


def test_cursor_pagination_walks_every_item_once(client, world, make, db, bearer):
    from tests.api.conftest import _resource

    for n in range(5):
        _resource(world.admin, f"Extra {n}", "public")
    db.session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/resources", query_string=query).json
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 6 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_callers_in_turn_each_get_their_own_resources(client, world, bearer, db):
    """The list's statement is reused for every caller of one visibility scope: callers of
    different scopes, one after the other on one process, still get only their own rights, and a
    member who leaves the closed group loses its resource on the next call."""
    from network.accounts import services as accounts

    public, members, closed = (world.public_resource.id, world.members_resource.id,
                               world.closed_resource.id)
    insider, outsider = bearer(world.insider), bearer(world.outsider)
    expected = [({}, [public]), (insider, [closed, members, public]), (outsider, [members, public]),
                ({}, [public]), (bearer(world.admin), [closed, members, public]),
                (insider, [closed, members, public]), (outsider, [members, public])]
    for headers, listed in expected:
        assert ids(client.get("/api/v1/resources", headers=headers)) == listed
        assert ids(client.get("/api/v1/resources", headers=headers, query_string={"limit": 1})) == [
            listed[0]]
    accounts.remove_member(None, world.closed_group, world.insider)
    db.session.commit()
    assert ids(client.get("/api/v1/resources", headers=insider)) == [members, public]
    assert ids(client.get("/api/v1/resources", headers=outsider)) == [members, public]


def test_filters_narrow_the_list(client, world):
    assert ids(client.get("/api/v1/resources", query_string={"type": "rapport"})) == []
    assert ids(client.get("/api/v1/resources", query_string={"type": "metodstod"})) == [
        world.public_resource.id]


def test_etag_answers_304_until_the_content_changes(client, world, db):
    first = client.get("/api/v1/resources")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/resources", headers={"If-None-Match": etag})
    assert again.status_code == 304
    world.public_resource.title = "Nytt namn"
    db.session.commit()
    changed = client.get("/api/v1/resources", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["items"][0]["title"] == "Nytt namn"


def test_events_are_ordered_by_start_and_hide_the_place(client, world, bearer):
    assert ids(client.get("/api/v1/events")) == [world.public_event.id]
    member = client.get("/api/v1/events", headers=bearer(world.outsider)).json["items"]
    assert [e["id"] for e in member] == [world.public_event.id, world.members_event.id]
    assert all("place" not in e for e in member)


def test_groups_municipalities_and_area_history(client, world, make, db):
    from network.accounts import services as accounts
    from network.accounts.models import ClassificationLevel

    area = make.area("0180", name="Järva", level=ClassificationLevel.RISK, year=2023)
    accounts.classify_area(None, area, 2025, ClassificationLevel.SARSKILT_UTSATT)
    db.session.commit()
    assert ids(client.get("/api/v1/groups")) == [world.open_group.id]
    stockholm = client.get("/api/v1/municipalities/0180").json
    assert stockholm["name"] == "Stockholm"
    [järva] = [a for a in stockholm["areas"] if a["name"] == "Järva"]
    assert [c["year"] for c in järva["classifications"]] == [2025, 2023]
    assert järva["current_level"] == ClassificationLevel.SARSKILT_UTSATT.value
    page = client.get("/api/v1/municipalities", query_string={"limit": 100}).json
    assert len(page["items"]) == 100 and page["next"]
    rest = client.get("/api/v1/municipalities", query_string={"limit": 100, "cursor": page["next"]}).json
    assert rest["items"][0]["code"] > page["items"][-1]["code"]


def test_forum_topics_and_posts(client, world):
    assert ids(client.get("/api/v1/forum/topics")) == [world.public_topic.id]
    posts = client.get(f"/api/v1/forum/topics/{world.public_topic.id}/posts").json["items"]
    assert posts[0]["body"] == "Hur gör ni?" and posts[0]["author"] == "Ada Admin"


def test_search_uses_the_shared_access_filtered_index(client, world, bearer):
    anonymous = client.get("/api/v1/search", query_string={"q": "metodstöd"}).json
    assert {(h["kind"], h["object_id"]) for h in anonymous["items"]} == {
        ("resource", world.public_resource.id)}
    assert anonymous["counts"] == {"resource": 1}


def test_problem_details_follow_accept_language(client, world):
    swedish = client.get("/api/v1/resources", query_string={"limit": 0})
    english = client.get("/api/v1/resources", query_string={"limit": 0},
                         headers={"Accept-Language": "en"})
    assert swedish.status_code == english.status_code == 400
    assert swedish.json["title"] == "Ogiltiga parametrar"
    assert english.json["title"] == "Invalid parameters"
    assert english.headers["Content-Language"] == "en"
    assert "limit" in english.json["errors"]


def test_followup_is_for_programme_staff(client, world, bearer):
    assert client.get("/api/v1/followup/plans", headers=bearer(world.outsider)).status_code == 403
    assert client.get("/api/v1/followup/plans").status_code == 401  # a token is needed
    refused = client.get("/api/v1/followup/plans", headers=bearer(world.admin, "read"))
    assert refused.status_code == 403  # staff, but the token lacks the followup scope
    allowed = client.get("/api/v1/followup/plans", headers=bearer(world.admin, "followup"))
    assert allowed.status_code == 200 and allowed.json == {"items": [], "next": None}


def test_a_cursor_is_opaque_but_checked(client, world):
    forged = base64.urlsafe_b64encode(b'["x"]').decode()
    too_big = base64.urlsafe_b64encode(b"[9223372036854775808]").decode()
    for cursor in ("%%%", "bm90IGpzb24", forged, "W10", too_big):
        response = client.get("/api/v1/resources", query_string={"cursor": cursor})
        assert response.status_code == 400, cursor
        assert response.json["type"].endswith("/invalid-cursor")


def test_followup_lists_narrow_to_a_municipality_and_to_one_plan_measure_or_indicator(client, make, db,
                                                                                     bearer):
    from tests.followup.conftest import CODE, build_world

    local = build_world(make, db)
    followup_services.add_measurement(local.admin, local.indicator, date=dt.date(2025, 6, 1),
                                      value="47", comment="Vårens mätning")
    db.session.commit()
    staff = bearer(local.admin, "followup")

    def ids(path: str, **query) -> list[int]:
        response = client.get(f"/api/v1/followup/{path}", headers=staff, query_string=query)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    measurement_id = local.indicator.measurements[0].id
    assert ids("plans", municipality=CODE) == [local.plan.id]
    assert ids("plans", municipality="1280") == []
    assert ids("measures", plan_id=local.plan.id) == [local.measure.id]
    assert ids("measures", plan_id=local.plan.id + 1) == []
    assert ids("indicators", measure_id=local.measure.id) == [local.indicator.id]
    assert ids("indicators", measure_id=local.measure.id, municipality="1280") == []
    assert ids("measurements", indicator_id=local.indicator.id) == [measurement_id]
    assert ids("measurements", indicator_id=local.indicator.id + 1) == []


def test_a_page_of_resources_costs_one_query_whatever_its_size(client, world, make, db,
                                                                  count_queries):
    from network.api.schemas import ResourceOut
    from network.resources import services as resources
    from network.resources.models import Resource

    organisation = make.organisation(name="Botkyrka kommun", municipality_code="0127")
    for n in range(30):
        resources.create_resource(
            world.admin, title=f"Stöd {n}", type="metodstod", visibility="public",
            override_reason="Nätverkets eget material, publiceras direkt",
            themes=["samverkan", "grovt_vald"], municipality_codes=["0180", "0127"],
            organisation_id=organisation.id, external_url=f"https://example.se/stod/{n}")
    db.session.commit()
    client.get("/api/v1/resources", query_string={"limit": 1})  # warm: the visitor's session
    counts = {}
    for limit in (1, 100):
        with count_queries() as counter:
            page = client.get("/api/v1/resources", query_string={"limit": limit})
        assert page.status_code == 200
        counts[limit] = counter.count
    assert counts[1] == counts[100] == 1  # themes and municipalities gathered in the same query

    db.session.expire_all()
    shown = [db.session.get(Resource, item["id"]) for item in page.json["items"]]
    assert page.json["items"] == ResourceOut(many=True).dump(shown)
    assert page.json["items"][0]["municipalities"] == ["0127", "0180"]  # by name
    assert page.json["items"][0]["themes"] == ["grovt_vald", "samverkan"]
