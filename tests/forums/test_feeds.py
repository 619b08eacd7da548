"""Atom feeds: a pure writer, parsed back with the stdlib XML parser, and the feed view."""

from __future__ import annotations

from xml.etree import ElementTree as ET  # noqa: S405 - parsing our own output in tests

from network.accounts.models import GroupVisibility
from network.atom import ATOM

NS = {"a": ATOM}


def test_public_category_feed_lists_its_topics_with_caching(forum, make, client, db):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    category = forum.category(group=group, name="Öppna frågor")
    forum.topic(category, title="Trygghetsvandring", body="Vi gick **tillsammans**")
    db.session.commit()
    response = client.get(f"/forum/k/{category.id}/flode.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314
    entries = root.findall("a:entry", NS)
    assert [e.find("a:title", NS).text for e in entries] == ["Trygghetsvandring"]
    assert "<strong>tillsammans</strong>" in entries[0].find("a:content", NS).text
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    again = client.get(f"/forum/k/{category.id}/flode.atom",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    forum.topic(category, title="Ännu ett ämne")
    db.session.commit()
    changed = client.get(f"/forum/k/{category.id}/flode.atom",
                         headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200


def test_deleted_topics_leave_the_feed(forum, make, client, db):
    from network.forums import services
    from network.forums.models import Post

    group = make.group(visibility=GroupVisibility.PUBLIC)
    category = forum.category(group=group)
    author = make.user()
    topic = forum.topic(category, author=author, title="Borttagen tråd")
    services.delete_post(author, db.session.get(Post, 1))
    db.session.commit()
    assert "Borttagen tråd" not in client.get(f"/forum/k/{category.id}/flode.atom").data.decode()
    assert topic.deleted_at is not None
