"""The Atom feed: a pure function checked with an XML parser, and the public feed view."""

import datetime as dt

from defusedxml import ElementTree

from network.resources.feed import FeedItem, atom_feed

ATOM = "{http://www.w3.org/2005/Atom}"
WHEN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_atom_feed_is_well_formed_with_escaped_content():
    xml = atom_feed(
        feed_id="http://x/bibliotek/flode.atom", title="Nytt & viktigt", self_url="http://x/f",
        site_url="http://x/bibliotek/", author="Nätverket",
        items=[FeedItem(id="http://x/bibliotek/1", title="<script>alert(1)</script> & åäö",
                        url="http://x/bibliotek/1", published=WHEN, updated=WHEN,
                        summary="Sammanfattning", author="Malmö stad", categories=["Metodstöd"])],
    )
    root = ElementTree.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Nytt & viktigt"
    assert root.findtext(f"{ATOM}updated") == "2026-03-01T12:00:00Z"
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "<script>alert(1)</script> & åäö"
    assert entry.find(f"{ATOM}link").get("href") == "http://x/bibliotek/1"
    assert entry.find(f"{ATOM}category").get("term") == "Metodstöd"
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Malmö stad"
    assert b"<script>" not in xml


def test_an_empty_feed_is_still_valid():
    root = ElementTree.fromstring(atom_feed(feed_id="urn:x", title="t", self_url="http://x",
                                            site_url="http://x", author="a", items=[]))
    assert root.findall(f"{ATOM}entry") == [] and root.findtext(f"{ATOM}updated")


def test_visitors_get_the_public_feed_with_absolute_links(db, client, library):
    r = library.resource(visibility="public", title="Guide om trygghetsvandringar")
    db.session.commit()
    response = client.get("/bibliotek/flode.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Guide om trygghetsvandringar"
    assert entry.find(f"{ATOM}link").get("href") == f"http://localhost/bibliotek/{r.id}"
