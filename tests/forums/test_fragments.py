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
    store = app.extensions["forums_post_fragments"]
    hits = store.hits
    first, second = _page(client, topic), _page(client, topic)
    assert store.hits >= hits + 4  # two posts, two views
    assert _article(first, 1) == _article(second, 1)


def test_readers_who_see_a_post_alike_share_its_rendering(app, forum, make, login, db):
    _author, _reader, _facilitator, group, topic = _setup(forum, make, db)
    one, two = make.user(), make.user()
    for member in (one, two):
        accounts.add_member(None, group, member, GroupRole.MEMBER)
    db.session.commit()
    store = app.extensions["forums_post_fragments"]
    as_one = _page(login(one), topic)
    kept, hits = len(store._items), store.hits
    as_two = _page(login(two), topic)
    # Neither wrote or has read the posts: the second reader reuses both renderings.
    assert len(store._items) == kept and store.hits == hits + 2
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
