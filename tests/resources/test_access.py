"""The access suite: group and member-only resources are never listed, searched, shown or
downloadable (old versions and direct file URLs included) by those outside their audience, and
unapproved public resources never reach the public catalogue or feed."""

import io

import pytest
from defusedxml import ElementTree

from network import fulltext
from network.accounts.models import GroupVisibility
from network.resources import services
from tests.resources.conftest import make_pdf

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(db, make, library, login, client):
    admin, insider, outsider, author = make.admin(), make.user(), make.user(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[insider])
    secret = library.resource(admin, title="Gruppens zebradokument", visibility="group", group=group,
                              files=[("v1.pdf", make_pdf("zebra ett"))])
    services.add_version(admin, secret, [services.Upload(io.BytesIO(make_pdf("zebra två")), "v2.pdf")],
                         "Andra versionen")
    internal = library.resource(admin, title="Medlemmarnas giraffplan", visibility="members",
                                files=[("g.pdf", make_pdf("giraff"))])
    pending = library.resource(author, title="Väntande pingvinrapport", visibility="public",
                               files=[("p.pdf", make_pdf("pingvin"))])
    public = library.resource(admin, title="Offentlig kameleontguide", visibility="public",
                              files=[("k.pdf", make_pdf("kameleont"))])
    db.session.commit()
    return {
        "resources": {"secret": secret, "internal": internal, "pending": pending, "public": public},
        "words": {"secret": "zebradokument", "internal": "giraffplan", "pending": "pingvinrapport",
                  "public": "kameleontguide"},
        "users": {"admin": admin, "insider": insider, "outsider": outsider},
        "clients": {"visitor": client, "outsider": login(outsider), "insider": login(insider),
                    "admin": login(admin)},
    }


# who sees what: visitor → public only; outsider → all but the group's; insider/admin → all
VISIBLE = {
    "visitor": {"public"},
    "outsider": {"public", "internal", "pending"},
    "insider": {"public", "internal", "pending", "secret"},
    "admin": {"public", "internal", "pending", "secret"},
}
CASES = [(who, name) for who in VISIBLE for name in ("secret", "internal", "pending", "public")]


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


@pytest.mark.parametrize(("who", "name"), CASES)
def test_the_catalogue_lists_only_what_the_reader_may_see(world, who, name):
    page = body(world["clients"][who].get("/bibliotek/"))
    assert (world["resources"][name].title in page) == (name in VISIBLE[who])


@pytest.mark.parametrize(("who", "name"), CASES)
def test_catalogue_search_finds_only_what_the_reader_may_see(world, who, name):
    page = body(world["clients"][who].get("/bibliotek/", query_string={"q": world["words"][name]}))
    visible = name in VISIBLE[who]
    assert (world["resources"][name].title in page) == visible
    assert ("1 resurs<" in page) == visible


@pytest.mark.parametrize(("who", "name"), CASES)
def test_extracted_text_is_searchable_only_by_those_who_may_see_it(world, who, name):
    word = {"secret": "zebra", "internal": "giraff", "pending": "pingvin", "public": "kameleont"}[name]
    user = world["users"].get(who)
    hits = fulltext.search(user, word, kinds=["resource"]).hits
    assert bool(hits) == (name in VISIBLE[who])


@pytest.mark.parametrize(("who", "name"), CASES)
def test_the_resource_page_is_a_404_for_those_who_may_not_see_it(world, who, name):
    r = world["resources"][name]
    response = world["clients"][who].get(f"/bibliotek/{r.id}")
    assert response.status_code == (200 if name in VISIBLE[who] else 404)
    assert (r.title in body(response)) == (name in VISIBLE[who])


@pytest.mark.parametrize(("who", "name"), CASES)
def test_every_file_of_every_version_is_guarded_by_the_same_check(world, who, name):
    r = world["resources"][name]
    client = world["clients"][who]
    expected = 200 if name in VISIBLE[who] else 404
    for version in r.versions:
        for file in version.files:
            for path in (f"/bibliotek/fil/{file.id}", f"/bibliotek/fil/{file.id}/{file.filename}"):
                for method in (client.get, client.head):
                    response = method(path)
                    assert response.status_code == expected, (method, path)
                    response.close()


@pytest.mark.parametrize("who", ["visitor", "outsider"])
@pytest.mark.parametrize("action", ["redigera", "ny-version"])
def test_editing_pages_do_not_reveal_hidden_resources(world, who, action):
    r = world["resources"]["secret"]
    response = world["clients"][who].get(f"/bibliotek/{r.id}/{action}")
    assert response.status_code in (302, 404)
    assert r.title not in body(response)


@pytest.mark.parametrize("who", ["visitor", "outsider"])
def test_hidden_resources_cannot_be_deleted_or_reviewed(world, who):
    r = world["resources"]["secret"]
    for action in ("ta-bort", "godkann", "avsla"):
        response = world["clients"][who].post(f"/bibliotek/{r.id}/{action}")
        assert response.status_code in (302, 404)
        response.close()


def test_the_atom_feed_holds_only_approved_public_resources(world):
    response = world["clients"]["admin"].get("/bibliotek/flode.atom")
    root = ElementTree.fromstring(response.data)
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == [
        "Offentlig kameleontguide"]


@pytest.mark.parametrize(("who", "name"), CASES)
def test_the_start_page_panel_shows_only_what_the_reader_may_see(world, who, name):
    page = body(world["clients"][who].get("/"))
    assert (world["resources"][name].title in page) == (name in VISIBLE[who])


def test_attached_resources_are_filtered_for_visitors_and_outsiders(world):
    admin = world["users"]["admin"]
    for r in world["resources"].values():
        services.attach(admin, r, "event", 99)
    assert [r.title for r in services.resources_for(None, "event", 99)] == ["Offentlig kameleontguide"]
    assert "Gruppens zebradokument" not in [
        r.title for r in services.resources_for(world["users"]["outsider"], "event", 99)]


def test_notification_links_are_rechecked_for_access(app, world):
    from network.extensions import db
    from network.notifications.models import Notification

    subject_filter = app.extensions["notification_filters"]["resource"]
    secret = world["resources"]["secret"]

    def sees(user) -> bool:  # the SQL rule, as the notification list and badge apply it
        return db.session.scalar(
            db.select(subject_filter(user, db.literal(secret.id, Notification.subject_id.type))
                      .exists()))

    assert sees(world["users"]["insider"]) is True
    assert sees(world["users"]["outsider"]) is False


# One client per test: the shared fixtures keep one app context (and so one ``g``, where
# Flask-Login caches the user) for the whole test.
def test_the_review_queue_is_closed_to_members(world):
    assert world["clients"]["outsider"].get("/bibliotek/granskning").status_code == 403


def test_the_review_queue_shows_admins_what_waits(world):
    page = body(world["clients"]["admin"].get("/bibliotek/granskning"))
    assert "Väntande pingvinrapport" in page


@pytest.mark.parametrize("order", [("admin", "insider", "outsider", "visitor"),
                                   ("visitor", "outsider", "insider", "admin")])
def test_readers_of_one_app_each_get_their_own_list_and_panel_in_any_order(world, order):
    """The list and the start page's panel are rendered once per visibility scope and shared by
    its readers (network/fragments.py): whoever came first, nobody gets another scope's."""
    for path in ("/bibliotek/", "/", "/bibliotek/?sort=downloads"):
        for who in order:
            page = body(world["clients"][who].get(path))
            for name, resource in world["resources"].items():
                assert (resource.title in page) == (name in VISIBLE[who]), (path, who, name)
