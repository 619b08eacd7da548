"""The one Atom writer, parsed back with a hardened XML parser."""

from __future__ import annotations

import datetime as dt

from defusedxml import ElementTree

from network import atom

NS = {"a": atom.ATOM}
WHEN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _entry(**kw):
    values = {"id": "http://x/1", "title": "<script>alert(1)</script> & åäö", "url": "http://x/1",
              "published": WHEN, "updated": WHEN}
    values.update(kw)
    return atom.Entry(**values)


def test_feed_is_well_formed_with_escaped_text_and_html_content():
    body = atom.feed(feed_id="http://x/f", title="Trygghet & samverkan", subtitle="Om oss",
                     site_url="http://x/", self_url="http://x/f.atom", author="Nätverket",
                     entries=[_entry(author="Malmö stad", summary="Kort",
                                     content_html="<p>hej <strong>du</strong></p>",
                                     categories=[atom.Category("metod", "Metodstöd")])])
    root = ElementTree.fromstring(body)
    assert root.tag == f"{{{atom.ATOM}}}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert root.find("a:title", NS).text == "Trygghet & samverkan"
    assert root.find("a:subtitle", NS).text == "Om oss"
    assert root.find("a:updated", NS).text == "2026-03-01T12:00:00Z"
    assert root.find("a:link[@rel='self']", NS).get("href") == "http://x/f.atom"
    entry = root.find("a:entry", NS)
    assert entry.find("a:title", NS).text == "<script>alert(1)</script> & åäö"
    assert entry.find("a:author/a:name", NS).text == "Malmö stad"
    category = entry.find("a:category", NS)
    assert (category.get("term"), category.get("label")) == ("metod", "Metodstöd")
    assert entry.find("a:summary", NS).get("type") == "text"
    content = entry.find("a:content", NS)
    assert content.get("type") == "html" and content.text == "<p>hej <strong>du</strong></p>"
    assert b"<script>" not in body


def test_updated_is_the_newest_entry_unless_given_and_fixed_when_empty():
    later = WHEN + dt.timedelta(days=2)
    root = ElementTree.fromstring(atom.feed(
        feed_id="urn:x", title="t", site_url="http://x", self_url="http://x/f",
        entries=[_entry(), _entry(id="http://x/2", updated=later)]))
    assert root.find("a:updated", NS).text == "2026-03-03T12:00:00Z"
    empty = ElementTree.fromstring(atom.feed(feed_id="urn:x", title="t", site_url="http://x",
                                             self_url="http://x/f", entries=[]))
    assert empty.findall("a:entry", NS) == []
    assert empty.find("a:updated", NS).text == "2000-01-01T00:00:00Z"


def test_optional_parts_are_left_out_rather_than_empty():
    root = ElementTree.fromstring(atom.feed(feed_id="urn:x", title="t", site_url="http://x",
                                            self_url="http://x/f", entries=[_entry()]))
    entry = root.find("a:entry", NS)
    for tag in ("author", "summary", "content", "category"):
        assert entry.find(f"a:{tag}", NS) is None
    assert root.find("a:subtitle", NS) is None and root.find("a:author", NS) is None
