"""Files attached to posts live in the resource library: upload and pick on every post form, the
list under the post, "used in" on the resource page, and nothing leaking to outsiders."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from network import fulltext
from network.accounts.models import GroupRole, GroupVisibility
from network.accounts.services import add_member
from network.forums import services
from network.forums.models import Post, Topic
from network.notifications.models import Notification
from network.resources import services as resources
from network.resources.models import Resource, ResourceFile, ResourceLink
from tests.resources.conftest import LibraryFactory, make_docx, make_pdf

LIMIT = 64 * 1024
PDF = make_pdf("Protokoll från samverkansmötet")
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def app_config(app_config):
    app_config["MAX_UPLOAD_BYTES"] = LIMIT
    app_config["MAX_CONTENT_LENGTH"] = LIMIT + 16 * 1024
    return app_config


def files(*items):
    return [(io.BytesIO(data), name, "application/octet-stream") for name, data in items]


def new_topic(client, category, title="Ämne med bilagor", body="Se bilagorna.", attach=(),
              **extra):
    data = {"title": title, "body": body, "files": files(*attach), **extra}
    return client.post(f"/forum/k/{category.id}/nytt", data=data,
                       content_type="multipart/form-data")


def reply(client, topic, body="Ett svar med bilaga.", attach=(), **extra):
    data = {"body": body, "files": files(*attach), **extra}
    return client.post(f"/forum/t/{topic.id}/svara", data=data,
                       content_type="multipart/form-data")


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    """Every file under STORAGE_DIR (the spool folder's entries included)."""
    root = Path(app.config["STORAGE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def links_of(db, post):
    return db.session.scalars(select(ResourceLink).where(
        ResourceLink.kind == "forum_post", ResourceLink.object_id == post.id)).all()


@pytest.fixture
def library(make):
    return LibraryFactory(make)


@pytest.fixture
def closed(forum, make, db):
    group, member, category = forum.closed_setup()
    return {"group": group, "member": member, "category": category}


# -- writing ----------------------------------------------------------------------------------


def test_files_of_a_new_topic_become_library_resources_of_the_poster(app, login, forum, make, db):
    author = make.user(name="Anna Skribent")
    category = forum.category()
    client = login(author)
    response = new_topic(client, category, attach=[("protokoll.pdf", PDF),
                                                   ("Åtgärdslista.docx", make_docx())])
    assert response.status_code == 302
    post = db.session.scalar(select(Post))
    made = db.session.scalars(select(Resource).order_by(Resource.id)).all()
    assert [r.title for r in made] == ["protokoll.pdf", "Åtgärdslista.docx"]
    assert {(r.created_by_id, r.visibility, r.effective_visibility, r.group_id) for r in made} == {
        (author.id, "members", "members", None)}
    assert len(links_of(db, post)) == 2
    page = client.get(f"/forum/t/{post.topic_id}").get_data(as_text=True)
    section = page[page.index("Bilagor"):]
    assert "protokoll.pdf" in section and "Åtgärdslista.docx" in section
    assert f"(PDF, {len(PDF)} byte)" in section and "(Word, " in section
    file = db.session.scalar(select(ResourceFile).where(ResourceFile.filename == "protokoll.pdf"))
    link = f"/bibliotek/fil/{file.id}/protokoll.pdf"
    assert link in page
    download = client.get(link)
    assert download.status_code == 200 and download.get_data() == PDF
    download.close()


def test_a_reply_can_upload_and_pick_from_the_library(app, login, forum, make, db, library):
    author = make.user()
    guide = library.resource(make.admin(), title="Metodstöd trygghetsvandring")
    other = library.resource(make.admin(), title="Inte vald")
    topic = forum.topic(forum.category())
    client = login(author)
    form = client.get(f"/forum/t/{topic.id}/svara").get_data(as_text=True)
    assert "Metodstöd trygghetsvandring" in form and 'enctype="multipart/form-data"' in form
    response = reply(client, topic, attach=[("bild.pdf", PDF)], library=[str(guide.id)])
    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.number == 2))
    assert sorted(link.resource_id for link in links_of(db, post)) == sorted(
        [guide.id, db.session.scalar(select(Resource.id).where(Resource.title == "bild.pdf"))])
    page = client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "Metodstöd trygghetsvandring" in page and "bild.pdf" in page
    assert other.title not in page


def test_the_topic_page_reply_form_takes_files_and_links_to_the_picker(login, forum, make):
    topic = forum.topic(forum.category())
    page = login(make.user()).get(f"/forum/t/{topic.id}").get_data(as_text=True)
    form = page[page.index('id="svara"'):]
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    assert f"/forum/t/{topic.id}/svara" in form and "Högst 64 kB per fil" in form
    assert "Bifoga material från biblioteket" in form


def test_a_closed_group_topic_gives_group_only_resources_never_public(login, closed, db):
    response = new_topic(login(closed["member"]), closed["category"],
                         attach=[("lagesbild.pdf", PDF)])
    assert response.status_code == 302
    resource = db.session.scalar(select(Resource))
    assert (resource.visibility, resource.effective_visibility, resource.group_id) == (
        "group", "group", closed["group"].id)


def test_a_public_topic_does_not_skip_the_library_review(login, forum, make, db, client):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    facilitator = make.user()
    add_member(None, group, facilitator, GroupRole.FACILITATOR)
    category = forum.category(group=group)
    author = make.user()
    new_topic(login(author), category, attach=[("Offentlig bilaga.pdf", PDF)])
    resource = db.session.scalar(select(Resource))
    assert (resource.visibility, resource.review_status, resource.effective_visibility) == (
        "public", "pending", "members")
    topic = db.session.scalar(select(Topic))
    file = resource.versions[0].files[0]
    # Visitors read the topic, but the file waits for a coordinator.
    visitor_page = client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "Se bilagorna." in visitor_page and "Offentlig bilaga" not in visitor_page
    assert client.get(f"/bibliotek/fil/{file.id}").status_code == 404
    assert "Offentlig bilaga" in login(make.user()).get(f"/forum/t/{topic.id}").get_data(
        as_text=True)
    resources.approve(facilitator, resource)
    db.session.commit()
    assert "Offentlig bilaga" in client.get(f"/forum/t/{topic.id}").get_data(as_text=True)


def test_a_moderators_public_file_waits_for_someone_else_like_in_the_library(login, forum, make,
                                                                            db, client):
    """An admin's own public material is reviewed by someone else too (the library's rule); only
    the library's override with a recorded reason skips that."""
    category = forum.category(visibility="public")
    new_topic(login(make.admin()), category, attach=[("Inbjudan.pdf", PDF)])
    resource = db.session.scalar(select(Resource))
    assert (resource.review_status, resource.effective_visibility) == ("pending", "members")
    topic = db.session.scalar(select(Topic))
    assert "Inbjudan.pdf" not in client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    resources.approve(make.admin(), resource)
    db.session.commit()
    assert "Inbjudan.pdf" in client.get(f"/forum/t/{topic.id}").get_data(as_text=True)


@pytest.mark.parametrize("how", ["topic", "reply"])
def test_a_refused_file_gives_a_swedish_message_no_post_and_no_file(app, login, forum, make, db,
                                                                    how):
    category = forum.category()
    topic = forum.topic(category)
    client = login(make.user())
    posts_before = count(db, Post)
    attach = [("bra.pdf", PDF), ("farlig.pdf", HTML)]
    response = (new_topic(client, category, body="Min text finns kvar", attach=attach) if how == "topic"
                else reply(client, topic, body="Min text finns kvar", attach=attach))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Formuläret innehåller fel" in page and "farlig.pdf" in page
    assert "Min text finns kvar" in page
    assert re.search(r"(?i)(html|innehåll|filtyp|stämmer inte)", page)
    assert count(db, Post) == posts_before
    assert count(db, Resource) == count(db, ResourceFile) == count(db, ResourceLink) == 0
    assert stored_files(app) == []


def test_a_too_large_file_gets_the_limit_in_the_message(app, login, forum, make, db):
    topic = forum.topic(forum.category())
    response = reply(login(make.user()), topic, attach=[("stor.pdf", PDF + b"0" * LIMIT)])
    assert response.status_code == 413
    assert "stor.pdf: Filen är större än 64 kB." in response.get_data(as_text=True)
    assert count(db, Post) == 1 and count(db, Resource) == 0
    assert stored_files(app) == []


def test_double_click_with_files_makes_one_post_and_one_file(app, login, forum, make, db):
    topic = forum.topic(forum.category())
    client = login(make.user())
    key = "3f1c2a9e-0000-4000-8000-00000000a77a"
    first = reply(client, topic, attach=[("en.pdf", PDF)], client_key=key)
    second = reply(client, topic, attach=[("en.pdf", PDF)], client_key=key)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Post) == 2
    assert count(db, Resource) == count(db, ResourceFile) == count(db, ResourceLink) == 1
    assert len([p for p in stored_files(app) if ".tmp" not in p.parts]) == 1


def test_a_double_topic_with_files_makes_one_topic(login, forum, make, db):
    category = forum.category()
    client = login(make.user())
    key = "3f1c2a9e-0000-4000-8000-00000000a77b"
    for _ in range(2):
        assert new_topic(client, category, attach=[("en.pdf", PDF)],
                         client_key=key).status_code == 302
    assert count(db, Topic) == count(db, Resource) == 1


def test_picking_a_resource_one_cannot_see_is_refused(login, forum, make, db, library, closed):
    secret = library.resource(make.admin(), title="Gruppens lägesbild", visibility="group",
                              group=closed["group"])
    topic = forum.topic(forum.category())
    response = reply(login(make.user()), topic, library=[str(secret.id)])
    assert response.status_code == 400
    assert "Välj bara material ur listan." in response.get_data(as_text=True)
    assert "Gruppens lägesbild" not in response.get_data(as_text=True)
    assert count(db, Post) == 1 and count(db, ResourceLink) == 0


def test_the_author_adds_and_removes_attachments_when_editing(login, forum, make, db, library):
    author = make.user()
    kept = library.resource(make.admin(), title="Blir kvar")
    dropped = library.resource(make.admin(), title="Tas bort")
    topic = forum.topic(forum.category(), author=author)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    for r in (kept, dropped):
        resources.attach(author, r, "forum_post", post.id)
    client = login(author)
    form = client.get(f"/forum/inlagg/{post.id}/redigera").get_data(as_text=True)
    assert "Ta bort bilagor" in form and "Tas bort" in form and "<legend>" in form
    response = client.post(f"/forum/inlagg/{post.id}/redigera", data={
        "body": post.body, "remove": [str(dropped.id)], "files": files(("ny.pdf", PDF))},
        content_type="multipart/form-data")
    assert response.status_code == 302
    titles = {db.session.get(Resource, link.resource_id).title for link in links_of(db, post)}
    assert titles == {"Blir kvar", "ny.pdf"}
    assert db.session.get(Resource, dropped.id) is not None  # still in the library
    page = client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "Tas bort" not in page and "ny.pdf" in page
    assert post.edited_at is None  # the text did not change: no "redigerad" mark


def test_a_refused_file_when_editing_keeps_the_post_as_it_was(app, login, forum, make, db):
    author = make.user()
    topic = forum.topic(forum.category(), author=author, body="Originaltext")
    post = db.session.scalar(select(Post))
    response = login(author).post(f"/forum/inlagg/{post.id}/redigera", data={
        "body": "Ändrad text", "files": files(("x.pdf", HTML))}, content_type="multipart/form-data")
    assert response.status_code == 422 and "x.pdf" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, post.id).body == "Originaltext"
    assert count(db, Resource) == 0 and stored_files(app) == []
    assert topic.id


def test_a_moderator_removing_someones_attachment_is_audited(login, forum, make, db, library):
    from network.accounts.models import AuditLog

    author, admin = make.user(), make.admin()
    r = library.resource(admin, title="Olämplig bilaga")
    topic = forum.topic(forum.category(), author=author)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    resources.attach(author, r, "forum_post", post.id)
    login(admin).post(f"/forum/inlagg/{post.id}/redigera", data={
        "body": post.body, "remove": [str(r.id)]}, content_type="multipart/form-data")
    assert links_of(db, post) == []
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert "forums.post.detach" in actions


def test_someone_else_cannot_attach_to_a_post_by_editing(login, forum, make, db):
    topic = forum.topic(forum.category())
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    response = login(make.user()).post(f"/forum/inlagg/{post.id}/redigera", data={
        "body": "x", "files": files(("ny.pdf", PDF))}, content_type="multipart/form-data")
    assert response.status_code == 403 and count(db, Resource) == 0


# -- reading ----------------------------------------------------------------------------------


def test_a_soft_deleted_post_hides_its_attachments_everywhere(login, forum, make, db, library):
    author, admin = make.user(), make.admin()
    r = library.resource(admin, title="Bilaga till borttaget")
    topic = forum.topic(forum.category())
    post = forum.reply(topic, author=author, attachments=services.Attachments(picked=[r]))
    db.session.commit()
    assert "Bilaga till borttaget" in login(admin).get(f"/forum/t/{topic.id}").get_data(
        as_text=True)
    assert f"/forum/inlagg/{post.id}" in login(admin).get(f"/bibliotek/{r.id}").get_data(
        as_text=True)
    assert login(author).post(f"/forum/inlagg/{post.id}/ta-bort").status_code == 302
    for who in (author, admin):  # a moderator still sees the deleted text, not its files
        page = login(who).get(f"/forum/t/{topic.id}").get_data(as_text=True)
        assert "Bilaga till borttaget" not in page
        assert f"/forum/inlagg/{post.id}" not in login(who).get(f"/bibliotek/{r.id}").get_data(
            as_text=True)


def test_the_resource_page_lists_the_post_only_for_readers_of_the_topic(login, closed, make, db,
                                                                        library, forum):
    shared = library.resource(make.admin(), title="Delat metodstöd")
    topic = forum.topic(closed["category"], author=closed["member"], title="Gruppens ämne")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    resources.attach(closed["member"], shared, "forum_post", post.id)
    db.session.commit()
    inside = login(closed["member"]).get(f"/bibliotek/{shared.id}").get_data(as_text=True)
    assert "Används i" in inside and "Gruppens ämne, inlägg 1 i forumet" in inside
    assert f'href="/forum/inlagg/{post.id}"' in inside
    outside = login(make.user()).get(f"/bibliotek/{shared.id}").get_data(as_text=True)
    assert "Delat metodstöd" in outside and "Gruppens ämne" not in outside
    assert login(closed["member"]).get(f"/forum/inlagg/{post.id}").status_code == 302


def test_outsiders_never_see_closed_group_attachments(app, login, closed, make, db, client):
    new_topic(login(closed["member"]), closed["category"], title="Gruppens tråd",
              attach=[("Hemligbilaga.pdf", PDF)])
    topic = db.session.scalar(select(Topic))
    file = db.session.scalar(select(ResourceFile))
    outsider = login(make.user())
    for c in (client, outsider):
        assert c.get(f"/forum/t/{topic.id}").status_code == 404
        assert c.get(f"/bibliotek/fil/{file.id}").status_code == 404
        assert c.get(f"/bibliotek/fil/{file.id}/Hemligbilaga.pdf").status_code == 404
        assert c.get(f"/bibliotek/{file.resource_id}").status_code == 404
        for url in ("/sok?q=Hemligbilaga", "/forum/sok?q=Hemligbilaga", "/bibliotek/?q=Hemligbilaga",
                    "/forum/", "/", "/bibliotek/"):
            page = c.get(url).get_data(as_text=True)
            assert "Hemligbilaga.pdf" not in page and f"/bibliotek/{file.resource_id}" not in page, url
    inside = login(closed["member"])
    download = inside.get(f"/bibliotek/fil/{file.id}")
    assert download.status_code == 200
    download.close()
    assert f"/bibliotek/{file.resource_id}" in inside.get("/sok?q=Hemligbilaga").get_data(
        as_text=True)


def test_a_group_resource_picked_into_an_open_topic_stays_with_the_group(login, closed, make, db,
                                                                         forum, library, mail):
    """Members outside the group read the topic, but never learn the attachment's name: not on
    the page, in the forum's search, its notifications or email."""
    secret = library.resource(closed["member"], title="Hemligbilaga lägesbild",
                              visibility="group", group=closed["group"])
    category = forum.category()
    watcher = make.user(name="Vera Bevakare")
    topic = forum.topic(category, author=watcher, title="Öppen tråd")
    db.session.commit()
    response = reply(login(closed["member"]), topic, body="Se bilagan @vera.bevakare",
                     library=[str(secret.id)])
    assert response.status_code == 302
    file = secret.versions[0].files[0]
    page = login(watcher).get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "Se bilagan" in page and "Hemligbilaga" not in page
    assert login(watcher).get(f"/bibliotek/fil/{file.id}").status_code == 404
    assert "Hemligbilaga" in login(closed["member"]).get(f"/forum/t/{topic.id}").get_data(
        as_text=True)
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == watcher.id)).all()
    assert notes and all("Hemligbilaga" not in n.title + n.body for n in notes)
    for message in mail.deliver():
        assert "Hemligbilaga" not in str(message)
    hits = fulltext.search(watcher, "Hemligbilaga").hits
    assert hits == []


def test_the_feed_of_a_public_category_carries_no_attachment_names(forum, make, db, client,
                                                                   library):
    category = forum.category(visibility="public")
    picked = library.resource(make.admin(), title="Bilagenamn i flödet", visibility="members")
    forum.topic(category, author=make.admin(), body="Offentligt inlägg",
                attachments=services.Attachments(picked=[picked]))
    db.session.commit()
    feed = client.get(f"/forum/k/{category.id}/flode.atom").get_data(as_text=True)
    assert "Offentligt inlägg" in feed and "Bilagenamn" not in feed


def test_a_hostile_file_name_is_shown_as_text(login, forum, make, db):
    topic = forum.topic(forum.category())
    client = login(make.user())
    name = '<img src=x onerror=alert(1)>.pdf'
    assert reply(client, topic, attach=[(name, PDF)]).status_code == 302
    page = client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.pdf" in page


def test_a_submit_that_loses_the_race_keeps_no_files(app, forum, make, db, monkeypatch):
    """Two clicks both pass the form-key check; the loser's files are deleted with it."""
    author = make.user()
    topic = forum.topic(forum.category())
    key = "3f1c2a9e-0000-4000-8000-00000000a77c"
    first, _ = services.reply(author, topic, "Svar", client_key=key, attachments=services.Attachments(
        uploads=[resources.Upload(io.BytesIO(PDF), "ett.pdf")]))
    db.session.commit()
    real = services._existing_submission
    calls = []

    def late(*args):
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_existing_submission", late)
    again, created = services.reply(author, topic, "Svar", client_key=key,
                                    attachments=services.Attachments(
                                        uploads=[resources.Upload(io.BytesIO(PDF), "ett.pdf")]))
    db.session.commit()
    assert (again.id, created) == (first.id, False)
    assert count(db, Resource) == count(db, ResourceFile) == count(db, ResourceLink) == 1
    assert len([p for p in stored_files(app) if ".tmp" not in p.parts]) == 1
