"""Hot pages make a fixed number of queries, however many posts there are."""

from __future__ import annotations

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


def test_topic_page_queries_do_not_grow_with_posts(forum, make, login, count_queries,
                                                   assert_max_queries, db):
    reader = make.user()
    category = forum.category()
    small = _topic_with_replies(forum, make, category, 5)
    large = _topic_with_replies(forum, make, category, 60)
    db.session.commit()
    client = login(reader)
    few = _count(count_queries, client, f"/forum/t/{small.id}")
    many = _count(count_queries, client, f"/forum/t/{large.id}?page=2")
    assert few == many
    with assert_max_queries(12):
        client.get(f"/forum/t/{large.id}?page=3")


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
