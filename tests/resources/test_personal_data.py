"""What the library adds to a person's data export (network/resources/personal_data.py): every
file they uploaded, with a link that downloads it."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

from network.accounts import privacy
from network.resources import services
from network.resources.models import ResourceFile
from tests.resources.conftest import make_pdf


def test_uploaded_files_are_listed_with_working_download_links(app, db, make, library, login):
    owner, other = make.user(), make.user()
    mine = library.resource(owner, title="Vår lägesbild", files=[("lagesbild.pdf", make_pdf())])
    library.resource(other, title="Någon annans", files=[("annan.pdf", make_pdf())])
    db.session.commit()
    client = login(owner)
    data = json.loads(client.get("/profil/mina-uppgifter.json").data)["library"]
    assert [r["title"] for r in data["resources_added"]] == ["Vår lägesbild"]
    [listed] = data["files_uploaded"]
    file = db.session.get(ResourceFile, listed["id"])
    assert (listed["filename"], listed["resource_id"]) == ("lagesbild.pdf", mine.id)
    assert listed["download_url"].startswith(app.config["PUBLIC_BASE_URL"])
    response = client.get(urlsplit(listed["download_url"]).path)
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and body[:5] == b"%PDF-"
    assert file.sha256 == listed["sha256"]


def test_a_new_version_by_someone_else_is_theirs_not_the_owners(db, make, library):
    owner, editor = make.user(), make.admin()
    resource = library.resource(owner, files=[("v1.pdf", make_pdf())])
    services.add_version(editor, resource, [services.Upload(io.BytesIO(make_pdf()), "v2.pdf")],
                         "Ny version")
    assert [f["filename"] for f in privacy.export_user_data(owner)["library"]["files_uploaded"]] \
        == ["v1.pdf"]
    assert [f["filename"] for f in privacy.export_user_data(editor)["library"]["files_uploaded"]] \
        == ["v2.pdf"]
