"""The library's actions: versions, review, search index, links for other features, finding."""

import io

import pytest
from sqlalchemy import select

from network import fulltext
from network.accounts.models import ClassificationLevel, GroupVisibility
from network.extensions import db as _db
from network.resources import services, storage
from network.resources.models import ResourceFile, ReviewStatus
from network.resources.services import Filters, Upload
from tests.resources.conftest import make_docx, make_pdf


def upload(name="guide.pdf", data=None):
    return Upload(io.BytesIO(data if data is not None else make_pdf()), name)


def titles(items):
    return sorted(r.title for r in items)


def search_titles(user, q):
    return [hit.entry.title for hit in fulltext.search(user, q, kinds=["resource"]).hits]


# -- versions ----------------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_files_with_their_change_notes(db, library, make):
    author = make.user()
    r = library.resource(author, files=[("plan.pdf", make_pdf("Version ett"))], change_note="Första")
    services.add_version(author, r, [upload("plan.pdf", make_pdf("Version två"))], "Ny statistik")
    db.session.commit()
    db.session.expire_all()
    assert [(v.number, v.change_note) for v in r.versions] == [(2, "Ny statistik"), (1, "Första")]
    old, new = r.versions[1].files[0], r.versions[0].files[0]
    assert storage.path_for(old.storage_key).exists() and storage.path_for(new.storage_key).exists()
    assert old.sha256 != new.sha256


def test_the_search_index_follows_the_current_version(db, library, make):
    author = make.user()
    r = library.resource(author, files=[("a.pdf", make_pdf("Grannsamverkan"))])
    services.add_version(author, r, [upload("a.docx", make_docx("Kameraövervakning"))], "Bytt innehåll")
    db.session.commit()
    assert search_titles(author, "kameraövervakning") == [r.title]
    assert search_titles(author, "grannsamverkan") == []


def test_a_resource_can_be_an_external_link_without_files(db, library):
    r = library.resource(type="film_lank", external_url="https://example.se/film")
    assert r.versions == [] and r.external_url == "https://example.se/film"


def test_a_resource_needs_a_file_or_a_link(db, library):
    with pytest.raises(services.ResourceError):
        library.resource(files=[])


def test_refused_files_in_a_new_version_keep_the_old_version_current(db, library, make):
    author = make.user()
    r = library.resource(author)
    db.session.commit()
    with pytest.raises(services.UploadRefused):
        services.add_version(author, r, [upload("x.pdf", b"<html>")], "trasig")
    db.session.rollback()
    assert [v.number for v in r.versions] == [1]


def test_every_upload_creates_exactly_one_stored_file_per_row(db, library):
    library.resource(files=[("a.pdf", make_pdf()), ("b.docx", make_docx())])
    db.session.commit()
    keys = set(db.session.scalars(select(ResourceFile.storage_key)))
    assert {key for key, _ in storage.iter_files()} == keys and len(keys) == 2


# -- visibility and review ---------------------------------------------------------------------


def test_a_members_public_request_waits_for_review_and_stays_with_members(db, library, make):
    member = make.user()
    r = library.resource(member, visibility="public")
    assert r.review_status == ReviewStatus.PENDING
    assert r.effective_visibility == "members"
    assert services.public_feed_entries() == []


def test_a_public_request_in_a_closed_group_stays_in_the_group_until_approved(db, library, make):
    member = make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[member])
    r = library.resource(member, visibility="public", group=group)
    assert r.effective_visibility == "group"


def test_a_facilitator_approves_and_the_resource_becomes_public_everywhere(db, library, make, mail):
    member, facilitator = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    r = library.resource(member, visibility="public", group=group, title="Trygghetsmätning 2025")
    db.session.commit()
    services.approve(facilitator, r)
    db.session.commit()
    assert r.effective_visibility == "public" and r.published_at is not None
    assert search_titles(None, "trygghetsmätning") == ["Trygghetsmätning 2025"]
    assert services.public_feed_entries() == [r]


def test_a_rejected_public_request_stays_with_members_and_tells_why(db, library, make):
    member, admin = make.user(), make.admin()
    r = library.resource(member, visibility="public")
    services.reject(admin, r, "Innehåller personuppgifter")
    assert r.review_status == ReviewStatus.REJECTED and r.effective_visibility == "members"
    assert r.review_note == "Innehåller personuppgifter"


def test_members_cannot_approve_their_own_public_requests(db, library, make):
    member = make.user()
    r = library.resource(member, visibility="public")
    with pytest.raises(PermissionError):
        services.approve(member, r)


def test_a_facilitator_of_another_group_cannot_approve(db, library, make):
    member, other = make.user(), make.user()
    make.group(facilitators=[other])
    r = library.resource(member, visibility="public", group=make.group(members=[member]))
    with pytest.raises(PermissionError):
        services.approve(other, r)


def _audit(db, action):
    from network.accounts.models import AuditLog

    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_an_admins_own_public_request_waits_for_someone_else_without_a_reason(db, library, make):
    admin = make.admin()
    r = library.resource(admin, visibility="public", override_reason="")
    assert r.review_status == ReviewStatus.PENDING and r.effective_visibility == "members"
    with pytest.raises(PermissionError):  # an admin is no reviewer of their own resource
        services.approve(admin, r)
    assert r.review_status == ReviewStatus.PENDING and r.reviewed_by_id is None


def test_the_admin_override_keeps_the_reason_and_writes_the_audit_log(db, library, make):
    admin = make.admin()
    r = library.resource(admin, visibility="public", override_reason="Brås eget metodstöd, redan granskat")
    assert r.review_status == ReviewStatus.APPROVED and r.effective_visibility == "public"
    assert (r.reviewed_by_id, r.override_reason) == (admin.id, "Brås eget metodstöd, redan granskat")
    entry = _audit(db, "resources.resource.override")[0]
    assert entry.details == {"reason": "Brås eget metodstöd, redan granskat"}
    assert entry.target_id == str(r.id)


def test_an_admin_overrides_a_pending_review_with_a_reason(db, library, make, mail):
    member, admin = make.user(), make.admin()
    r = library.resource(member, visibility="public")
    services.override_publish(admin, r, "Myndighetens rapport ska ut i dag")
    assert r.effective_visibility == "public" and r.published_at is not None
    assert (r.reviewed_by_id, r.override_reason) == (admin.id, "Myndighetens rapport ska ut i dag")
    assert len(_audit(db, "resources.resource.override")) == 1


def test_an_override_without_a_real_reason_is_refused_and_nothing_changes(db, library, make):
    member, admin = make.user(), make.admin()
    r = library.resource(member, visibility="public")
    with pytest.raises(services.ResourceError):
        services.override_publish(admin, r, "  kort   ")
    assert r.review_status == ReviewStatus.PENDING and r.effective_visibility == "members"
    assert r.override_reason == "" and r.reviewed_by_id is None
    assert _audit(db, "resources.resource.override") == []
    with pytest.raises(services.ResourceError):
        library.resource(admin, visibility="public", override_reason="för kort")


def test_only_admins_may_override_the_review(db, library, make):
    member, facilitator = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    r = library.resource(member, visibility="public", group=group)
    with pytest.raises(PermissionError):
        services.override_publish(facilitator, r, "Jag vill publicera den nu")
    with pytest.raises(PermissionError):
        library.resource(facilitator, visibility="public", group=group,
                         override_reason="Jag vill publicera den nu")
    assert r.review_status == ReviewStatus.PENDING and r.override_reason == ""
    assert _audit(db, "resources.resource.override") == []


def test_every_review_decision_is_in_the_audit_log(db, library, make):
    member, admin = make.user(), make.admin()
    approved = library.resource(member, visibility="public")
    rejected = library.resource(member, visibility="public")
    services.approve(admin, approved)
    services.reject(admin, rejected, "Innehåller personuppgifter")
    assert [e.target_id for e in _audit(db, "resources.resource.approve")] == [str(approved.id)]
    rejections = _audit(db, "resources.resource.reject")
    assert [e.details for e in rejections] == [{"note": "Innehåller personuppgifter"}]
    assert approved.override_reason == ""


def test_a_new_version_from_a_member_sends_a_public_resource_back_to_review(db, library, make):
    member, admin = make.user(), make.admin()
    r = library.resource(member, visibility="public")
    services.approve(admin, r)
    services.add_version(member, r, [upload()], "Uppdaterad")
    assert r.review_status == ReviewStatus.PENDING and r.effective_visibility == "members"
    entry = db.session.scalar(select(fulltext.SearchEntry).where(fulltext.SearchEntry.object_id == r.id))
    assert entry.visibility == "members"


def test_changing_visibility_reindexes_with_the_new_audience(db, library, make):
    admin = make.admin()
    group = make.group()
    r = library.resource(admin, visibility="public", group=group)
    services.update_resource(admin, r, title=r.title, type=r.type, visibility="group")
    entry = db.session.scalar(select(fulltext.SearchEntry).where(fulltext.SearchEntry.object_id == r.id))
    assert (entry.visibility, entry.group_id) == ("group", group.id)


def test_group_visibility_needs_a_group(db, library, make):
    with pytest.raises(services.ResourceError):
        library.resource(make.admin(), visibility="group")


def test_outsiders_cannot_add_resources_to_a_closed_group(db, library, make):
    group = make.group(visibility=GroupVisibility.CLOSED)
    with pytest.raises(PermissionError):
        library.resource(make.user(), group=group)


def test_deleting_removes_files_after_commit_and_the_search_entry(db, library, make):
    admin = make.admin()
    r = library.resource(admin, title="Borttagen plan")
    db.session.commit()
    path = storage.path_for(r.versions[0].files[0].storage_key)
    services.delete_resource(admin, r)
    assert path.exists()
    db.session.commit()
    assert not path.exists()
    assert search_titles(admin, "borttagen") == []


def test_a_deletion_that_rolls_back_keeps_the_files(db, library, make):
    admin = make.admin()
    r = library.resource(admin)
    db.session.commit()
    path = storage.path_for(r.versions[0].files[0].storage_key)
    services.delete_resource(admin, r)
    db.session.rollback()
    assert path.exists()


# -- downloads counted in the database ---------------------------------------------------------


def test_download_counts_add_up_per_file_and_resource(db, library):
    r = library.resource()
    db.session.commit()
    file = r.versions[0].files[0]
    for _ in range(3):
        services.record_download(file)
    db.session.commit()
    db.session.expire_all()
    assert (file.download_count, r.download_count, r.versions[0].download_count) == (3, 3, 3)


# -- other features attach resources -----------------------------------------------------------


def test_attached_resources_are_listed_only_as_far_as_the_reader_may_see(app, db, library, make):
    admin, outsider = make.admin(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED)
    shared = library.resource(admin, title="Delad", visibility="members")
    secret = library.resource(admin, title="Hemlig", visibility="group", group=group)
    for r in (shared, secret):
        services.attach(admin, r, "event", 7)
    services.attach(admin, shared, "event", 7)  # idempotent
    assert titles(services.resources_for(admin, "event", 7)) == ["Delad", "Hemlig"]
    assert titles(services.resources_for(outsider, "event", 7)) == ["Delad"]
    assert services.resources_for(None, "event", 7) == []
    assert services.resources_for(admin, "forum_post", 7) == []


def test_one_cannot_attach_a_resource_one_may_not_see(db, library, make):
    group = make.group(visibility=GroupVisibility.CLOSED)
    secret = library.resource(visibility="group", group=group)
    with pytest.raises(PermissionError):
        services.attach(make.user(), secret, "forum_post", 1)


def test_detach_removes_one_link_and_detach_all_every_link(db, library, make):
    admin = make.admin()
    r = library.resource(admin)
    services.attach(admin, r, "event", 1)
    services.attach(admin, r, "event", 2)
    assert services.detach(admin, r, "event", 1) is True
    assert services.detach(admin, r, "event", 1) is False
    services.detach_all("event", 2)
    assert services.resources_for(admin, "event", 2) == []


def test_used_in_shows_what_registered_resolvers_let_the_reader_see(app, db, library, make):
    admin, member = make.admin(), make.user()
    r = library.resource(admin)
    services.attach(admin, r, "event", 1)
    services.attach(admin, r, "event", 2)
    services.attach(admin, r, "unknown_kind", 3)
    services.register_link_kind(
        app, "event",
        lambda user, oid: (f"Träff {oid}", f"/traffar/{oid}") if oid == 1 or user.is_admin else None,
    )
    assert services.usages(admin, r) == [("Träff 1", "/traffar/1"), ("Träff 2", "/traffar/2")]
    assert services.usages(member, r) == [("Träff 1", "/traffar/1")]


def test_generated_files_go_through_the_same_checks(db, make):
    admin = make.admin()
    r = services.create_generated_resource(
        admin, title="Transkript från workshop", filename="transkript.txt",
        content=b"Anna: Hej alla\n", content_type="text/plain", visibility="members",
        group_id=None, type="transkript",
    )
    file = r.versions[0].files[0]
    assert (file.filename, file.content_type) == ("transkript.txt", "text/plain; charset=utf-8")
    assert file.text_pending  # read by a background job once the upload commits
    db.session.commit()
    assert "Hej alla" in file.extracted_text
    assert not file.text_pending
    with pytest.raises(services.UploadRefused):
        services.create_generated_resource(
            admin, title="x", filename="x.html", content=b"<html><script>", content_type="text/html",
            visibility="members", group_id=None)


def test_generated_csv_keeps_its_type(db, make):
    r = services.create_generated_resource(
        make.admin(), title="Rapport", filename="rapport.csv", content=b"a\n", content_type="text/csv",
        visibility="members", group_id=None, type="rapport")
    assert r.versions[0].files[0].content_type == "text/csv; charset=utf-8"


def test_attachments_for_many_objects_come_in_one_query_with_current_files_only(
        app, db, library, make, count_queries):
    admin, outsider = make.admin(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED)
    shared = library.resource(admin, title="Delad", files=[("gammal.pdf", make_pdf())])
    services.add_version(admin, shared, [upload("ny.pdf"), upload("bilaga.docx", make_docx())])
    secret = library.resource(admin, title="Hemlig", visibility="group", group=group)
    link = library.resource(admin, title="Film", external_url="https://example.se/film")
    for object_id in range(1, 31):
        services.attach(admin, shared, "forum_post", object_id)
    services.attach(admin, secret, "forum_post", 1)
    services.attach(admin, link, "forum_post", 2)
    services.attach(admin, secret, "event", 3)
    with app.test_request_context(), count_queries() as counter:
        found = services.attachments_for(outsider, "forum_post", range(1, 40))
    assert counter.count == 2  # the reader's groups, then the attachments
    assert sorted(found) == list(range(1, 31))
    assert [a.title for a in found[1]] == ["Delad"]
    assert [f.filename for f in found[1][0].files] == ["ny.pdf", "bilaga.docx"]
    assert found[1][0].files[0].kind_label == "PDF" and found[1][0].files[0].size > 0
    assert [(a.title, a.files, a.external_url) for a in found[2]][1] == (
        "Film", [], "https://example.se/film")
    with app.test_request_context():
        assert [a.title for a in services.attachments_for(admin, "forum_post", [1])[1]] == [
            "Delad", "Hemlig"]
        assert services.attachments_for(None, "forum_post", [1]) == {}
        assert services.attachments_for(admin, "forum_post", []) == {}


def test_an_uploaded_file_becomes_a_resource_of_its_own_with_the_given_audience(db, make):
    member = make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[member])
    r = services.create_uploaded_resource(member, upload("../Mötes anteckningar.pdf"),
                                          visibility="group", group_id=group.id)
    assert (r.title, r.created_by_id, r.effective_visibility, r.group_id) == (
        "Mötes anteckningar.pdf", member.id, "group", group.id)
    public = services.create_uploaded_resource(member, upload(), visibility="public", group_id=None)
    assert (public.review_status, public.effective_visibility) == ("pending", "members")
    with pytest.raises(PermissionError):
        services.create_uploaded_resource(make.user(), upload(), visibility="group",
                                          group_id=group.id)
    with pytest.raises(services.UploadRefused):
        services.create_uploaded_resource(member, upload("x.html", b"<html><script>"),
                                          visibility="members", group_id=None)


def test_the_picker_offers_only_visible_resources(app, db, library, make):
    admin, member = make.admin(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED)
    visible = library.resource(admin, title="Öppen")
    library.resource(admin, title="Stängd", visibility="group", group=group)
    with app.test_request_context():
        assert services.picker_choices(member) == [(visible.id, "Öppen (Metodstöd)")]


# -- finding -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db, library, make):
    admin = make.admin()
    org = make.organisation("Malmö stad", municipality_code="1280")
    hot = make.area("1280", "Seved", level=ClassificationLevel.SARSKILT_UTSATT, year=2025)
    cooled = make.area("1280", "Lindängen", level=ClassificationLevel.SARSKILT_UTSATT, year=2021)
    from network.accounts.services import classify_area

    classify_area(None, cooled, 2025, ClassificationLevel.UTSATT)
    a = library.resource(admin, title="Föräldraskapsstöd i Seved", themes=["foraldraskapsstod"],
                         organisation_id=org.id, municipality_codes=["1280"], area_ids=[hot.id],
                         year=2024, type="metodstod",
                         files=[("a.docx", make_docx("Föräldrar som vandrar på kvällarna"))])
    b = library.resource(admin, title="Lägesbild Lindängen", themes=["grovt_vald", "samverkan"],
                         municipality_codes=["1280"], area_ids=[cooled.id], year=2025, type="lagesbild")
    c = library.resource(admin, title="Utvärdering av samverkan i Örebro", themes=["samverkan"],
                         municipality_codes=["1880"], year=2025, type="utvardering")
    db.session.commit()
    return {"admin": admin, "org": org, "a": a, "b": b, "c": c}


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(theme="samverkan"), ["b", "c"]),
    (Filters(type="lagesbild"), ["b"]),
    (Filters(municipality="1280"), ["a", "b"]),
    (Filters(level="sarskilt_utsatt"), ["a"]),  # Lindängen is no longer särskilt utsatt
    (Filters(level="utsatt"), ["b"]),
    (Filters(year=2025), ["b", "c"]),
    (Filters(theme="samverkan", year=2025, municipality="1880"), ["c"]),
    (Filters(q="vandrar"), ["a"]),  # found in the extracted text
    (Filters(q="örebro samverkan"), ["c"]),
    (Filters(q="finnsinte"), []),
])
def test_browse_filters_combine(catalogue, filters, expected):
    page = services.browse(catalogue["admin"], filters)
    assert titles(page.items) == titles(catalogue[k] for k in expected)
    assert page.total == len(expected)


def test_browse_filters_by_organisation(catalogue):
    page = services.browse(catalogue["admin"], Filters(organisation_id=catalogue["org"].id))
    assert [r.id for r in page.items] == [catalogue["a"].id]


def test_most_downloaded_sorts_first(catalogue):
    services.record_download(catalogue["c"].versions[0].files[0])
    _db.session.commit()
    page = services.browse(catalogue["admin"], Filters(sort="downloads"))
    assert page.items[0].id == catalogue["c"].id


def test_newest_sorts_first(catalogue):
    page = services.browse(catalogue["admin"], Filters())
    assert page.items[0].id == catalogue["c"].id


def test_a_facilitator_cannot_approve_their_own_public_request(db, library, make):
    facilitator, other = make.user(), make.user()
    group = make.group(facilitators=[facilitator, other])
    r = library.resource(facilitator, visibility="public", group=group)
    assert r.review_status == ReviewStatus.PENDING and r.effective_visibility != "public"
    with pytest.raises(PermissionError):
        services.approve(facilitator, r)
    assert r.review_status == ReviewStatus.PENDING and r.reviewed_by_id is None
    services.approve(other, r)
    assert r.effective_visibility == "public" and r.reviewed_by_id == other.id
