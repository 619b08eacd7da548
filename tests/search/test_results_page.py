"""The results page reads well: readable snippets, one title per thread, kind and place shown,
spelling help that never reveals closed content, capped counts."""

from __future__ import annotations

import re

from network import fulltext
from network.accounts.models import GroupVisibility


def _put(kind, oid, title, body, visibility="public", group_id=None, **kw):
    return fulltext.index_entry(kind, oid, title=title, body=body, url=f"/x/{kind}/{oid}",
                                visibility=visibility, group_id=group_id, **kw)


def _main(page: str) -> str:
    return page.split("<main", 1)[1]


def test_snippets_of_spreadsheets_and_markup_read_as_text(db, client):
    csv = "Kommun;År;Antal klotteranmälningar\nMalmö;2024;120\nLund;2024;45"
    _put("resource", 1, "Statistik", f"Sammanställning.\n{csv}")
    _put("resource", 2, "Guide", "<p>Om <b>klotter</b> och [[sanering]]</p> **viktigt**")
    db.session.commit()
    hits = {h.entry.object_id: str(h.snippet) for h in fulltext.search(None, "klotteranmälningar").hits}
    assert ";" not in hits[1] and "Malmö · 2024 · 120" in hits[1]
    guide = str(fulltext.search(None, "klotter").hits[0].snippet)
    assert "<b>" not in guide and "&lt;" not in guide and "**" not in guide and "[[" not in guide
    assert "<mark>klotter</mark>" in guide


def test_a_thread_title_is_shown_once_with_its_replies_beneath(db, client):
    for oid, kind in ((1, "forum_topic"), (2, "forum_post"), (3, "forum_post")):
        _put(kind, oid, "Nattvandring i helgen", f"Inlägg {oid} om nattvandring")
    db.session.commit()
    page = _main(client.get("/sok?q=nattvandring").get_data(as_text=True))
    assert len(re.findall(r'<h2 class="search-hit-title">', page)) == 1
    assert page.count("/x/forum_post/2") == 1 and page.count("/x/forum_post/3") == 1


def test_each_hit_shows_its_kind_group_and_municipality(db, make, login):
    member = make.user()
    group = make.group(name="Trygga Malmö", visibility=GroupVisibility.CLOSED, members=[member],
                       municipality_code="1280")
    _put("event", 1, "Trygghetsvandring i Rosengård", "Vi går tillsammans", visibility="group",
         group_id=group.id)
    _put("experience", 2, "Trygghetsvandringar gav resultat", "Lärdomar", municipalities=["0180"])
    db.session.commit()
    page = _main(login(member).get("/sok?q=trygghetsvandring").get_data(as_text=True))
    assert "Evenemang" in page and "Trygga Malmö" in page and "Malmö</a>" in page
    assert "Erfarenhetsrapporter" in page and "Stockholm</a>" in page
    assert "kommun=1280" in page


def test_closed_group_name_is_not_shown_on_a_members_hit(db, make, login):
    closed = make.group(name="Hemliga gruppen", visibility=GroupVisibility.CLOSED)
    _put("forum_post", 1, "Klotter", "klotter på väggen", visibility="members", group_id=closed.id)
    db.session.commit()
    page = login(make.user()).get("/sok?q=klotter").get_data(as_text=True)
    assert "/x/forum_post/1" in page and "Hemliga gruppen" not in page


def test_a_typo_in_a_long_word_still_finds_and_says_so(db, client):
    _put("resource", 1, "Kamerabevakning", "Om kameror")
    db.session.commit()
    page = _main(client.get("/sok?q=kamerabevakming").get_data(as_text=True))
    assert "/x/resource/1" in page and "liknande stavning" in page


def test_menade_du_offers_a_visible_word_when_nothing_is_found(db, client):
    _put("resource", 1, "Våld i nära relationer", "Om våld och stöd")
    db.session.commit()
    page = _main(client.get("/sok?q=vlad").get_data(as_text=True))  # short words are not guessed
    assert "Menade du" in page and "q=v%C3%A5ld" in page and ">våld</a>?" in page
    assert "Menade du" not in _main(client.get("/sok?q=xqzv").get_data(as_text=True))


def test_suggestions_and_typo_matches_never_reveal_closed_words(db, make, login, client):
    insider = make.user()
    closed = make.group(visibility=GroupVisibility.CLOSED, members=[insider])
    _put("forum_post", 1, "Hemlighetsfull plan", "hemlighetsfull text", visibility="group",
         group_id=closed.id)
    _put("resource", 2, "Öppen", "helt vanlig text", visibility="public")
    db.session.commit()
    for c in (client, login(make.user())):
        for q in ("hemlighetsful", "hemlighetsfulla", "hemlighetsfull"):
            page = c.get("/sok", query_string={"q": q}).get_data(as_text=True).lower()
            assert "menade du" not in page and "/x/forum_post/1" not in page, q
            assert "hemlighetsfull plan" not in page and "hemlighetsfull</a>" not in page, q
    inside = login(insider).get("/sok?q=hemlighetsful").get_data(as_text=True)
    assert "/x/forum_post/1" in inside


def test_huge_result_sets_show_a_capped_count(db, client, monkeypatch):
    monkeypatch.setattr(fulltext.query, "COUNT_CAP", 5)
    monkeypatch.setattr(fulltext, "COUNT_CAP", 5)
    for oid in range(8):
        _put("resource" if oid % 2 else "event", oid, f"Samverkan {oid}", "samverkan")
    db.session.commit()
    results = fulltext.search(None, "samverkan", per_page=3)
    assert results.capped and results.total == 6 and len(results.hits) == 3
    page = _main(client.get("/sok?q=samverkan").get_data(as_text=True))
    assert "Fler än 5 träffar" in page and "Alla (5+)" in page
    second = fulltext.search(None, "samverkan", page=2, per_page=3)
    ids = [h.entry.object_id for h in results.hits + second.hits]
    assert len(set(ids)) == 6


def test_one_theme_choice_finds_both_features_codes_for_it(db, client):
    _put("measure", 1, "Belysning i parken", "belysning", themes=["situationell"])
    _put("resource", 2, "Belysning vid skolan", "belysning", themes=["situationell_prevention"])
    _put("resource", 3, "Belysning och trygghet", "belysning", themes=["trygghet"])
    db.session.commit()
    page = client.get("/sok?q=belysning&tema=situationell").get_data(as_text=True)
    assert page.count(">Situationell prevention</option>") == 1
    assert "/x/resource/2" in page and "/x/resource/3" not in page
