"""Cached pages: reused only for the same person, language and data, with fresh tokens."""

import re

import pytest

from network.accounts import services as accounts


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_second_view_of_the_start_page_is_served_without_queries(make, login, count_queries):
    client = login(make.user(name="Anna Andersson"))
    assert client.get("/").headers["X-Page-Cache"] == "miss"
    with count_queries() as counter:
        again = client.get("/")
    assert again.headers["X-Page-Cache"] == "hit" and counter.count == 0
    assert "Välkommen, Anna Andersson" in again.get_data(as_text=True)


def test_people_never_get_each_others_page(make, login):
    anna, bo = make.user(name="Anna Andersson"), make.user(name="Bo Berg")
    login(anna).get("/")
    page = login(bo).get("/").get_data(as_text=True)
    assert "Bo Berg" in page and "Anna Andersson" not in page


def test_visitors_never_get_a_members_page(make, login, client):
    login(make.user(name="Anna Andersson")).get("/")
    page = client.get("/").get_data(as_text=True)
    assert "Anna Andersson" not in page and 'href="/logga-in' in page


def test_each_session_gets_its_own_working_csrf_token(make, login):
    user = make.user()
    first, second = login(user), login(user)
    tokens = []
    for client in (first, second):
        page = client.get("/").get_data(as_text=True)
        assert "\ue000" not in page
        tokens.append(csrf(page))
    assert tokens[0] != tokens[1]
    for client, token in zip((first, second), tokens, strict=True):
        response = client.post("/sprak", data={"csrf_token": token, "lang": "en", "next": "/"})
        assert response.status_code == 302


def test_a_write_anyone_makes_shows_at_once(make, login, db):
    from network.accounts.models import GroupVisibility

    member = make.user()
    db.session.commit()
    client = login(member)
    client.get("/")
    make.group(name="Nya gruppen i Malmö", visibility=GroupVisibility.MEMBERS, members=[member])
    db.session.commit()
    again = client.get("/")
    assert again.headers["X-Page-Cache"] == "miss"
    assert "Nya gruppen i Malmö" in again.get_data(as_text=True)


def test_a_changed_language_gives_the_page_in_that_language(make, login):
    client = login(make.user())
    assert 'lang="sv"' in client.get("/").get_data(as_text=True)
    with client.session_transaction() as session:
        session["lang"] = "en"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_a_changed_password_ends_the_old_session_even_for_cached_pages(make, login, db):
    user = make.user(name="Anna Andersson")
    client = login(user)
    client.get("/")
    accounts.set_password(user, "ett-helt-nytt-losenord-2")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Anna Andersson" not in page


def test_a_deactivated_account_gets_no_cached_page(make, login, db):
    user = make.user(name="Anna Andersson")
    client = login(user)
    client.get("/")
    user.active = False
    db.session.commit()
    assert "Anna Andersson" not in client.get("/").get_data(as_text=True)


def test_pages_with_a_flashed_message_are_never_kept(make, login):
    client = login(make.user())
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Sparat!")]
    first = client.get("/")
    assert "Sparat!" in first.get_data(as_text=True)
    assert "X-Page-Cache" not in first.headers
    assert "Sparat!" not in client.get("/").get_data(as_text=True)


def test_the_page_cache_can_be_switched_off(app, make, login):
    app.config["PAGE_CACHE"] = False
    client = login(make.user())
    client.get("/")
    assert "X-Page-Cache" not in client.get("/").headers


def test_pages_expire_after_their_ttl(make, login, monkeypatch):
    import time

    client = login(make.user())
    client.get("/")
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert client.get("/").headers["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("typed", ["\ue000csrf\ue001", "\ue000csrf_token\ue001", "\ue000\ue001"])
def test_placeholders_typed_by_a_user_are_never_filled_in(make, login, typed):
    """A name (or post) holding a look-alike placeholder must not receive the reader's token."""
    client = login(make.user(name=f"Anna {typed} Andersson"))
    for _ in range(2):
        page = client.get("/").get_data(as_text=True)
        assert f"Anna {typed} Andersson" in page
        assert page.count(csrf(page)) == page.count('name="csrf_token"')


def _forum(make, db):
    from network.forums import services as forums

    admin = make.admin()
    category = forums.create_category(admin, "Trygghet i centrum")
    topic = forums.create_topic(admin, category, "Trygghetsvandringar", "Första inlägget")[0].topic
    db.session.commit()
    return category, topic


def test_reading_a_topic_keeps_another_members_cached_pages(make, login, db):
    category, topic = _forum(make, db)
    anna, bo = make.user(), make.user()
    annas, bos = login(anna), login(bo)
    bos.get(f"/forum/t/{topic.id}")  # Bo's own read position moves once
    for url in ("/", f"/forum/t/{topic.id}", f"/forum/k/{category.id}"):
        bos.get(url)
    annas.get(f"/forum/t/{topic.id}")  # moves Anna's read position: a commit
    for url in ("/", f"/forum/t/{topic.id}", f"/forum/k/{category.id}"):
        assert bos.get(url).headers["X-Page-Cache"] == "hit", url


def test_the_readers_own_pages_show_their_new_read_position_at_once(make, login, db):
    category, topic = _forum(make, db)
    anna = make.user()
    anna.created_at = topic.created_at.replace(year=2000)  # the topic is new to her
    db.session.commit()
    client = login(anna)
    before = client.get(f"/forum/k/{category.id}")
    assert "Trygghetsvandringar" in before.get_data(as_text=True)
    assert client.get(f"/forum/k/{category.id}").headers["X-Page-Cache"] == "hit"
    client.get(f"/forum/t/{topic.id}")
    after = client.get(f"/forum/k/{category.id}")
    assert after.headers["X-Page-Cache"] == "miss"
    assert after.get_data(as_text=True) != before.get_data(as_text=True)


def test_reading_notifications_keeps_another_members_page_and_clears_ones_own_badge(
        make, login, db):
    from network.notifications.services import notify

    anna, bo = make.user(), make.user()
    notify(anna, "forum.post", "Nytt svar i Trygghetsvandringar")
    db.session.commit()
    annas, bos = login(anna), login(bo)
    bos.get("/")
    page = annas.get("/").get_data(as_text=True)
    assert '<span class="badge">1' in page
    assert annas.post("/notiser/las-alla", data={"csrf_token": csrf(page)}).status_code == 302
    assert bos.get("/").headers["X-Page-Cache"] == "hit"
    annas.get("/notiser/")  # shows (and so clears) the flashed confirmation
    again = annas.get("/")
    # Her page is kept (nothing on it changed) with the badge filled in for this response.
    assert again.headers["X-Page-Cache"] == "hit"
    assert '<span class="badge">' not in again.get_data(as_text=True)


def test_a_new_notification_shows_in_the_badge_of_the_kept_page_and_in_its_etag(make, login, db):
    from network.notifications.services import notify

    anna = make.user()
    db.session.commit()
    annas = login(anna)
    first = annas.get("/")
    assert '<span class="badge">' not in first.get_data(as_text=True)
    assert annas.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    notify(anna, "forum.post", "Nytt svar i Trygghetsvandringar")
    notify(anna, "forum.post", "Ett till svar")
    db.session.commit()
    # A reload with the old copy is not confirmed: the badge changed although the page did not.
    reload = annas.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert reload.status_code == 200 and reload.headers["X-Page-Cache"] == "hit"
    assert '<span class="badge">2<span class="visually-hidden"> olästa</span></span>' in \
        reload.get_data(as_text=True)
    assert reload.headers["ETag"] != first.headers["ETag"]
    assert annas.get("/", headers={"If-None-Match": reload.headers["ETag"]}).status_code == 304


def test_a_reply_renews_its_topic_and_the_listings_but_not_other_parts(make, login, db):
    from network.forums import services as forums

    category, topic = _forum(make, db)
    other = forums.create_topic(make.admin(), category, "Grannsamverkan", "Första")[0].topic
    elsewhere = forums.create_category(make.admin(), "Skolan och fritiden")
    db.session.commit()
    client, author = login(make.user()), make.user()
    db.session.commit()
    # The topic last: reading the reply moves the reader's read position (renewing their pages).
    urls = {"other": f"/forum/t/{other.id}", "category": f"/forum/k/{category.id}",
            "elsewhere": f"/forum/k/{elsewhere.id}",
            "forum": "/forum/", "start": "/", "library": "/bibliotek/", "events": "/evenemang/",
            "topic": f"/forum/t/{topic.id}"}
    # Reading moves the reader's own read positions, which renews their own pages: first read.
    client.get(urls["topic"]), client.get(urls["other"])
    for url in urls.values():
        client.get(url)
    forums.reply(author, topic, "Vi går trygghetsvandring på torsdag")
    db.session.commit()
    states = {name: client.get(url) for name, url in urls.items()}
    assert {name: r.headers["X-Page-Cache"] for name, r in states.items()} == {
        "topic": "miss", "other": "hit", "category": "miss", "elsewhere": "hit", "forum": "miss",
        "start": "miss", "library": "hit", "events": "hit"}
    assert "Vi går trygghetsvandring på torsdag" in states["topic"].get_data(as_text=True)
    # The category's list shows the topic's new count of replies at once.
    assert re.search(r"1\s*svar", states["category"].get_data(as_text=True))


def test_a_moved_topic_renews_both_categories_pages(make, login, db):
    from network.forums import services as forums

    category, topic = _forum(make, db)
    admin = make.admin()
    target = forums.create_category(admin, "Skolan och fritiden")
    db.session.commit()
    client = login(make.user())
    urls = (f"/forum/k/{category.id}", f"/forum/k/{target.id}")
    for url in urls:
        client.get(url)
    forums.move_topic(admin, topic, target)
    db.session.commit()
    source_page, target_page = (client.get(url) for url in urls)
    assert source_page.headers["X-Page-Cache"] == target_page.headers["X-Page-Cache"] == "miss"
    assert "Trygghetsvandringar" not in source_page.get_data(as_text=True)
    assert "Trygghetsvandringar" in target_page.get_data(as_text=True)


def test_a_renamed_category_shows_at_once_on_its_topic_pages(make, login, db):
    from network.forums import services as forums

    category, topic = _forum(make, db)
    client = login(make.user())
    client.get(f"/forum/t/{topic.id}")
    client.get(f"/forum/t/{topic.id}")
    forums.update_category(make.admin(), category, name="Trygghet i Rosengård", description="",
                           is_qa=False, visibility="members")
    db.session.commit()
    page = client.get(f"/forum/t/{topic.id}")
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Trygghet i Rosengård" in page.get_data(as_text=True)


def test_a_member_removed_from_a_closed_group_loses_its_cached_topic_page_at_once(make, login, db):
    from network.accounts.models import GroupVisibility
    from network.forums import services as forums

    member = make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[member])
    admin = make.admin()
    category = forums.create_category(admin, "Slutet rum", group=group)
    topic = forums.create_topic(admin, category, "Internt ämne", "Hemligt")[0].topic
    db.session.commit()
    client = login(member)
    client.get(f"/forum/t/{topic.id}")  # moves the read position: renews the member's pages
    client.get(f"/forum/t/{topic.id}")
    assert client.get(f"/forum/t/{topic.id}").headers["X-Page-Cache"] == "hit"
    accounts.remove_member(None, group, member)
    db.session.commit()
    assert client.get(f"/forum/t/{topic.id}").status_code in (403, 404)


def test_a_reload_of_an_unchanged_page_answers_304_to_the_same_person_only(make, login, db):
    anna, bo = make.user(name="Anna Andersson"), make.user(name="Bo Berg")
    annas, bos = login(anna), login(bo)
    first = annas.get("/")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache" and "Cookie" in first.headers["Vary"]
    again = annas.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # Another person presenting Anna's ETag gets their own page in full.
    theirs = bos.get("/", headers={"If-None-Match": etag})
    assert theirs.status_code == 200 and "Bo Berg" in theirs.get_data(as_text=True)
    # After a change the page shows, the old copy is not confirmed.
    make.group(name="Nya gruppen i Malmö", members=[anna])
    db.session.commit()
    changed = annas.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Nya gruppen i Malmö" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_many_pages_do_not_push_out_the_small_values_every_request_needs(app, make, login,
                                                                       count_queries):
    """Pages have a store of their own: while others browse many pages, a member keeps their
    unread count and who their cookie is in the other store."""
    app.extensions["network_cache"].max_entries = 8
    app.extensions["network_page_cache"].max_entries = 8
    reader, other = login(make.user()), login(make.user())
    assert reader.get("/").headers["X-Page-Cache"] == "miss"  # the badge counted
    for n in range(30):
        assert other.get(f"/?sida={n}").headers["X-Page-Cache"] == "miss"
    with count_queries() as counter:
        assert reader.get("/tillganglighet").status_code == 200
    assert counter.count == 0, counter.statements  # nothing looked up again
    assert other.get("/?sida=0").headers["X-Page-Cache"] == "miss"  # pushed out: 8 kept
    assert other.get("/?sida=29").headers["X-Page-Cache"] == "hit"
