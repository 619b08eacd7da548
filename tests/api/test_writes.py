"""The write endpoints call the features' own actions, which decide who may."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from network.events.models import Registration
from network.forums.models import Post
from network.resources.models import ResourceVersion
from tests.resources.conftest import make_pdf


def test_register_for_an_event(client, world, bearer, db):
    headers = bearer(world.outsider, "read write")
    response = client.post(f"/api/v1/events/{world.members_event.id}/registration",
                           json={"needs": "Hörslinga"}, headers=headers)
    assert response.status_code == 201 and response.json["status"] == "registered"
    row = db.session.scalar(select(Registration))
    assert (row.user_id, row.needs) == (world.outsider.id, "Hörslinga")


def test_an_event_the_caller_may_not_see_is_not_found(client, world, bearer, db):
    response = client.post(f"/api/v1/events/{world.closed_event.id}/registration", json={},
                           headers=bearer(world.outsider, "read write"))
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_reply_to_a_topic_is_idempotent_with_a_client_key(client, world, bearer, db):
    headers = bearer(world.outsider, "read write")
    body = {"body": "Vi går varje torsdag.", "client_key": "retry-key-123"}
    first = client.post(f"/api/v1/forum/topics/{world.public_topic.id}/posts", json=body, headers=headers)
    again = client.post(f"/api/v1/forum/topics/{world.public_topic.id}/posts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"] and first.json["number"] == 2
    assert db.session.scalar(select(func.count()).select_from(Post)) == 3


def test_a_locked_topic_refuses_the_reply_through_the_forum_action(client, world, bearer, db):
    world.public_topic.locked = True
    db.session.commit()
    response = client.post(f"/api/v1/forum/topics/{world.public_topic.id}/posts", json={"body": "Hej"},
                           headers=bearer(world.outsider, "read write"))
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Post)) == 2


def test_upload_a_resource_version(client, world, bearer, db):
    headers = bearer(world.insider, "read write")
    response = client.post(
        f"/api/v1/resources/{world.closed_resource.id}/versions", headers=headers,
        data={"change_note": "Rättade siffror", "files": (io.BytesIO(make_pdf("Version två")), "v2.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.data
    assert response.json["number"] == 2 and response.json["files"][0]["filename"] == "v2.pdf"


def test_someone_elses_resource_is_refused_and_unchanged(client, world, bearer, db):
    headers = bearer(world.outsider, "read write")
    versions = db.session.scalar(select(func.count()).select_from(ResourceVersion))
    response = client.post(
        f"/api/v1/resources/{world.public_resource.id}/versions", headers=headers,
        data={"files": (io.BytesIO(make_pdf()), "v2.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ResourceVersion)) == versions
