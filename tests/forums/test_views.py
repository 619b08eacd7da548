"""The forum pages, as members and visitors use them."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from network.accounts.models import AuditLog, GroupVisibility
from network.forums.models import Post, Topic


def test_visitor_sees_public_categories_on_the_forum_start_page(client, forum, make):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    public = forum.category(group=group, name="Öppen kategori")
    forum.topic(public, title="Trygghetsvandring i centrum")
    response = client.get("/forum/")
    assert response.status_code == 200
    assert "Öppen kategori".encode() in response.data
    assert b"Trygghetsvandring i centrum" in response.data


def test_member_starts_a_topic_and_replies(login, forum, make, db):
    author = make.user()
    category = forum.category()
    client = login(author)
    response = client.post(f"/forum/k/{category.id}/nytt",
                           data={"title": "Hur gör ni med lägesbilden?", "body": "**Fråga** här"})
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic).where(Topic.title == "Hur gör ni med lägesbilden?"))
    page = client.get(f"/forum/t/{topic.id}")
    assert "<strong>Fråga</strong>" in page.data.decode()
    response = client.post(f"/forum/t/{topic.id}/svara", data={"body": "Vi börjar med statistik."})
    assert response.status_code == 302 and "#p2" in response.headers["Location"]
    assert "Vi börjar med statistik.".encode() in client.get(f"/forum/t/{topic.id}").data


def test_empty_and_whitespace_posts_get_a_form_message(login, forum, make, db):
    topic = forum.topic()
    client = login(make.user())
    for body in ("", "   \n\t  "):
        response = client.post(f"/forum/t/{topic.id}/svara", data={"body": body})
        assert response.status_code == 400
        assert "Skriv något i inlägget.".encode() in response.data
    assert db.session.scalar(select(func.count()).select_from(Post)) == 1


def test_over_long_post_is_refused_with_a_message(login, forum, make, db):
    topic = forum.topic()
    client = login(make.user())
    response = client.post(f"/forum/t/{topic.id}/svara", data={"body": "a" * 50_001})
    assert response.status_code == 400
    assert "högst 50 000 tecken".encode() in response.data
    ok = client.post(f"/forum/t/{topic.id}/svara", data={"body": "a" * 50_000})
    assert ok.status_code == 302


def test_ten_thousand_nested_quotes_are_refused_with_a_message(login, forum, make, db):
    topic = forum.topic()
    client = login(make.user())
    for body in ("> " * 10_000 + "djupt", "- " * 10_000 + "djupt",
                 "".join("  " * i + "- x\n" for i in range(200))):
        response = client.post(f"/forum/t/{topic.id}/svara", data={"body": body})
        assert response.status_code == 400
        assert "inbäddade i högst".encode() in response.data
    assert db.session.scalar(select(func.count()).select_from(Post)) == 1


def test_double_click_creates_one_reply(login, forum, make, db):
    topic = forum.topic()
    client = login(make.user())
    data = {"body": "Ett svar", "client_key": "3f1c2a9e-0000-4000-8000-000000000001"}
    first = client.post(f"/forum/t/{topic.id}/svara", data=data)
    second = client.post(f"/forum/t/{topic.id}/svara", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Post)
                             .where(Post.topic_id == topic.id)) == 2


def test_double_click_without_a_form_key_still_creates_one_reply(login, forum, make, db):
    topic = forum.topic()
    client = login(make.user())
    for _ in range(2):
        client.post(f"/forum/t/{topic.id}/svara", data={"body": "Samma text"})
    assert db.session.scalar(select(func.count()).select_from(Post)
                             .where(Post.topic_id == topic.id)) == 2


def test_double_click_creates_one_topic(login, forum, make, db):
    category = forum.category()
    client = login(make.user())
    data = {"title": "Ett ämne", "body": "Text", "client_key": "3f1c2a9e-0000-4000-8000-000000000002"}
    client.post(f"/forum/k/{category.id}/nytt", data=data)
    client.post(f"/forum/k/{category.id}/nytt", data=data)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 1


def test_locked_topic_refuses_replies(login, forum, make, db):
    topic = forum.topic()
    topic.locked = True
    client = login(make.user())
    assert client.post(f"/forum/t/{topic.id}/svara", data={"body": "Hej"}).status_code == 403


def test_closed_topic_accepts_replies_only_from_moderators(login, forum, make, db):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    topic = forum.topic(forum.category(group=group))
    topic.closed = True
    assert login(make.user()).post(f"/forum/t/{topic.id}/svara",
                                   data={"body": "Hej"}).status_code == 403
    assert login(facilitator).post(f"/forum/t/{topic.id}/svara",
                                   data={"body": "Hej"}).status_code == 302


def test_posting_in_an_invisible_category_is_not_found(login, forum, make):
    _group, _member, category = forum.closed_setup()
    topic = forum.topic(category, author=_member)
    outsider = login(make.user())
    assert outsider.post(f"/forum/k/{category.id}/nytt",
                         data={"title": "Hej hej", "body": "x"}).status_code == 404
    assert outsider.post(f"/forum/t/{topic.id}/svara", data={"body": "x"}).status_code == 404


def test_visitor_is_sent_to_login_to_post(client, forum):
    topic = forum.topic()
    response = client.post(f"/forum/t/{topic.id}/svara", data={"body": "x"})
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_edit_shows_redigerad_and_keeps_history_for_moderators(login, forum, make, db):
    author, facilitator = make.user(), make.user()
    group = make.group(members=[author], facilitators=[facilitator])
    topic = forum.topic(forum.category(group=group), author=author, body="Version ett")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    client = login(author)
    response = client.post(f"/forum/inlagg/{post.id}/redigera",
                           data={"title": topic.title, "body": "Version två"})
    assert response.status_code == 302
    page = client.get(f"/forum/t/{topic.id}").data.decode()
    assert "redigerad" in page and "Version två" in page
    assert client.get(f"/forum/inlagg/{post.id}/historik").status_code == 403
    history = login(facilitator).get(f"/forum/inlagg/{post.id}/historik")
    assert history.status_code == 200 and "Version ett" in history.data.decode()


def test_someone_else_cannot_edit_a_post(login, forum, make):
    topic = forum.topic()
    post = forum.reply(topic)
    assert login(make.user()).post(f"/forum/inlagg/{post.id}/redigera",
                                   data={"body": "kapat"}).status_code == 403


def test_author_soft_deletes_a_reply(login, forum, make, db):
    author = make.user()
    topic = forum.topic()
    post = forum.reply(topic, author=author, body="Ångrar mig")
    client = login(author)
    assert client.post(f"/forum/inlagg/{post.id}/ta-bort").status_code == 302
    assert db.session.get(Post, post.id).deleted_at is not None
    page = client.get(f"/forum/t/{topic.id}").data.decode()
    assert "Ångrar mig" not in page and "Inlägget är borttaget." in page


def test_quote_prefills_the_reply_with_a_link_back(login, forum, make):
    topic = forum.topic()
    post = forum.reply(topic, body="Bra poäng om samverkan")
    page = login(make.user()).get(f"/forum/t/{topic.id}?citera={post.id}").data.decode()
    assert "&gt; Bra poäng om samverkan" in page
    assert f"(/forum/inlagg/{post.id})" in page


def test_permalink_goes_to_the_right_page_and_anchor(client, forum, make):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    topic = forum.topic(forum.category(group=group))
    posts = [forum.reply(topic, body=f"svar {i}") for i in range(25)]
    response = client.get(f"/forum/inlagg/{posts[-1].id}")
    assert response.headers["Location"].endswith(f"/forum/t/{topic.id}?page=2#p26")


def test_pagination_shows_twenty_posts_per_page(client, forum, make):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    topic = forum.topic(forum.category(group=group))
    for i in range(25):
        forum.reply(topic, body=f"svarsnummer-{i + 2}")
    first = client.get(f"/forum/t/{topic.id}").data.decode()
    second = client.get(f"/forum/t/{topic.id}?page=2").data.decode()
    assert first.count('<article class="post') == 20 and "svarsnummer-20" in first
    assert "svarsnummer-21" in second and "svarsnummer-21" not in first


def test_jump_to_first_unread(login, forum, make, db):
    reader = make.user()
    topic = forum.topic()
    for i in range(3):
        forum.reply(topic, body=f"tidigt {i}")
    client = login(reader)
    client.get(f"/forum/t/{topic.id}")
    for i in range(22):
        forum.reply(topic, body=f"sent {i}")
    db.session.commit()
    response = client.get(f"/forum/t/{topic.id}/olast")
    assert response.headers["Location"].endswith(f"/forum/t/{topic.id}?page=1#p5")
    page = client.get(f"/forum/t/{topic.id}").data.decode()
    assert "Gå till första olästa" in page


def test_category_and_start_page_show_what_is_new_since_last_visit(login, forum, make, db):
    reader = make.user()
    category = forum.category(name="Samverkan")
    old = forum.topic(category, title="Läst ämne")
    client = login(reader)
    client.get(f"/forum/t/{old.id}")
    forum.reply(old, body="nytt svar")
    forum.topic(category, title="Helt nytt ämne")
    db.session.commit()
    page = client.get(f"/forum/k/{category.id}").data.decode()
    assert "1 nytt inlägg" in page and ">Ny<" in page
    assert "2 ämnen på sidan har nytt sedan ditt senaste besök." in page
    start = client.get("/").data.decode()
    assert "Senaste i forumet" in start and "Helt nytt ämne" in start and ">Ny<" in start
    client.get(f"/forum/t/{old.id}")
    assert "1 nytt inlägg" not in client.get(f"/forum/k/{category.id}").data.decode()


def test_moderator_pins_locks_closes_and_every_action_is_audited(login, forum, make, db):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    topic = forum.topic(forum.category(group=group))
    client = login(facilitator)
    for action in ("pin", "lock", "unlock", "close", "open", "unpin"):
        assert client.post(f"/forum/t/{topic.id}/moderera", data={"action": action}).status_code == 302
    actions = list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.action.like("forums.topic.%")).order_by(AuditLog.id)))
    assert actions == [f"forums.topic.{a}" for a in ("pin", "lock", "unlock", "close", "open", "unpin")]


def test_members_cannot_moderate(login, forum, make):
    topic = forum.topic()
    assert login(make.user()).post(f"/forum/t/{topic.id}/moderera",
                                   data={"action": "lock"}).status_code == 403


def test_pinned_topics_come_first(client, forum, make, db):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    category = forum.category(group=group)
    pinned = forum.topic(category, title="Regler för kategorin")
    forum.topic(category, title="Senare ämne")
    pinned.pinned = True
    db.session.commit()
    page = client.get(f"/forum/k/{category.id}").data.decode()
    assert page.index("Regler för kategorin") < page.index("Senare ämne")


def test_move_topic_changes_who_can_find_it(login, forum, make, db):
    admin = make.admin()
    _group, _member, closed = forum.closed_setup()
    open_category = forum.category()
    topic = forum.topic(open_category, title="Flyttbart ämne om klotter")
    response = login(admin).post(f"/forum/t/{topic.id}/flytta", data={"category": closed.id})
    assert response.status_code == 302
    assert db.session.get(Topic, topic.id).category_id == closed.id
    outsider = login(make.user())
    assert outsider.get(f"/forum/t/{topic.id}").status_code == 404
    assert "Flyttbart" not in outsider.get("/forum/sok?q=klotter").data.decode()
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "forums.topic.move"))


def test_flag_goes_to_the_moderation_queue_and_is_resolved(login, forum, make, db):
    facilitator, member = make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    topic = forum.topic(forum.category(group=group))
    post = forum.reply(topic, body="Namnet på den misstänkte är ...")
    response = login(member).post(f"/forum/inlagg/{post.id}/flagga",
                                  data={"reason": "personal_data", "note": "Namn på misstänkt"})
    assert response.status_code == 302
    moderator = login(facilitator)
    queue = moderator.get("/forum/moderering").data.decode()
    assert "Namn på misstänkt" in queue and "Innehåller känsliga personuppgifter" in queue
    assert moderator.post(f"/forum/inlagg/{post.id}/flaggor", data={"action": "remove"}).status_code == 302
    assert db.session.get(Post, post.id).deleted_at is not None
    assert "Namn på misstänkt" not in moderator.get("/forum/moderering").data.decode()
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "forums.flag.remove"))


def test_members_without_groups_to_moderate_get_no_queue(login, make):
    assert login(make.user()).get("/forum/moderering").status_code == 403


def test_flag_needs_a_reason(login, forum, make):
    post = forum.reply(forum.topic())
    response = login(make.user()).post(f"/forum/inlagg/{post.id}/flagga", data={})
    assert response.status_code == 400 and "Välj ett skäl.".encode() in response.data


def test_facilitator_creates_orders_and_archives_categories(login, make, db):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator], visibility=GroupVisibility.CLOSED)
    client = login(facilitator)
    response = client.post(f"/forum/kategorier/ny?grupp={group.id}",
                           data={"name": "Rådgivning", "visibility": "group", "is_qa": "y"})
    assert response.status_code == 302
    assert client.post(f"/forum/kategorier/ny?grupp={group.id}",
                       data={"name": "Läckande", "visibility": "public"}).status_code == 400
    client.post(f"/forum/kategorier/ny?grupp={group.id}", data={"name": "Andra", "visibility": "group"})
    from network.forums.models import Category

    first, second = db.session.scalars(select(Category).order_by(Category.position)).all()
    assert first.is_qa and first.visibility == "group"
    client.post(f"/forum/k/{second.id}/ordning", data={"dir": "up"})
    db.session.expire_all()
    assert db.session.get(Category, second.id).position < db.session.get(Category, first.id).position
    client.post(f"/forum/k/{first.id}/arkivera", data={"archived": "1"})
    assert db.session.get(Category, first.id).archived
    assert client.get(f"/forum/k/{first.id}/nytt").status_code == 403


def test_members_cannot_create_network_categories(login, make):
    assert login(make.user()).get("/forum/kategorier/ny").status_code == 403


def test_unknown_pages_and_bad_page_numbers_do_not_crash(client, forum, make):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    topic = forum.topic(forum.category(group=group))
    assert client.get("/forum/t/999999").status_code == 404
    assert client.get(f"/forum/t/{topic.id}?page=-3").status_code == 200
    assert client.get(f"/forum/t/{topic.id}?page=abc").status_code == 200
    assert client.get(f"/forum/t/{topic.id}?page=99999999999").status_code == 200


def test_huge_or_odd_ids_are_not_found_not_errors(login, forum, make):
    topic = forum.topic()
    client = login(make.user())
    for url in ("/forum/t/99999999999999999999", "/forum/k/99999999999", "/forum/inlagg/4294967296",
                "/forum/k/99999999999/flode.atom", "/forum/mentions/99999999999"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/forum/t/{topic.id}?citera=99999999999999").status_code == 200
    response = client.post(f"/forum/t/{topic.id}/svara",
                           data={"body": "hej", "reply_to": "99999999999999999"})
    assert response.status_code == 302
    odd = client.post(f"/forum/t/{topic.id}/svara", data={"body": "hej²", "reply_to": "²"})
    assert odd.status_code == 302


def test_control_characters_are_dropped_not_stored(login, forum, make, db):
    topic = forum.topic()
    client = login(make.user())
    assert client.post(f"/forum/t/{topic.id}/svara", data={"body": "a\x00b\x07c\r\nd"}).status_code == 302
    post = db.session.scalar(select(Post).where(Post.number == 2))
    assert post.body == "abc\nd"
    assert client.post(f"/forum/t/{topic.id}/svara", data={"body": "\x00\x01"}).status_code == 400


# -- the topic page from the page cache ----------------------------------------------------------


def _client_key(page: str) -> str:
    return re.search(r'name="client_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="client_key"',
                     page).group(1)


def test_every_cached_topic_page_gets_its_own_double_submit_key(forum, make, login, db):
    member = make.user()
    topic = forum.topic()
    db.session.commit()
    client = login(member)
    # The first visit moves the reader's read position (a write), so the second renders again.
    pages = [client.get(f"/forum/t/{topic.id}") for _ in range(3)]
    assert [p.headers["X-Page-Cache"] for p in pages] == ["miss", "miss", "hit"]
    first, second = (_client_key(p.get_data(as_text=True)) for p in pages[1:])
    assert first != second and "\ue000" not in first + second
    for key, body in ((first, "Första svaret"), (second, "Andra svaret")):
        response = client.post(f"/forum/t/{topic.id}/svara", data={"body": body, "client_key": key})
        assert response.status_code == 302
    page = client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
    assert "Första svaret" in page and "Andra svaret" in page


def test_a_cached_topic_page_is_never_shown_to_someone_who_may_not_see_it(forum, make, login, db):
    group, member, category = forum.closed_setup()
    topic = forum.topic(category=category, author=member, title="Internt ämne")
    outsider = make.user()
    db.session.commit()
    assert login(member).get(f"/forum/t/{topic.id}").status_code == 200
    assert login(member).get(f"/forum/t/{topic.id}").headers["X-Page-Cache"] == "hit"
    assert login(outsider).get(f"/forum/t/{topic.id}").status_code == 404


def test_a_new_reply_shows_on_the_readers_cached_topic_page(forum, make, login, db):
    reader = make.user()
    topic = forum.topic()
    db.session.commit()
    client = login(reader)
    client.get(f"/forum/t/{topic.id}")
    client.get(f"/forum/t/{topic.id}")
    forum.reply(topic, body="Helt nytt svar från polisen")
    db.session.commit()
    assert "Helt nytt svar från polisen" in client.get(f"/forum/t/{topic.id}").get_data(as_text=True)
