"""The shared full-text index: matching, Swedish word forms, ranking and the access filter."""

import datetime as dt

import pytest
from flask_login import AnonymousUserMixin

from network import fulltext
from network.accounts.models import GroupVisibility

ANON = AnonymousUserMixin()


def put(kind, oid, title, body, visibility="public", group_id=None, created_at=None):
    return fulltext.index_entry(kind, oid, title=title, body=body, url=f"/x/{oid}",
                                visibility=visibility, group_id=group_id, created_at=created_at)


def test_definite_form_finds_the_base_word_and_back(db):
    put("t", 1, "Om grovt våld", "Det grova våldet i centrum har minskat.")
    put("t", 2, "Trygghet", "Inget om det här ämnet.")
    assert [h.entry.object_id for h in fulltext.search(ANON, "våld").hits] == [1]
    assert [h.entry.object_id for h in fulltext.search(ANON, "våldet").hits] == [1]


def test_a_word_finds_the_compounds_it_begins(db):
    put("t", 1, "Samverkansgruppen", "Möte i centrum")
    put("t", 2, "Samverkan", "Med polisen")
    put("t", 3, "Trygghet", "Inget om det")
    assert sorted(h.entry.object_id for h in fulltext.search(ANON, "samverkan").hits) == [1, 2]


def test_a_page_past_the_last_still_tells_the_total(db):
    for i in range(3):
        put("t", i, f"Lägesbild {i}", "text")
    beyond = fulltext.search(ANON, "lägesbild", page=2, per_page=2)
    assert beyond.total == 3 and len(beyond.hits) == 1
    past = fulltext.search(ANON, "lägesbild", page=5, per_page=2)
    assert past.total == 3 and past.hits == []


def test_pages_are_disjoint_and_in_rank_order(db):
    for i in range(7):
        put("t", i, "Klotter" if i % 3 == 0 else "Annat", f"klotter nummer {i}")
    pages = [fulltext.search(ANON, "klotter", page=p, per_page=3) for p in (1, 2, 3)]
    ids = [h.entry.object_id for r in pages for h in r.hits]
    assert sorted(ids) == list(range(7)) and all(r.total == 7 for r in pages)
    ranks = [h.rank for r in pages for h in r.hits]
    assert ranks == sorted(ranks)
    assert set(ids[:3]) == {0, 3, 6}  # the title matches come first


def test_pages_stay_complete_past_the_fully_ranked_matches(db, monkeypatch):
    # Only the newest CANDIDATES (and TITLE_CANDIDATES title matches) are ranked in full.
    monkeypatch.setattr(fulltext.query, "CANDIDATES", 4)
    monkeypatch.setattr(fulltext.query, "TITLE_CANDIDATES", 2)
    for i in range(9):
        put("t", i, "Nattvandring" if i in (2, 7) else "Annat", f"nattvandring nummer {i}")
    pages = [fulltext.search(ANON, "nattvandring", page=p, per_page=2) for p in range(1, 7)]
    ids = [h.entry.object_id for r in pages for h in r.hits]
    assert sorted(ids) == list(range(9)) and {r.total for r in pages} == {9}
    assert set(ids[:2]) == {2, 7} and pages[-1].hits == []


def test_title_matches_rank_above_body_matches(db):
    put("t", 1, "Föräldraskapsstöd", "Om nyrekrytering i korthet.")
    put("t", 2, "Nyrekrytering till kriminella nätverk", "Hur kommunen arbetar.")
    assert [h.entry.object_id for h in fulltext.search(ANON, "nyrekrytering").hits] == [2, 1]


def test_snippets_escape_content_and_mark_hits(db):
    put("t", 1, "Rubrik", "<script>alert(1)</script> samverkan med polisen")
    hit = fulltext.search(ANON, "samverkan").hits[0]
    assert "<script" not in hit.snippet
    assert "<mark>samverkan</mark>" in hit.snippet


def test_highlight_escapes_everything_but_its_own_markers():
    fragment = f"<img src=x onerror=alert(1)> {fulltext.HL_START}våld{fulltext.HL_END}"
    assert fulltext.highlight(fragment) == "&lt;img src=x onerror=alert(1)&gt; <mark>våld</mark>"


def test_query_syntax_in_user_input_is_harmless(db):
    put("t", 1, "Rubrik", "text om polisen")
    for query in ['"', "AND OR NOT", "polis* OR", "'&|!:*()", "NEAR(a b)", "title:x"]:
        fulltext.search(ANON, query)  # must not raise


def test_access_filter_is_inside_the_query_so_counts_are_right(db, make):
    member, outsider = make.user(), make.user()
    closed = make.group(visibility=GroupVisibility.CLOSED, members=[member])
    for i in range(30):
        put("t", i, f"Lägesbild {i}", "hemlig lägesbild", visibility="group", group_id=closed.id)
    put("t", 100, "Lägesbild öppen", "öppen lägesbild", visibility="members")
    put("t", 101, "Lägesbild publik", "publik lägesbild", visibility="public")
    assert fulltext.search(member, "lägesbild").total == 32
    assert fulltext.search(outsider, "lägesbild").total == 2
    anon = fulltext.search(ANON, "lägesbild")
    assert anon.total == 1 and [h.entry.object_id for h in anon.hits] == [101]


def test_filters_by_kind_group_and_date(db, make):
    group = make.group()
    old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    put("post", 1, "Samverkan", "a", group_id=group.id, created_at=old)
    put("post", 2, "Samverkan", "b")
    put("resource", 3, "Samverkan", "c")
    assert fulltext.search(ANON, "samverkan", kinds=["post"]).total == 2
    assert fulltext.search(ANON, "samverkan", group_id=group.id).total == 1
    since = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert fulltext.search(ANON, "samverkan", since=since).total == 2


def test_reindex_replaces_and_remove_deletes(db):
    put("t", 1, "Första", "gammal text")
    put("t", 1, "Andra", "ny text")
    assert fulltext.search(ANON, "gammal").total == 0
    assert fulltext.search(ANON, "ny").total == 1
    fulltext.remove_entry("t", 1)
    assert fulltext.search(ANON, "ny").total == 0


@pytest.mark.parametrize("word,stem", [("våldet", "våld"), ("nätverken", "nätverk"),
                                       ("ungdomarna", "ungdom")])
def test_swedish_normalisation(word, stem):
    assert fulltext.normalise_word(word) == stem


def test_answers_and_reports_rank_slightly_ahead_of_equal_chatter(db):
    old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    new = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    fulltext.index_entry("forum_topic", 1, title="Klotter", body="klotter", url="/1", visibility="public",
                         group_id=None, created_at=old, boost=True)
    fulltext.index_entry("forum_topic", 2, title="Klotter", body="klotter", url="/2", visibility="public",
                         group_id=None, created_at=new)
    fulltext.index_entry("forum_topic", 3, title="Klotter", body="klotter", url="/3", visibility="public",
                         group_id=None, created_at=old)
    assert [h.entry.object_id for h in fulltext.search(ANON, "klotter").hits] == [1, 2, 3]



def put_at(entry_id, title, body="", visibility="public"):
    """An entry with a chosen id, so a test can place matches in far-apart id blocks."""
    from sqlalchemy import insert

    from network.extensions import db
    from network.fulltext.words import entry_tokens

    tokens = entry_tokens(title, body)
    db.session.execute(insert(fulltext.SearchEntry).values(
        id=entry_id, kind="t", object_id=entry_id, title=title, body=body, url=f"/x/{entry_id}",
        visibility=visibility, group_id=None, title_terms=tokens.title, body_terms=tokens.body,
        part_terms=tokens.parts, created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        + dt.timedelta(minutes=entry_id)))


# Ids in the newest block, the next few, far back (past the widest block read) and the first.
FAR_APART = [2_000_000, 1_998_000, 1_990_000, 1_900_000, 600_000, 9_000, 1]


def test_matches_in_far_apart_id_blocks_are_all_found_and_counted(db):
    for entry_id in FAR_APART:
        put_at(entry_id, "Trygghetsvandring", "Vi gick i centrum.")
        put_at(entry_id + 1, "Annat", "Inget om det.")
    put_at(3, "Trygghetsvandring", "stängd", visibility="members")
    results = fulltext.search(ANON, "trygghetsvandring", per_page=20)
    assert results.total == len(FAR_APART) and not results.capped
    assert [h.entry.id for h in results.hits] == FAR_APART  # equal rank: newest first
    assert fulltext.kind_counts(ANON, "trygghetsvandring") == {"t": len(FAR_APART)}


def test_the_count_cap_holds_across_id_blocks(db, monkeypatch):
    monkeypatch.setattr(fulltext.query, "COUNT_CAP", 4)
    for entry_id in FAR_APART:
        put_at(entry_id, "Klotter", "klotter")
    results = fulltext.search(ANON, "klotter", per_page=3)
    assert results.capped and results.total == 5
    assert [h.entry.id for h in results.hits] == FAR_APART[:3]


def test_each_entry_carries_the_lexeme_of_its_id_block(db):
    """PostgreSQL: migration 0016 and ``blocks.BLOCK_ROWS`` agree on the block of an id."""
    from sqlalchemy import text

    from tests.conftest import backend

    if backend() != "postgres":
        pytest.skip("the block lexeme exists only in PostgreSQL's vectors")
    put_at(9_000, "Klotter", "i trapphuset")
    row = db.session.execute(text("SELECT search_tsv::text, title_tsv::text FROM search_entries "
                                  "WHERE id = 9000")).one()
    block = f"'~{9_000 // fulltext.blocks.BLOCK_ROWS}'"
    assert block in row[0].split() and block in row[1].split()


def test_a_common_word_reads_one_block_first_and_a_rarer_one_more():
    from network.fulltext.blocks import first_width

    # Half of the matches taken as visible: ~1,840 and ~920 per block of 4,096 ids.
    assert first_width(0.9, 1001) == 1 and first_width(0.45, 1001) == 2
    assert first_width(0.01, 1001) == 64  # ~20 per block: 1,001 need 49
    assert first_width(0.0, 1001) > fulltext.blocks.WIDEST_BLOCKS


def test_rare_words_are_read_at_once_and_common_ones_by_block():
    from network.fulltext.blocks import rest_is_cheaper

    # Two words rarely in a title (~150 matches in a million): no blocks.
    assert rest_is_cheaper(0.00015, 0.01, 1_000_000, width=16, wanted=100)
    # "samverkan" in 45 % of a million entries: the newest block.
    assert not rest_is_cheaper(0.45, 0.45, 1_000_000, width=1, wanted=1001)
    # No statistics yet (every word counted as common): blocks.
    assert not rest_is_cheaper(1.0, 2.0, 10_000, width=1, wanted=1001)


def test_a_search_page_reads_postgresql_in_three_statements(db, count_queries):
    """Newest id, then matches + counts + ranking candidates in one statement, then the page
    with its group names: the round trips, not the work, were most of a search's time."""
    from tests.conftest import backend

    if backend() != "postgres":
        pytest.skip("SQLite runs in-process: its statements cost no round trip")
    for entry_id in FAR_APART:
        put_at(entry_id, "Trygghetsvandring i centrum", "trygghetsvandring")
    with count_queries() as counter:
        results = fulltext.search(ANON, "trygghetsvandring")
    assert [h.entry.id for h in results.hits] == FAR_APART
    assert counter.count == 3, "\n".join(counter.statements)


def test_the_newest_matches_do_not_depend_on_how_postgresql_runs_the_windows(db, monkeypatch):
    """Parallel plans may deliver a UNION's parts in any order; the read orders explicitly."""
    from sqlalchemy import text

    from network.fulltext import blocks, query
    from tests.conftest import backend

    if backend() != "postgres":
        pytest.skip("the windows of id blocks exist only on PostgreSQL")
    for entry_id in FAR_APART:
        put_at(entry_id, "Klotter", "klotter")
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size",
                    "min_parallel_index_scan_size"):
        db.session.execute(text(f"SET LOCAL {setting} = 0"))
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 4"))
    monkeypatch.setattr(blocks, "first_width", lambda share, wanted: 1)  # many small windows
    filters = query.Filters(ANON)
    alts = [w.tokens for w in query.parse("klotter").words]
    newest = blocks.newest(query._pg(alts), alts, query._compiled(filters), max(FAR_APART),
                           title_only=False, limit=4)
    assert [row_id for row_id, _kind in newest] == FAR_APART[:4]


def test_windows_after_the_one_that_found_enough_are_never_read(db, make, monkeypatch):
    """A member's access condition is "public or members, or group and one of mine": the
    running count that stops the later windows must stay a term of its own, or PostgreSQL
    reads every window of a common word (seconds at national scale) to drop their rows."""
    import json

    from network.fulltext import blocks, query
    from tests.conftest import backend

    if backend() != "postgres":
        pytest.skip("the windows of id blocks exist only on PostgreSQL")
    member = make.user()
    make.group(members=[member])
    newest_block = [2_000_000 - n for n in range(4)]
    for entry_id in newest_block + FAR_APART[1:]:
        put_at(entry_id, "Klotter", "klotter")
    monkeypatch.setattr(blocks, "first_width", lambda share, wanted: 1)  # many small windows
    alts = [w.tokens for w in query.parse("klotter").words]
    condition = query._compiled(query.Filters(member))
    assert " OR " in condition[0]
    sql, params = blocks.windows_sql("n", query._pg(alts), alts, max(newest_block), title_only=False,
                                     limit=4, condition=condition[0])
    plan = db.session.connection().exec_driver_sql(
        f"EXPLAIN (ANALYZE, FORMAT JSON) WITH {sql} SELECT id FROM n", {**condition[1], **params}  # noqa: S608 (the windows are the SQL under test)
    ).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def reads(node):
        here = [node] if node.get("Relation Name") == "search_entries" else []
        return here + [n for child in node.get("Plans", []) for n in reads(child)]

    scans = reads(plan[0]["Plan"])
    assert len(scans) > 2  # several windows were planned...
    assert [n["Actual Loops"] for n in scans if n["Actual Loops"]] == [1]  # ...one was read
    rows = db.session.connection().exec_driver_sql(f"WITH {sql} SELECT id FROM n ORDER BY id DESC",  # noqa: S608
                                                   {**condition[1], **params})
    assert [r[0] for r in rows] == newest_block


def test_the_typo_check_reads_matches_through_the_index_first(db, make, count_queries):
    """"Does the reader see any match of this word?" for a word whose matches are all closed to
    them: a plain EXISTS let PostgreSQL walk the whole table looking for an early hit (1.7 s at a
    million entries). It reads the matches as the search does, the reader's filters after."""
    from tests.conftest import backend

    if backend() != "postgres":
        pytest.skip("SQLite's FTS5 reads the matches first whatever the query's form")
    closed = make.group(visibility=GroupVisibility.CLOSED)
    put_at(10, "Avhopparverksamhet", "stöd", visibility="group")
    db.session.execute(fulltext.SearchEntry.__table__.update().values(group_id=closed.id))
    put_at(11, "Kamerabevakning", "kameror")
    reader = make.user()
    with count_queries() as counter:
        assert fulltext.query._visible_each([["avhopparverksamhet"], ["kamerabevakning"]],
                                            fulltext.query.Filters(reader)) == [False, True]
    reads = [s for s in counter.statements if "search_tsv @@" in s]
    assert len(reads) == 2
    for statement in reads:
        assert "EXISTS" not in statement.upper() and "OFFSET 0) AS m" in statement, statement


def test_sqlite_reads_the_candidates_features_between_their_ids(db, count_queries):
    """FTS5 walks a common word's matches only between the candidates' ids (a rowid bound it
    can seek on), and still returns exactly the candidates."""
    from network.fulltext import query
    from tests.conftest import backend

    if backend() != "sqlite":
        pytest.skip("FTS5's rowid bound; PostgreSQL reads the candidates by id")
    for entry_id in FAR_APART:
        put_at(entry_id, "Klotter", "klotter i centrum")
    alts = [w.tokens for w in query.parse("klotter").words]
    wanted = FAR_APART[1:4]
    with count_queries() as counter:
        rows = query._features(wanted, alts)
    assert sorted(r[0] for r in rows) == sorted(wanted)
    assert "fts_search.rowid BETWEEN" in counter.statements[0], counter.statements[0]
