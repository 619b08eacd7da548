"""Downloads: streamed attachments with safe headers, conditional requests, ranges, counts."""

import datetime as dt
import hashlib
import io
from urllib.parse import unquote

import pytest

from network.resources import services, storage
from tests.resources.conftest import make_pdf

CONTENT = make_pdf("Åtgärdsplan")


@pytest.fixture
def public_file(db, library):
    r = library.resource(visibility="public", files=[("Åtgärdsplan för Rosengård.pdf", CONTENT)])
    db.session.commit()
    return r.versions[0].files[0]


def url(file):
    return f"/bibliotek/fil/{file.id}"


def fetch(client, path, **kw):
    response = client.get(path, **kw)
    response.get_data()
    response.close()
    return response


def test_a_download_is_an_attachment_with_safe_headers(client, public_file):
    response = fetch(client, url(public_file))
    assert response.status_code == 200
    assert response.data == CONTENT
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="Atgardsplan for Rosengard.pdf"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Åtgärdsplan för Rosengård.pdf"
    assert " " not in encoded


def test_the_etag_is_the_sha256_and_last_modified_is_set(client, public_file):
    response = fetch(client, url(public_file))
    assert response.headers["ETag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response.headers["Last-Modified"]
    assert int(response.headers["Content-Length"]) == len(CONTENT)


def test_a_matching_etag_gives_304_without_a_body(client, public_file):
    response = fetch(client, url(public_file), headers={"If-None-Match": f'"{public_file.sha256}"'})
    assert response.status_code == 304
    assert response.data == b""


def test_if_modified_since_gives_304(client, public_file):
    later = (public_file.created_at + dt.timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    response = fetch(client, url(public_file), headers={"If-Modified-Since": later})
    assert response.status_code == 304


def test_a_range_request_gets_206_with_just_those_bytes(client, public_file):
    response = fetch(client, url(public_file), headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.data == CONTENT[10:20]
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(CONTENT)}"
    assert response.headers["Accept-Ranges"] == "bytes"


def test_the_last_bytes_can_be_resumed(client, public_file):
    response = fetch(client, url(public_file), headers={"Range": "bytes=-5"})
    assert response.status_code == 206 and response.data == CONTENT[-5:]


def test_an_unsatisfiable_range_gets_416(client, public_file):
    response = fetch(client, url(public_file), headers={"Range": f"bytes={len(CONTENT) + 10}-"})
    assert response.status_code == 416


def test_head_gives_the_headers_without_a_body(client, public_file):
    response = client.head(url(public_file))
    assert response.status_code == 200
    assert response.data == b""
    assert int(response.headers["Content-Length"]) == len(CONTENT)
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.close()


def test_only_full_downloads_and_first_ranges_are_counted(db, client, public_file):
    fetch(client, url(public_file))
    fetch(client, url(public_file), headers={"Range": "bytes=0-9"})
    fetch(client, url(public_file), headers={"Range": "bytes=10-19"})
    fetch(client, url(public_file), headers={"If-None-Match": f'"{public_file.sha256}"'})
    client.head(url(public_file)).close()
    db.session.expire_all()
    assert public_file.download_count == 2
    assert public_file.resource.download_count == 2


def test_a_nice_name_in_the_url_does_not_matter(client, public_file):
    assert fetch(client, url(public_file) + "/vad-som-helst.exe").data == CONTENT


def test_old_versions_stay_downloadable(db, client, library, make):
    admin = make.admin()
    r = library.resource(admin, visibility="public", files=[("v1.pdf", make_pdf("ett"))])
    services.add_version(admin, r, [services.Upload(io.BytesIO(make_pdf("två")), "v2.pdf")], "Andra")
    db.session.commit()
    old = r.versions[1].files[0]
    assert fetch(client, url(old)).data == make_pdf("ett")


def test_a_file_missing_from_disk_is_a_404_not_a_500(db, client, public_file):
    storage.path_for(public_file.storage_key).unlink()
    assert fetch(client, url(public_file)).status_code == 404


def test_public_files_may_be_cached_by_anyone_private_ones_only_privately(db, client, login, library, make):
    admin = make.admin()
    r = library.resource(admin, visibility="members")
    db.session.commit()
    response = fetch(login(admin), url(r.versions[0].files[0]))
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response.headers["Vary"]


class TestXAccelRedirect:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["X_ACCEL_REDIRECT_PREFIX"] = "/_skyddade_filer/"
        return app_config

    def test_nginx_is_handed_the_transfer_after_the_permission_check(self, client, public_file):
        response = fetch(client, url(public_file))
        assert response.status_code == 200
        assert response.headers["X-Accel-Redirect"] == (
            "/_skyddade_filer/" + storage.relative_path(public_file.storage_key))
        assert response.data == b""
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

    def test_a_matching_etag_is_answered_by_the_app(self, client, public_file):
        response = fetch(client, url(public_file), headers={"If-None-Match": f'"{public_file.sha256}"'})
        assert response.status_code == 304
        assert "X-Accel-Redirect" not in response.headers

    def test_hidden_files_are_not_handed_to_nginx(self, db, client, library, make):
        r = library.resource(make.admin(), visibility="members")
        db.session.commit()
        response = fetch(client, url(r.versions[0].files[0]))
        assert response.status_code == 404
        assert "X-Accel-Redirect" not in response.headers


# -- repeated conditional GETs, answered in front of Flask (network/httpcache.py) ----------------


def test_a_repeated_304_for_a_public_file_needs_no_query(client, public_file, count_queries):
    etag = {"If-None-Match": f'"{public_file.sha256}"'}
    fetch(client, url(public_file), headers=etag)
    with count_queries() as counter:
        again = fetch(client, url(public_file), headers=etag)
    assert again.status_code == 304 and counter.count == 0
    assert again.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert again.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_made_private_is_no_longer_confirmed_to_outsiders(db, client, public_file):
    etag = {"If-None-Match": f'"{public_file.sha256}"'}
    fetch(client, url(public_file), headers=etag)
    resource = public_file.resource
    services.update_resource(resource.created_by, resource, title=resource.title, type=resource.type,
                             visibility="members")
    db.session.commit()
    assert fetch(client, url(public_file), headers=etag).status_code == 404


def test_conditional_gets_of_member_files_always_check_access(db, client, library, make, login,
                                                              count_queries):
    member = make.user()
    r = library.resource(make.admin(), visibility="members")
    db.session.commit()
    file = r.versions[0].files[0]
    etag = {"If-None-Match": f'"{file.sha256}"'}
    insider = login(member)
    assert fetch(insider, url(file), headers=etag).status_code == 304
    with count_queries() as counter:
        assert fetch(insider, url(file), headers=etag).status_code == 304
    assert counter.count > 0
    assert fetch(client, url(file), headers=etag).status_code == 404
