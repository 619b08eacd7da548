"""The library's pages: adding, editing, versions, review, browsing, the start-page panel."""

import io

import pytest
from sqlalchemy import select

from network.resources.models import Resource, ReviewStatus
from tests.resources.conftest import make_docx, make_pdf


def form(**overrides):
    data = {"title": "Handbok för trygghetsvandringar", "summary": "Så gör ni.", "type": "metodstod",
            "themes": ["trygghet_offentlig_miljo", "samverkan"], "visibility": "members",
            "language": "sv", "licence": "cc-by-4.0", "year": "2025", "change_note": "Första",
            "municipalities": ["1280"],
            "files": [(io.BytesIO(make_pdf()), "handbok.pdf", "application/pdf")]}
    data.update(overrides)
    return data


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_library_is_in_the_navigation_for_visitors(client):
    page = text(client.get("/"))
    assert 'href="/bibliotek/"' in page and "Bibliotek" in page


def test_the_upload_form_is_accessible(login, make):
    page = text(login(make.user()).get("/bibliotek/ny"))
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="files">' in page and '<label for="title">' in page
    assert "<legend>Teman</legend>" in page and "<legend>Vem får se resursen?</legend>" in page


def test_visitors_are_sent_to_log_in_to_add_resources(client):
    response = client.get("/bibliotek/ny")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


def test_a_member_adds_a_resource_with_files_and_metadata(db, login, make):
    member = make.user()
    area = make.area("1280", "Seved")
    response = login(member).post("/bibliotek/ny", data=form(areas=[str(area.id)]),
                                  content_type="multipart/form-data")
    assert response.status_code == 302
    r = db.session.scalar(select(Resource))
    assert response.headers["Location"].endswith(f"/bibliotek/{r.id}")
    assert r.themes == ["samverkan", "trygghet_offentlig_miljo"]
    assert [m.code for m in r.municipalities] == ["1280"] and r.areas == [area]
    assert (r.year, r.licence, r.created_by_id) == (2025, "cc-by-4.0", member.id)
    assert r.versions[0].files[0].filename == "handbok.pdf"
    assert r.versions[0].change_note == "Första"


def test_the_resource_page_shows_files_versions_and_facts(db, login, make, library):
    admin = make.admin()
    r = library.resource(admin, files=[("plan.pdf", make_pdf())], themes=["nyrekrytering"],
                         change_note="Första utgåvan")
    db.session.commit()
    page = text(login(admin).get(f"/bibliotek/{r.id}"))
    assert "Ladda ner plan.pdf" in page and "Nyrekrytering" in page
    assert "Första utgåvan" in page and '<th scope="col">Version</th>' in page


def test_file_sizes_on_the_resource_page_are_in_the_reader_s_language(db, login, make, library):
    admin = make.admin()
    r = library.resource(admin, files=[("siffror.csv", b"antal\n" + b"1\n" * 611)])
    db.session.commit()
    assert r.versions[0].files[0].size == 1228
    client = login(admin)
    page = text(client.get(f"/bibliotek/{r.id}"))
    assert "1,2 kB" in page and "Bytes" not in page and "1.2 kB" not in page
    client.post("/sprak", data={"lang": "en", "next": "/"})
    assert "1.2 kB" in text(client.get(f"/bibliotek/{r.id}"))


def test_the_upload_form_names_the_limit_in_the_reader_s_language(login, make):
    client = login(make.user())
    assert "Högst 64 kB per fil." in text(client.get("/bibliotek/ny"))
    client.post("/sprak", data={"lang": "en", "next": "/"})
    assert "At most 64 kB per file." in text(client.get("/bibliotek/ny"))


def test_a_public_request_from_a_member_says_it_waits_for_review(db, login, make):
    client = login(make.user())
    response = client.post("/bibliotek/ny", data=form(visibility="public"),
                           content_type="multipart/form-data", follow_redirects=True)
    assert "när en samordnare har godkänt" in text(response)
    assert db.session.scalar(select(Resource)).review_status == ReviewStatus.PENDING


def test_a_resource_without_file_or_link_gets_a_form_error(db, login, make):
    response = login(make.user()).post("/bibliotek/ny", data=form(files=[]),
                                       content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ladda upp minst en fil eller ange en länk" in text(response)


def test_group_only_without_a_group_gets_a_form_error(db, login, make):
    response = login(make.user()).post("/bibliotek/ny", data=form(visibility="group"),
                                       content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in text(response) or "Välj en grupp" in text(response)


def test_a_member_cannot_put_material_in_a_closed_group_they_are_not_in(db, login, make):
    from network.accounts.models import GroupVisibility

    group = make.group(visibility=GroupVisibility.CLOSED)
    response = login(make.user()).post("/bibliotek/ny", data=form(group_id=str(group.id)),
                                       content_type="multipart/form-data")
    assert response.status_code == 422  # not one of the offered groups
    assert db.session.scalar(select(Resource)) is None


def test_the_author_edits_the_metadata(db, login, make, library):
    author = make.user()
    r = library.resource(author)
    db.session.commit()
    client = login(author)
    assert text(client.get(f"/bibliotek/{r.id}/redigera")).count('value="' + r.title + '"') == 1
    response = client.post(f"/bibliotek/{r.id}/redigera", data={
        "title": "Ny titel", "type": "rapport", "visibility": "members", "language": "en",
        "licence": "cc0", "themes": ["uppfoljning"], "year": "2023"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (r.title, r.type, r.language, r.themes, r.year) == ("Ny titel", "rapport", "en",
                                                                ["uppfoljning"], 2023)


def test_other_members_may_not_edit(db, login, make, library):
    r = library.resource(make.user())
    db.session.commit()
    assert login(make.user()).get(f"/bibliotek/{r.id}/redigera").status_code == 403


def test_a_new_version_is_uploaded_with_a_change_note(db, login, make, library):
    author = make.user()
    r = library.resource(author)
    db.session.commit()
    response = login(author).post(f"/bibliotek/{r.id}/ny-version", data={
        "change_note": "Uppdaterad statistik",
        "files": [(io.BytesIO(make_docx()), "plan.docx", "application/octet-stream")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.number for v in r.versions] == [2, 1]
    assert r.versions[0].files[0].filename == "plan.docx"


def test_a_new_version_needs_a_change_note(db, login, make, library):
    author = make.user()
    r = library.resource(author)
    db.session.commit()
    response = login(author).post(f"/bibliotek/{r.id}/ny-version", data={
        "files": [(io.BytesIO(make_pdf()), "plan.pdf", "application/pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "Beskriv kort" in text(response)


def test_the_author_deletes_a_resource(db, login, make, library):
    author = make.user()
    r = library.resource(author)
    db.session.commit()
    assert login(author).post(f"/bibliotek/{r.id}/ta-bort").status_code == 302
    assert db.session.scalar(select(Resource)) is None


def test_a_facilitator_approves_from_the_resource_page(db, login, make, library):
    member, facilitator = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    r = library.resource(member, visibility="public", group=group)
    db.session.commit()
    client = login(facilitator)
    assert "Godkänn och publicera" in text(client.get(f"/bibliotek/{r.id}"))
    assert client.post(f"/bibliotek/{r.id}/godkann").status_code == 302
    db.session.expire_all()
    assert r.effective_visibility == "public"
    page = text(client.get(f"/bibliotek/{r.id}"))
    assert f"Granskad och godkänd av {facilitator.name}" in page and "<time datetime=" in page


def test_a_facilitator_declines_with_a_reason(db, login, make, library):
    member, facilitator = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    r = library.resource(member, visibility="public", group=group)
    db.session.commit()
    response = login(facilitator).post(f"/bibliotek/{r.id}/avsla", data={"note": "Internt material"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (r.review_status, r.review_note) == (ReviewStatus.REJECTED, "Internt material")


def test_an_admin_publishes_their_own_pending_resource_only_by_giving_a_reason(db, login, make, library):
    admin = make.admin()
    r = library.resource(admin, visibility="public", override_reason="")
    db.session.commit()
    client = login(admin)
    page = text(client.get(f"/bibliotek/{r.id}"))
    assert "Publicera utan granskning" in page and "Godkänn och publicera" not in page
    short = client.post(f"/bibliotek/{r.id}/publicera-utan-granskning", data={"reason": "kort"})
    assert short.status_code == 302
    db.session.expire_all()
    assert r.review_status == ReviewStatus.PENDING and r.override_reason == ""
    response = client.post(f"/bibliotek/{r.id}/publicera-utan-granskning",
                           data={"reason": "Rapporten är redan offentlig hos Brå"})
    assert response.status_code == 302
    db.session.expire_all()
    assert r.effective_visibility == "public" and r.override_reason == "Rapporten är redan offentlig hos Brå"
    assert "Skäl: Rapporten är redan offentlig hos Brå" in text(client.get(f"/bibliotek/{r.id}"))


def test_only_admins_see_and_may_use_the_override(db, login, make, library):
    member, facilitator = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    r = library.resource(member, visibility="public", group=group)
    db.session.commit()
    client = login(facilitator)
    assert "Publicera utan granskning" not in text(client.get(f"/bibliotek/{r.id}"))
    response = client.post(f"/bibliotek/{r.id}/publicera-utan-granskning",
                           data={"reason": "Jag vill publicera den nu"})
    assert response.status_code == 403
    db.session.expire_all()
    assert r.review_status == ReviewStatus.PENDING


def test_filters_in_the_address_narrow_the_list(db, client, library, make):
    admin = make.admin()
    library.resource(admin, title="Om nyrekrytering", visibility="public", themes=["nyrekrytering"])
    library.resource(admin, title="Om samverkan", visibility="public", themes=["samverkan"])
    db.session.commit()
    page = text(client.get("/bibliotek/?tema=samverkan"))
    assert "Om samverkan" in page and "Om nyrekrytering" not in page


@pytest.mark.parametrize("query", ["?ar=abc", "?page=-1", "?organisation=99999999999", "?typ=<x>",
                                   "?kommun=../", "?sort=drop", "?q=" + "å" * 500, "?q=\"*)("])
def test_odd_filter_values_never_break_the_page(client, query):
    assert client.get("/bibliotek/" + query).status_code == 200


def test_the_start_page_shows_the_newest_resources(db, client, library):
    library.resource(visibility="public", title="Senaste lägesbilden")
    db.session.commit()
    page = text(client.get("/"))
    assert "Nytt i biblioteket" in page and "Senaste lägesbilden" in page


def test_the_catalogue_makes_a_bounded_number_of_queries(db, login, make, library, assert_max_queries):
    admin = make.admin()
    for n in range(12):
        library.resource(admin, title=f"Resurs {n}", themes=["samverkan"], municipality_codes=["1280"])
    db.session.commit()
    client = login(admin)
    client.get("/bibliotek/").close()
    with assert_max_queries(16):
        client.get("/bibliotek/").close()


def test_the_library_speaks_english_when_asked(db, client, library):
    library.resource(visibility="public")
    db.session.commit()
    client.post("/sprak", data={"lang": "en", "next": "/bibliotek/"})
    page = text(client.get("/bibliotek/"))
    assert "Library" in page and "Method support" in page


def test_who_added_the_resource_and_each_version_links_to_their_profile(db, make, login, library):
    owner = make.user(name="Greta Uppladdare")
    resource = library.resource(owner)
    db.session.commit()
    page = login(make.user()).get(f"/bibliotek/{resource.id}").get_data(as_text=True)
    assert page.count(f'href="/medlemmar/{owner.id}"') == 2  # "Tillagd av" and version 1


def test_members_of_one_scope_share_the_list_and_see_a_new_resource_at_once(
        db, login, make, library, monkeypatch):
    from network.resources import services

    calls = []
    browse = services.browse
    monkeypatch.setattr(services, "browse", lambda *a, **kw: calls.append(a) or browse(*a, **kw))
    library.resource(title="Första handboken")
    anna, bo = login(make.user()), login(make.user())
    db.session.commit()
    assert "Första handboken" in text(anna.get("/bibliotek/"))
    assert "Första handboken" in text(bo.get("/bibliotek/"))
    assert len(calls) == 1  # rendered once for both: the same scope, URL and language
    assert "Första handboken" in text(bo.get("/bibliotek/?sort=downloads"))
    assert len(calls) == 2  # another URL is another list
    library.resource(title="Andra handboken")
    db.session.commit()
    assert "Andra handboken" in text(anna.get("/bibliotek/"))
    assert len(calls) == 3
    anna.get("/bibliotek/?q=handboken")
    bo.get("/bibliotek/?q=handboken")
    assert len(calls) == 5  # a search is each reader's own


@pytest.mark.parametrize("first", ["insider", "outsider"])
def test_each_scope_gets_its_own_filter_form_whoever_came_first(db, login, make, library, first):
    """The search and filter form is shared by the readers of one visibility scope: the years it
    offers are those of the resources they may see, and a new year shows at once."""
    from network.accounts.models import GroupVisibility

    insider, outsider = make.user(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[insider])
    library.resource(title="Medlemmarnas plan", year=2024)
    library.resource(title="Gruppens gamla lägesbild", visibility="group", group=group, year=2019)
    db.session.commit()
    clients = {"insider": login(insider), "outsider": login(outsider)}
    order = [first] + [who for who in clients if who != first]
    pages = {who: text(clients[who].get("/bibliotek/")) for who in order}
    assert '<option value="2019"' in pages["insider"] and '<option value="2024"' in pages["insider"]
    assert '<option value="2019"' not in pages["outsider"]
    assert '<option value="2024"' in pages["outsider"]
    library.resource(title="Nästa års plan", year=2026)
    db.session.commit()
    assert '<option value="2026"' in text(clients["outsider"].get("/bibliotek/"))
    chosen = text(clients["outsider"].get("/bibliotek/?ar=2024"))
    assert '<option value="2024" selected' in chosen


def test_members_whose_groups_hold_nothing_private_share_the_list(db, login, make, library,
                                                                   monkeypatch):
    """The list is shared per listing scope (network/resources/listing.py): members of different
    groups share it while those groups hold no group-only resources, and part as soon as one
    does, each seeing their own group's resource and never the other's."""
    from network.accounts.models import GroupVisibility
    from network.resources import services

    calls = []
    browse = services.browse
    monkeypatch.setattr(services, "browse", lambda *a, **kw: calls.append(kw.get("scope")) or
                        browse(*a, **kw))
    anna, bo = make.user(), make.user()
    first = make.group(visibility=GroupVisibility.CLOSED, members=[anna])
    second = make.group(visibility=GroupVisibility.CLOSED, members=[bo])
    library.resource(title="Allas handbok")
    db.session.commit()
    anna_client, bo_client = login(anna), login(bo)
    assert "Allas handbok" in text(anna_client.get("/bibliotek/"))
    assert "Allas handbok" in text(bo_client.get("/bibliotek/"))
    assert calls == [("member", ())]  # rendered once for both
    library.resource(title="Första gruppens lägesbild", visibility="group", group=first)
    db.session.commit()
    as_bo, as_anna = text(bo_client.get("/bibliotek/")), text(anna_client.get("/bibliotek/"))
    assert "Första gruppens lägesbild" in as_anna and "Första gruppens lägesbild" not in as_bo
    library.resource(title="Andra gruppens plan", visibility="group", group=second)
    db.session.commit()
    as_anna, as_bo = text(anna_client.get("/bibliotek/")), text(bo_client.get("/bibliotek/"))
    assert "Andra gruppens plan" in as_bo and "Andra gruppens plan" not in as_anna
    assert "Första gruppens lägesbild" in as_anna and "Första gruppens lägesbild" not in as_bo
    start = text(bo_client.get("/"))  # the start page's newest resources, by the same scope
    assert "Andra gruppens plan" in start and "Första gruppens lägesbild" not in start
