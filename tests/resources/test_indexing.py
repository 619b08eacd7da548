"""An upload is answered before its files' text is read; a background job reads it afterwards."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import select

from network import fulltext, jobs
from network.resources.models import Resource, ResourceFile
from tests.resources.conftest import make_pdf


@pytest.fixture
def app_config(app_config):
    app_config["JOBS_INLINE"] = False  # as in production without Redis: after the response
    return app_config


def _upload(client, word: str):
    return client.post("/bibliotek/ny", content_type="multipart/form-data", data={
        "title": "Handbok", "summary": "", "type": "metodstod", "themes": ["samverkan"],
        "visibility": "members", "language": "sv", "licence": "cc-by-4.0", "change_note": "",
        "files": [(io.BytesIO(make_pdf(word)), "handbok.pdf", "application/pdf")]})


def test_the_upload_is_answered_before_the_text_is_read_and_searchable_after(db, login, make):
    member = make.user()
    client = login(member)
    response = _upload(client, "Kameleontmetoden")
    assert response.status_code == 302
    file = db.session.scalar(select(ResourceFile))
    assert file.text_pending and file.extracted_text == ""
    assert fulltext.search(member, "kameleontmetoden", kinds=["resource"]).hits == []

    response.close()  # the server has sent the answer: now the job runs
    db.session.expire_all()
    assert not file.text_pending and "Kameleontmetoden" in file.extracted_text
    assert fulltext.search(member, "kameleontmetoden", kinds=["resource"]).hits


def test_the_resource_page_says_the_text_is_not_yet_searchable(db, login, make):
    client = login(make.user())
    upload = _upload(client, "Pingvin")
    resource = db.session.scalar(select(Resource))
    page = client.get(f"/bibliotek/{resource.id}")
    assert "läses in för sökningen" in page.get_data(as_text=True)
    page.close()
    upload.close()
    db.session.expire_all()  # test requests share this session; production's start afresh
    page = client.get(f"/bibliotek/{resource.id}").get_data(as_text=True)
    assert "läses in för sökningen" not in page and "Ladda ner handbok.pdf" in page


def test_a_job_for_a_deleted_upload_is_reported_and_changes_nothing(app, db, login, make,
                                                                     caplog):
    client = login(make.user())
    upload = _upload(client, "Zebra")
    resource = db.session.scalar(select(Resource))
    assert client.post(f"/bibliotek/{resource.id}/ta-bort").status_code == 302
    with caplog.at_level(logging.WARNING, logger="network.jobs"):
        upload.close()  # the job now finds neither the file's row nor the file
    gone = [r for r in caplog.records if r.name == "network.jobs"]
    assert len(gone) == 1 and "resources.extract" in gone[0].getMessage()
    assert "no longer exists" in gone[0].getMessage() and "not retried" in gone[0].getMessage()
    assert db.session.scalar(select(ResourceFile)) is None
    assert jobs.perform("resources.extract", {"file_id": 10**9}, app=app) is False
