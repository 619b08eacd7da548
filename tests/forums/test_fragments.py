"""Posts rendered once and reused (network/forums/fragments.py): every change shows at once and
no reader ever gets another reader's controls or token. The page cache is off so that each view
renders and only the post fragments are reused."""

import re

import pytest
from sqlalchemy import select

from network.accounts import services as accounts
from network.accounts.models import GroupRole
from network.forums import services
from network.forums.models import Post


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAGE_CACHE": False}


def _page(client, topic) -> str:
    response = client.get(f"/forum/t/{topic.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _article(page: str, number: int) -> str:
    return re.search(rf'<article[^>]* id="p{number}".*?</article>', page, re.S).group(0)


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def _setup(forum, make, db):
    author, reader, facilitator = make.user(name="Anna Skribent"), make.user(), make.user()
    group = make.group(members=[author, reader], facilitators=[facilitator])
    topic = forum.topic(forum.category(group=group), author=author, body="Första versionen")
    forum.reply(topic, author=reader, body="Läsarens svar")
    db.session.commit()
    return author, reader, facilitator, group, topic


def test_posts_are_reused_between_views(app, forum, make, login, db):
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    client = login(reader)
    _page(client, topic)
    posts, sections = app.extensions["forums_post_fragments"], app.extensions["forums_topic_bodies"]
    kept, hits = len(posts._items), sections.hits
    first, second = _page(client, topic), _page(client, topic)
    # Read to the end, the reader's section is the same on both views: kept whole, no post
    # rendered again.
    assert sections.hits == hits + 4 and len(posts._items) == kept  # outline and section, twice
    assert _article(first, 1) == _article(second, 1)


def test_a_new_reply_renders_only_the_new_post(app, forum, make, login, db):
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    client = login(reader)
    _page(client, topic)
    posts = app.extensions["forums_post_fragments"]
    forum.reply(topic, author=author, body="Ett tredje inlägg")
    db.session.commit()
    hits = posts.hits
    page = _page(client, topic)
    assert "Ett tredje inlägg" in _article(page, 3)
    assert posts.hits >= hits + 2  # the section is rendered anew from the kept posts


def test_readers_who_see_a_post_alike_share_its_rendering(app, forum, make, login, db):
    _author, _reader, _facilitator, group, topic = _setup(forum, make, db)
    one, two = make.user(), make.user()
    for member in (one, two):
        accounts.add_member(None, group, member, GroupRole.MEMBER)
    db.session.commit()
    posts, sections = app.extensions["forums_post_fragments"], app.extensions["forums_topic_bodies"]
    as_one = _page(login(one), topic)
    kept, hits = len(posts._items), sections.hits
    as_two = _page(login(two), topic)
    # Neither wrote or has read the posts: the second reader reuses the first one's section.
    assert len(posts._items) == kept and sections.hits == hits + 2  # outline and section
    assert [_article(as_one, n) for n in (1, 2)] == [_article(as_two, n) for n in (1, 2)]


def test_an_edited_post_shows_at_once(forum, make, login, db):
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    client = login(reader)
    assert "Första versionen" in _page(client, topic)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    services.edit_post(author, post, "Andra versionen")
    db.session.commit()
    page = _page(client, topic)
    assert "Andra versionen" in page and "Första versionen" not in page
    assert "redigerad" in _article(page, 1)


def test_a_renamed_author_shows_at_once(forum, make, login, db):
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    client = login(reader)
    assert "Anna Skribent" in _page(client, topic)
    author.name = "Anna Omdöpt"
    db.session.commit()
    assert "Anna Omdöpt" in _article(_page(client, topic), 1)


def test_no_reader_gets_another_readers_controls_or_token(forum, make, login, db):
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    author_client, reader_client = login(author), login(reader)
    for _ in range(2):  # the second round is served from the fragments the first one kept
        as_author, as_reader = _page(author_client, topic), _page(reader_client, topic)
        assert "/redigera" in _article(as_author, 1) and "/redigera" not in _article(as_reader, 1)
        assert "/redigera" in _article(as_reader, 2) and "/redigera" not in _article(as_author, 2)
        assert "/flagga" not in _article(as_author, 1) and "/flagga" in _article(as_reader, 1)
        author_tokens, reader_tokens = _tokens(as_author), _tokens(as_reader)
        assert author_tokens and reader_tokens and not author_tokens & reader_tokens
        assert not any(t.startswith("csrf") for t in author_tokens | reader_tokens)  # no marker


def test_a_role_change_shows_the_moderators_controls_at_once(forum, make, login, db):
    author, reader, _facilitator, group, topic = _setup(forum, make, db)
    client = login(reader)
    assert "/redigera" not in _article(_page(client, topic), 1)
    accounts.add_member(None, group, reader, GroupRole.FACILITATOR)
    db.session.commit()
    assert "/redigera" in _article(_page(client, topic), 1)
    accounts.add_member(None, group, reader, GroupRole.MEMBER)
    db.session.commit()
    assert "/redigera" not in _article(_page(client, topic), 1)


def test_a_locked_topic_takes_the_authors_edit_link_away_at_once(forum, make, login, db):
    author, _reader, facilitator, _group, topic = _setup(forum, make, db)
    client = login(author)
    assert "/redigera" in _article(_page(client, topic), 1)
    services.moderate_topic(facilitator, topic, "lock")
    db.session.commit()
    assert "/redigera" not in _article(_page(client, topic), 1)


def test_a_language_switch_shows_the_posts_in_the_new_language_at_once(forum, make, login, db):
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    client = login(reader)
    assert "Flagga" in _article(_page(client, topic), 1)
    token = next(iter(_tokens(_page(client, topic))))
    assert client.post("/sprak", data={"lang": "en", "next": "/", "csrf_token": token}
                       ).status_code == 302
    article = _article(_page(client, topic), 1)
    assert "Flag" in article and "Flagga" not in article


@pytest.mark.parametrize("first", ["insider", "outsider"])
def test_each_reader_sees_the_attachments_of_their_own_scope_whoever_came_first(
        forum, make, login, db, first):
    """The section is shared per visibility scope: a group's resource attached in an open topic
    shows to the group's members only, whichever reader's view kept a section first."""
    from network.accounts.models import GroupVisibility
    from network.resources import services as resources
    from tests.resources.conftest import make_pdf

    insider, outsider, author = make.user(), make.user(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[insider, author])
    secret = resources.create_resource(
        author, title="Gruppens bilaga", visibility="group", group_id=group.id, type="metodstod",
        uploads=[resources.Upload(__import__("io").BytesIO(make_pdf()), "bilaga.pdf")])
    topic = forum.topic(forum.category(), author=author, body="Se bilagan",
                        attachments=services.Attachments(picked=[secret]))
    db.session.commit()
    clients = {"insider": login(insider), "outsider": login(outsider)}
    for who in [first] + [w for w in clients if w != first]:
        page = _page(clients[who], topic)
        assert "Se bilagan" in page
        assert ("Gruppens bilaga" in page) == (who == "insider"), who


def test_what_is_new_is_marked_for_each_reader_from_their_own_read_position(
        forum, make, login, db):
    author, reader, _facilitator, group, topic = _setup(forum, make, db)
    fresh = make.user()
    accounts.add_member(None, group, fresh, GroupRole.MEMBER)
    db.session.commit()
    forum.reply(topic, author=author, body="Något nytt")
    db.session.commit()
    as_reader = _page(login(reader), topic)  # read up to their own post 2
    as_fresh = _page(login(fresh), topic)  # read nothing
    new = 'class="badge badge-new"'
    assert new not in _article(as_reader, 2) and new in _article(as_reader, 3)
    assert all(new in _article(as_fresh, n) for n in (1, 2, 3))
    again = _page(login(fresh), topic)  # now read to the end: nothing is new
    assert new not in again


def test_the_reply_form_is_shared_but_each_response_has_its_own_token_and_key(
        app, forum, make, login, db):
    import re

    _author, reader, _facilitator, group, topic = _setup(forum, make, db)
    other = make.user()
    accounts.add_member(None, group, other, GroupRole.MEMBER)
    db.session.commit()
    pages = [_page(login(who), topic) for who in (reader, other, reader)]
    keys = [re.search(r'name="client_key" type="hidden" value="([^"]+)"', p).group(1)
            for p in pages]
    assert len(set(keys)) == 3  # a new double-submit key in every response
    tokens = [_tokens(p) for p in pages]
    assert not tokens[0] & tokens[1]  # and each reader's own token
    client = login(reader)
    page = _page(client, topic)
    form = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1],
            "client_key": re.search(r'name="client_key" type="hidden" value="([^"]+)"', page)[1],
            "body": "Svar genom det delade formuläret"}
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/forum/t/{topic.id}/svara", data=form).status_code == 302
    assert "Svar genom det delade formuläret" in _page(client, topic)


def test_a_reply_renders_only_the_last_page_anew_and_an_edit_its_own_page(
        app, forum, make, login, db):
    """Sections are stamped with their page's posts: a reply on page 2 leaves page 1's section
    in place, an edit on page 1 renders it anew at once, and the page links follow the count."""
    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    for n in range(3, 22):
        forum.reply(topic, author=author, body=f"Inlägg nummer {n}")
    db.session.commit()
    client = login(reader)
    sections = app.extensions["forums_topic_bodies"]
    client.get(f"/forum/t/{topic.id}?page=1")  # now read to the page's end: nothing new on it
    first = client.get(f"/forum/t/{topic.id}?page=1").get_data(as_text=True)
    assert f'href="/forum/t/{topic.id}?page=2"' in first
    forum.reply(topic, author=author, body="Ett svar på sidan två")
    db.session.commit()
    hits = sections.hits
    again = client.get(f"/forum/t/{topic.id}?page=1").get_data(as_text=True)
    assert sections.hits == hits + 2  # outline and section of page 1 kept
    assert _article(again, 1) == _article(first, 1)
    assert "Ett svar på sidan två" in client.get(f"/forum/t/{topic.id}?page=2").get_data(
        as_text=True)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 5))
    services.edit_post(author, post, "Rättat inlägg")
    db.session.commit()
    assert "Rättat inlägg" in _article(
        client.get(f"/forum/t/{topic.id}?page=1").get_data(as_text=True), 5)
    for n in range(23, 42):
        forum.reply(topic, author=author, body=f"Inlägg nummer {n}")
    db.session.commit()
    third = client.get(f"/forum/t/{topic.id}?page=1").get_data(as_text=True)
    assert f'href="/forum/t/{topic.id}?page=3"' in third  # a third page is linked at once


def test_marking_an_answer_on_a_later_page_shows_it_on_the_first_at_once(forum, make, login, db):
    from network.forums import services as forum_services

    author, reader = make.user(), make.user()
    group = make.group(members=[author, reader])
    topic = forum.topic(forum.category(group=group, is_qa=True), author=author, body="Frågan")
    for n in range(2, 23):
        forum.reply(topic, author=reader, body=f"Inlägg nummer {n}")
    db.session.commit()
    answer = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 22))
    viewer = login(author)
    assert "answer-box" not in viewer.get(f"/forum/t/{topic.id}?page=1").get_data(as_text=True)
    forum_services.mark_answer(author, topic, answer)
    db.session.commit()
    page = viewer.get(f"/forum/t/{topic.id}?page=1").get_data(as_text=True)
    assert "answer-box" in page and "Inlägg nummer 22" in page
    forum_services.edit_post(reader, answer, "Det rättade svaret")
    db.session.commit()
    assert "Det rättade svaret" in viewer.get(f"/forum/t/{topic.id}?page=1").get_data(
        as_text=True)


def test_the_library_s_writes_renew_only_pages_with_attachments(app, forum, make, login, db):
    """An upload to the library leaves a topic page without attachments in place; a resource
    linked to a post, or a change to a linked resource, shows at once."""
    import io

    from network.resources import services as resources
    from tests.resources.conftest import make_pdf

    author, reader, _facilitator, _group, topic = _setup(forum, make, db)
    client = login(reader)
    _page(client, topic)
    sections = app.extensions["forums_topic_bodies"]

    def upload(title):
        return resources.create_resource(
            author, title=title, visibility="members", type="metodstod",
            uploads=[resources.Upload(io.BytesIO(make_pdf()), "a.pdf")])

    upload("Något annat i biblioteket")
    db.session.commit()
    hits = sections.hits
    _page(client, topic)
    assert sections.hits == hits + 2  # outline and section kept through the upload
    linked = upload("Länkad handbok")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    resources.attach(author, linked, services.KIND_POST, post.id)
    db.session.commit()
    assert "Länkad handbok" in _article(_page(client, topic), 1)
    resources.update_resource(author, linked, title="Omdöpt handbok", type=linked.type,
                              visibility=linked.visibility)
    db.session.commit()
    page = _page(client, topic)
    assert "Omdöpt handbok" in _article(page, 1) and "Länkad handbok" not in page


def test_readers_at_different_read_positions_share_one_section_with_their_own_badges(
        app, forum, make, login, db):
    from network.forums.models import TopicRead

    _author, _reader, _facilitator, group, topic = _setup(forum, make, db)
    early, late = make.user(), make.user()
    for member in (early, late):
        accounts.add_member(None, group, member, GroupRole.MEMBER)
    db.session.add(TopicRead(user_id=late.id, topic_id=topic.id, last_read_number=1))
    db.session.commit()
    sections = app.extensions["forums_topic_bodies"]
    as_early = _page(login(early), topic)  # has read nothing
    kept = len(sections._items)
    as_late = _page(login(late), topic)  # has read post 1
    assert len(sections._items) == kept  # the same section, not another rendering
    new = 'class="badge badge-new"'
    assert new in _article(as_early, 1) and new in _article(as_early, 2)
    assert new not in _article(as_late, 1) and new in _article(as_late, 2)
    assert "\ue006" not in as_early + as_late  # every slot filled
