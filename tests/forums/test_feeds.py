"""Atom feeds: a pure writer, parsed back with the stdlib XML parser, and the feed view."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET  # noqa: S405 - parsing our own output in tests

from network.accounts.models import GroupVisibility
from network.forums.feeds import ATOM, FeedEntry, atom_feed

NS = {"a": ATOM}


def test_atom_feed_is_valid_atom_with_escaped_html_content():
    when = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    body = atom_feed(feed_id="http://x/forum/k/1", title="Trygghet & samverkan", subtitle="",
                     site_url="http://x/forum/k/1", self_url="http://x/forum/k/1/flode.atom",
                     updated=when, entries=[FeedEntry(
                         id="http://x/forum/t/1", title="Å <b>ä</b>", url="http://x/forum/t/1",
                         author="Anna", published=when, updated=when,
                         content_html="<p>hej <strong>du</strong></p>")])
    root = ET.fromstring(body)  # noqa: S314
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.find("a:title", NS).text == "Trygghet & samverkan"
    entry = root.find("a:entry", NS)
    assert entry.find("a:title", NS).text == "Å <b>ä</b>"
    assert entry.find("a:updated", NS).text == "2026-11-01T12:00:00Z"
    content = entry.find("a:content", NS)
    assert content.get("type") == "html" and content.text == "<p>hej <strong>du</strong></p>"
    assert root.find("a:link[@rel='self']", NS).get("href").endswith("/flode.atom")


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
