"""A download's Content-Type names its charset once, and behind nginx (X-Accel-Redirect) a
revalidation with the app's own validators is a 304 from the app that is not counted."""

from __future__ import annotations

import pytest

from network.extensions import db
from network.resources.models import ResourceFile

TEXT = "Lägesbild för Rosengård\n".encode()


@pytest.fixture
def text_file(db, library):
    r = library.resource(visibility="public", files=[("lagesbild.txt", TEXT)])
    db.session.commit()
    return r.versions[0].files[0]


def _get(client, file, **kw):
    response = client.get(f"/bibliotek/fil/{file.id}", **kw)
    response.get_data()
    response.close()
    return response


def _count(file) -> int:
    db.session.expire_all()
    return db.session.get(ResourceFile, file.id).download_count


def test_a_text_download_names_its_charset_once(client, text_file):
    response = _get(client, text_file)
    assert response.status_code == 200 and response.data == TEXT
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


class TestBehindNginx:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["X_ACCEL_REDIRECT_PREFIX"] = "/protected-files/"
        return app_config

    def test_the_charset_is_named_once(self, client, text_file):
        response = _get(client, text_file)
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.headers["X-Accel-Redirect"].startswith("/protected-files/")

    def test_revalidations_with_the_apps_validators_are_not_counted(self, client, text_file):
        first = _get(client, text_file)
        assert first.status_code == 200 and _count(text_file) == 1
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            again = _get(client, text_file, headers=headers)
            assert again.status_code == 304 and "X-Accel-Redirect" not in again.headers
        assert _count(text_file) == 1

        stale = _get(client, text_file, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200 and "X-Accel-Redirect" in stale.headers
        assert _count(text_file) == 2
