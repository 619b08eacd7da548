"""Hot pages make a fixed number of queries, however many posts there are."""

from __future__ import annotations

import io

from network.accounts.models import GroupVisibility


def _topic_with_replies(forum, make, category, n):
    topic = forum.topic(category)
    authors = [make.user() for _ in range(5)]
    for i in range(n - 1):
        forum.reply(topic, author=authors[i % 5], body=f"svar {i} @person")
    return topic


def _count(count_queries, client, url):
    client.get(url)  # warm caches that are per process, not per request
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def _attach_to_posts(make, topic, every=1):
    """Library resources (one with two files, one a link) on every ``every``-th post."""
    from network.resources import services as resources

    admin = make.admin()
    posts = [p for p in topic_posts_of(topic) if p.number % every == 0]
    for post in posts:
        with_files = resources.create_resource(
            admin, title=f"Bilaga {post.number}", type="rapport", visibility="members",
            uploads=[resources.Upload(io.BytesIO(b"text %d" % post.number), "a.txt"),
                     resources.Upload(io.BytesIO(b"mer text"), "b.txt")])
        link = resources.create_resource(admin, title=f"Länk {post.number}", type="film_lank",
                                         visibility="members", external_url="https://example.se/")
        for resource in (with_files, link):
            resources.attach(admin, resource, "forum_post", post.id)


def topic_posts_of(topic):
    from sqlalchemy import select

    from network.extensions import db
    from network.forums.models import Post

    return db.session.scalars(select(Post).where(Post.topic_id == topic.id)).all()


def test_topic_page_queries_do_not_grow_with_posts(forum, make, login, count_queries,
                                                   assert_max_queries, db):
    reader = make.user()
    category = forum.category()
    small = _topic_with_replies(forum, make, category, 5)
    large = _topic_with_replies(forum, make, category, 60)
    _attach_to_posts(make, small, every=3)
    _attach_to_posts(make, large)
    db.session.commit()
    client = login(reader)
    few = _count(count_queries, client, f"/forum/t/{small.id}")
    many = _count(count_queries, client, f"/forum/t/{large.id}?page=2")
    assert few == many
    with assert_max_queries(12) as counter:
        page = client.get(f"/forum/t/{large.id}?page=3").get_data(as_text=True)
    assert "Bilaga 41" in page and "Länk 60" in page and page.count("/bibliotek/fil/") == 40
    # Every attachment of the page (resources, current versions, files) in one query, beside
    # whether the page has any at all (kept with its outline: forums/topic_body.py).
    assert sum("resource_links" in sql for sql in counter.statements) == 2


def test_category_page_queries_do_not_grow_with_topics(forum, make, login, count_queries,
                                                       assert_max_queries, db):
    reader = make.user()
    small, large = forum.category(), forum.category()
    for _ in range(5):
        forum.topic(small, author=make.user())
    for _ in range(60):
        forum.topic(large, author=make.user())
    db.session.commit()
    client = login(reader)
    assert _count(count_queries, client, f"/forum/k/{small.id}") == \
        _count(count_queries, client, f"/forum/k/{large.id}")
    with assert_max_queries(10):
        client.get(f"/forum/k/{large.id}?page=2")


def test_visitor_topic_page_is_cheap(forum, make, client, assert_max_queries, db):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    topic = _topic_with_replies(forum, make, forum.category(group=group), 20)
    db.session.commit()
    client.get(f"/forum/t/{topic.id}")
    with assert_max_queries(5):
        client.get(f"/forum/t/{topic.id}")


def test_forum_index_and_start_page_are_bounded(forum, make, login, assert_max_queries, db):
    reader = make.user()
    for _ in range(8):
        category = forum.category()
        for _ in range(3):
            forum.topic(category)
    db.session.commit()
    client = login(reader)
    with assert_max_queries(12):
        client.get("/forum/")
    with assert_max_queries(10):
        client.get("/")


def test_a_category_with_more_news_than_the_cap_shows_99_plus(forum, make, login, db):
    """Unread topics are counted per category only up to the cap (issue 22): a category with
    thousands of new topics costs the forum index what one with a hundred does."""
    import datetime as dt

    from sqlalchemy import insert

    from network.db import utcnow
    from network.forums import queries
    from network.forums.models import Topic

    reader = make.user()
    busy, quiet = forum.category(name="Livlig"), forum.category(name="Lugn")
    forum.topic(quiet, title="Ett nytt ämne")
    later = utcnow() + dt.timedelta(minutes=1)
    db.session.execute(insert(Topic), [
        {"category_id": busy.id, "title": f"Ämne {i}", "created_at": later,
         "last_post_at": later + dt.timedelta(seconds=i), "last_number": 1} for i in range(150)])
    db.session.commit()
    reader.created_at = utcnow() - dt.timedelta(days=1)
    db.session.commit()

    assert queries.unread_by_category(reader, [busy.id, quiet.id]) == {
        busy.id: queries.UNREAD_CAP + 1, quiet.id: 1}
    html = login(reader).get("/forum/").get_data(as_text=True)
    assert "99+ med nytt" in html and "1 med nytt" in html


def test_the_category_page_counts_its_pages_from_the_running_topic_count(forum, make, login, db):
    """The category keeps its count of topics not deleted (the page does not count them): it
    follows creating, deleting and moving, a deleted topic moved included."""
    from sqlalchemy import func, select

    from network.forums import services
    from network.forums.models import Category, Post, Topic

    admin = make.admin()
    here, there = forum.category(actor=admin), forum.category(actor=admin)
    topics = [forum.topic(here) for _ in range(4)]
    services.delete_post(admin, db.session.scalar(select(Post).where(
        Post.topic_id == topics[0].id, Post.number == 1)))
    services.move_topic(admin, topics[0], there)  # deleted: neither count changes
    services.move_topic(admin, topics[1], there)
    db.session.commit()

    def counted(category):
        return db.session.scalar(select(func.count()).select_from(Topic).where(
            Topic.category_id == category.id, Topic.deleted_at.is_(None)))

    for category in (here, there):
        db.session.refresh(category)
        assert category.topic_count == counted(category)
    assert (here.topic_count, there.topic_count) == (2, 1)
    assert db.session.get(Category, here.id).topic_count == 2
