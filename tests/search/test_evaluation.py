"""Search quality on a fixed Swedish corpus, the same assertions on SQLite and PostgreSQL.

Run once per backend (``NETWORK_TEST_DB=postgres`` for the PostgreSQL pass): every query must
return exactly the hits (and exact count) of a reference matcher written in Python over the
same tokens, so both databases give the same hit set; the expected documents must be in the
first 20; nothing outside the reader's access ever appears.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from network import fulltext
from network.accounts.models import GroupVisibility
from network.fulltext.query import TYPO_MIN, parse
from network.fulltext.words import edits1, entry_tokens, stem_token
from tests.search import corpus as eval_corpus

ANON = AnonymousUserMixin()


@pytest.fixture
def corpus(db, make):
    reader = make.user(name="Läsa Re")
    mine = make.group(name="Min grupp", visibility=GroupVisibility.CLOSED, members=[reader])
    closed = make.group(name="Stängd grupp", visibility=GroupVisibility.CLOSED)
    docs = eval_corpus.documents()
    eval_corpus.index(docs, mine.id, closed.id)
    db.session.commit()
    return SimpleNamespace(reader=reader, docs=docs, by_id={d.object_id: d for d in docs})


def _reader_sees(doc) -> bool:
    return doc.group != "closed"


def _visitor_sees(doc) -> bool:
    return doc.visibility == "public"


def reference_hits(query: str, docs, sees) -> set[int]:
    """The hit set the rules define (words.py tokens, typo rule of query.py), without a database."""
    tokens, vocabulary = {}, {}
    for doc in docs:
        t = entry_tokens(doc.title[:500], doc.body)
        tokens[doc.object_id] = set(f"{t.title} {t.body} {t.parts}".split())
        for term, display in t.vocabulary.items():
            vocabulary.setdefault(term, display)
    visible = {d.object_id for d in docs if sees(d)}

    def match(alts) -> set[int]:
        return {i for i in visible if all(any(a in tokens[i] for a in alt) for alt in alts)}

    words = parse(query).words
    if not words:
        return set()
    hits = match([w.tokens for w in words])
    if hits:
        return hits
    alts = []
    for word in words:
        extra: tuple[str, ...] = ()
        if len(word.form) >= TYPO_MIN and not match([word.tokens]):
            near = sorted(t for t in edits1(word.form) if t in vocabulary)
            extra = tuple(x for t in near for x in (t, stem_token(vocabulary[t])))
        alts.append(tuple(dict.fromkeys(word.tokens + extra)))
    return match(alts)


def _expected(corpus, subjects, place, sees) -> set[int]:
    return {d.object_id for d in corpus.docs if d.subject in subjects and sees(d)
            and (place is None or d.place == place)}


def test_the_corpus_and_query_set_are_large_enough():
    docs = eval_corpus.documents()
    assert len(docs) >= 300 and len(eval_corpus.QUERIES) >= 60
    assert {d.kind for d in docs} == set(eval_corpus.KINDS)
    assert docs == eval_corpus.documents()  # deterministic


def test_expected_documents_are_in_the_first_twenty_hits(corpus):
    found = wanted = 0
    misses = []
    for query, subjects, place in eval_corpus.QUERIES:
        results = fulltext.search(corpus.reader, query, per_page=20)
        top = [h.entry.object_id for h in results.hits]
        assert all(_reader_sees(corpus.by_id[i]) for i in top), query
        expected = _expected(corpus, subjects, place, _reader_sees)
        assert expected, query
        got = len(expected & set(top))
        found, wanted = found + got, wanted + min(len(expected), 20)
        if got < min(len(expected), 20):
            misses.append((query, sorted(expected - set(top))))
    print(f"recall@20 {found}/{wanted} = {found / wanted:.3f}", misses)
    assert found / wanted >= 0.95, misses


def test_every_query_gives_the_reference_hit_set_and_exact_count(corpus):
    for query, _subjects, _place in eval_corpus.QUERIES:
        for user, sees in ((corpus.reader, _reader_sees), (ANON, _visitor_sees)):
            results = fulltext.search(user, query, per_page=500)
            hits = {h.entry.object_id for h in results.hits}
            reference = reference_hits(query, corpus.docs, sees)
            assert hits == reference, (query, sorted(hits ^ reference))
            assert results.total == len(reference) and not results.capped, query
            assert sum(results.kind_counts.values()) == len(reference), query


def test_facets_count_only_what_the_reader_may_see(corpus):
    results = fulltext.search(ANON, "trygghet")
    public = {d.object_id for d in corpus.docs if _visitor_sees(d)}
    assert {h.entry.object_id for h in results.hits} <= public
    by_kind = {}
    for i in reference_hits("trygghet", corpus.docs, _visitor_sees):
        by_kind[corpus.by_id[i].kind] = by_kind.get(corpus.by_id[i].kind, 0) + 1
    assert results.kind_counts == by_kind


def test_filters_by_kind_theme_municipality_and_group_stay_exact(corpus):
    reader = corpus.reader
    for kind in eval_corpus.KINDS:
        results = fulltext.search(reader, "trygghet", kind=kind, per_page=100)
        assert {h.entry.kind for h in results.hits} <= {kind}
        assert results.total == results.kind_counts.get(kind, 0) == len(results.hits)
    malmo = fulltext.search(reader, "klotter", municipality="1280", per_page=100)
    assert malmo.total > 0 and all(corpus.by_id[h.entry.object_id].place == "1280" for h in malmo.hits)
    themed = fulltext.search(reader, "trygghet", theme="uppfoljning", per_page=100)
    assert themed.total > 0
    assert {corpus.by_id[h.entry.object_id].subject for h in themed.hits} == {"trygghetsmatning"}


def test_exact_title_matches_come_before_parts_of_compounds(db):
    put = lambda oid, title, body: fulltext.index_entry(  # noqa: E731
        "resource", oid, title=title, body=body, url=f"/r/{oid}", visibility="public", group_id=None)
    put(1, "Nyrekrytering i förorten", "Text om läget.")
    put(2, "Rekrytering av mentorer", "Text om läget.")
    put(3, "Om läget", "Vi pratade om rekryteringen.")
    db.session.commit()
    assert [h.entry.object_id for h in fulltext.search(ANON, "rekrytering").hits] == [2, 1, 3]
