"""Hostile or odd queries: a clear answer on the page, never an error, on both backends."""

from __future__ import annotations

import re

import pytest
from flask_login import AnonymousUserMixin

from network import fulltext
from network.fulltext.query import MAX_QUERY_WORDS

ANON = AnonymousUserMixin()


@pytest.fixture
def indexed(db):
    fulltext.index_entry("resource", 1, title="Klotter vid skolan", body="Sanering av klotter i centrum",
                         url="/r/1", visibility="public", group_id=None)
    fulltext.index_entry("resource", 2, title="Nattvandring", body="Vuxna på stan på fredagar",
                         url="/r/2", visibility="public", group_id=None)
    db.session.commit()


def _page(client, q: str) -> str:
    response = client.get("/sok", query_string={"q": q})
    assert response.status_code == 200, q
    return response.get_data(as_text=True)


def test_a_query_of_ten_thousand_characters_is_cut_and_answered(indexed, client):
    page = _page(client, "klotter " + "x" * 10_000)
    assert "Inga träffar" in page or "träff" in page
    results = fulltext.search(ANON, "klotter " + "långtord " * 2000)
    assert results.truncated and results.total == 0


def test_only_stop_words_are_explained(indexed, client):
    page = _page(client, "och att det som en")
    assert "bara vanliga småord" in page
    assert fulltext.search(ANON, "och att det").only_stop_words


def test_only_punctuation_finds_nothing_calmly(indexed, client):
    page = _page(client, "!!! ??? ... ,,, ;;; ---")
    assert "0 träffar" in page and "Inga träffar" in page


@pytest.mark.parametrize("q", ["NEAR(klotter", 'klotter"', "klott*", "title_terms:klotter", "klotter & skola",
                               "klotter | nattvandring", "!klotter", "'klotter'", "{title_terms}: x",
                               "klotter AND OR NOT", "(((", "^klotter", "klotter:*"])
def test_database_query_syntax_is_plain_text(indexed, client, q):
    page = _page(client, q)
    assert "träff" in page
    # The syntax characters are separators: the query means its words, nothing more.
    hits = [h.entry.object_id for h in fulltext.search(ANON, q).hits]
    plain = [h.entry.object_id for h in fulltext.search(ANON, re.sub(r"[^\w\s]", " ", q)).hits]
    assert hits == plain, q


def test_syntax_around_a_word_still_finds_it(indexed):
    for q in ('klotter"', "!klotter", "'klotter'", "klotter:*", "^klotter", "(klotter)"):
        assert [h.entry.object_id for h in fulltext.search(ANON, q).hits] == [1], q


def test_a_lone_surrogate_or_nul_byte_is_dropped(indexed, client):
    assert [h.entry.object_id for h in fulltext.search(ANON, "klotter\ud800").hits] == [1]
    assert [h.entry.object_id for h in fulltext.search(ANON, "klo\x00tter").hits] == []
    assert [h.entry.object_id for h in fulltext.search(ANON, "\x00klotter").hits] == [1]
    for raw in ("/sok?q=klotter%ED%A0%80", "/sok?q=klotter%00", "/sok?q=%00", "/sok?q=%ED%A0%80"):
        response = client.get(raw)
        assert response.status_code == 200, raw
        assert "\x00" not in response.get_data(as_text=True)


def test_two_hundred_words_use_the_first_words_and_say_so(indexed, client):
    words = " ".join(["klotter"] + [f"ord{n}" for n in range(199)])
    results = fulltext.search(ANON, words)
    assert results.truncated and results.total == 0
    assert len(fulltext.query.parse(words).words) == MAX_QUERY_WORDS
    page = _page(client, words)
    assert "bara de första orden användes" in page


def test_control_characters_in_indexed_text_are_harmless(db):
    fulltext.index_entry("resource", 3, title="Rapport\x00 om\ud800 trygghet", body="\x07text\x00",
                         url="/r/3", visibility="public", group_id=None)
    db.session.commit()
    assert fulltext.search(ANON, "trygghet").total == 1
