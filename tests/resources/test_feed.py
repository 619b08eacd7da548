"""The Atom feed: a pure function checked with an XML parser, and the public feed view."""

import datetime as dt

from defusedxml import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"
WHEN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


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
