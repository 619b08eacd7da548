"""Reading the index: parse a query, count, rank a bounded candidate set, build the page.

Cost does not grow with the number of matches:
- one newest-first read (``_newest``) returns the ids and kinds of at most COUNT_CAP + 1 visible
  matches: the counts per kind (the facets; a common word shows "Fler än 1 000" instead of
  counting 450,000 rows), the ranking candidates and the later pages all come from it;
- ranking is two-phase: the CANDIDATES newest visible matches plus the TITLE_CANDIDATES newest
  whose title holds every query word are ranked in full; further pages continue in newest-first
  order after them. When a query has at most CANDIDATES matches, every match is ranked.

Newest first without reading every match: SQLite's FTS5 walks its doclists in descending rowid
order and stops at the LIMIT. PostgreSQL's GIN index has no order; ``blocks.py`` reads the
matches of the newest blocks of ids first and stops when enough are found.

Round trips (PostgreSQL): ``_read`` folds the newest read, the title candidates and the ranking
figures of every candidate into one statement, and ``_hits`` reads the page's rows with their
group names in one more; with the newest id that is three statements for a page of results.
SQLite runs in-process, where a statement costs no round trip, and reads them one by one.

Spelling: when a query finds nothing, a word of at least TYPO_MIN letters without a visible
match of its own also matches the known words one edit away ("samvrkan" → "samverkan"); when
it still finds nothing, ``suggest`` offers "Menade du …?" built only from words that the reader
can see in at least one entry (each candidate is checked with the access filter before it is
shown), so a suggestion never reveals a word found only in closed content.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    Select,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import defer

from network.db import dialect_name
from network.extensions import db
from network.fulltext import FTS_TABLE, SearchEntry, SearchTerm, blocks
from network.fulltext.blocks import Newest
from network.fulltext.snippets import SCAN_CHARS, Marks, highlight_text, snippet
from network.fulltext.words import (
    QueryWord,
    compound_parts,
    edits1,
    fold,
    is_stop_word,
    query_word,
    stem_token,
    words_of,
)
from network.permissions import visible_filter

MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 12
# 1,000 rather than 10,000: the capped scan is most of a common word's cost (each visible match
# is one row lookup for the access filter), and nobody pages past 50 pages of 20.
COUNT_CAP = 1_000
CANDIDATES = 200
TITLE_CANDIDATES = 100
TYPO_MIN = 6
MAX_SUGGESTION_CHECKS = 24
UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# bm25 column weights (title, body, parts) and ts_rank's {D, C, B, A} (parts, -, body, title).
BM25 = "bm25(fts_search, 10.0, 2.0, 0.5)"
PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


@dataclass
class ParsedQuery:
    words: list[QueryWord]
    only_stop_words: bool = False
    truncated: bool = False


def parse(query: str | None) -> ParsedQuery:
    """Content words of a query (no stop words, no control characters, at most 12 words)."""
    cleaned = UNSAFE.sub(" ", query or "")[:MAX_QUERY_CHARS]
    raw = words_of(cleaned)
    seen: dict[str, QueryWord] = {}
    for word in raw:
        if not is_stop_word(word):
            seen.setdefault(fold(word), query_word(word))
    words = list(seen.values())
    return ParsedQuery(words[:MAX_QUERY_WORDS], only_stop_words=bool(raw) and not words,
                       truncated=len(words) > MAX_QUERY_WORDS or len(query or "") > MAX_QUERY_CHARS)


def query_words(query: str) -> list[str]:
    return [w.form for w in parse(query).words]


Alternatives = list[tuple[str, ...]]  # per query word, the tokens any of which it matches


def _fts(alts: Alternatives) -> str:
    # Tokens are letters and digits only (words.WORD), so quoting them is all the escaping needed.
    return " AND ".join("(" + " OR ".join(f'"{t}"' for t in tokens) + ")" for tokens in alts)


def _pg(alts: Alternatives) -> str:
    return " & ".join("(" + " | ".join(f"'{t}'" for t in tokens) + ")" for tokens in alts)


def _matched(alts: Alternatives, title_only: bool = False) -> Select:
    """SELECT … FROM search_entries WHERE it matches (columns chosen by the caller).

    ``title_only``: every query word is in the title (a subset of the matches; PostgreSQL reads
    the small ``title_tsv`` for it, never the whole entry's vector). PostgreSQL's newest-first
    reads by blocks of ids are written in ``blocks.windows_sql``.
    """
    if dialect_name() == "sqlite":
        expr = f"{{title_terms}} : ({_fts(alts)})" if title_only else _fts(alts)
        return (select(SearchEntry.id).join(FTS_TABLE, FTS_TABLE.c.rowid == SearchEntry.id)
                .where(literal_column("fts_search").op("MATCH")(expr)))
    tsv = literal_column("search_entries.title_tsv" if title_only else "search_entries.search_tsv")
    return select(SearchEntry.id).where(tsv.op("@@")(func.to_tsquery("simple", _pg(alts))))


def _pg_relevance(alts: Alternatives):
    return func.ts_rank(literal_column(f"'{PG_WEIGHTS}'::float4[]"),
                        literal_column("search_entries.search_tsv"), func.to_tsquery("simple", _pg(alts)))


def _newest_first():
    return FTS_TABLE.c.rowid.desc() if dialect_name() == "sqlite" else SearchEntry.id.desc()


@dataclass
class Filters:
    user: Any
    kinds: list[str] | None = None
    group_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    theme: str | list[str] | None = None  # one code, or several meaning the same theme
    municipality: str | None = None
    newest_id: int | None = field(default=None, compare=False)  # read once per search

    def newest(self) -> int | None:
        if self.newest_id is None:
            self.newest_id = blocks.newest_id()
        return self.newest_id

    def conditions(self, kind: str | None = None, entry: Any = SearchEntry) -> list:
        """WHERE conditions on ``entry`` (the model, or an alias of a subquery of its columns)."""
        conditions = [visible_filter(self.user, entry.visibility, entry.group_id)]
        if self.kinds:
            conditions.append(entry.kind.in_(list(self.kinds)))
        if kind:
            conditions.append(entry.kind == kind)
        if self.group_id is not None:
            conditions.append(entry.group_id == self.group_id)
        if self.since is not None:
            conditions.append(entry.created_at >= self.since)
        if self.until is not None:
            conditions.append(entry.created_at < self.until)
        if self.theme:
            codes = [self.theme] if isinstance(self.theme, str) else self.theme
            conditions.append(or_(*(entry.themes.contains(f",{c},", autoescape=True) for c in codes)))
        if self.municipality:
            conditions.append(entry.places.contains(f",{self.municipality},", autoescape=True))
        return conditions


def _newest(alts: Alternatives, filters: Filters, kind: str | None = None, *,
            title_only: bool = False, limit: int = COUNT_CAP + 1) -> Newest:
    """The ``limit`` newest visible matches (PostgreSQL: by blocks of ids, see ``blocks.py``)."""
    if dialect_name() == "sqlite":
        stmt = (_matched(alts, title_only).where(*filters.conditions(kind))
                .with_only_columns(SearchEntry.id, SearchEntry.kind))
        return [tuple(r) for r in db.session.execute(stmt.order_by(_newest_first()).limit(limit))]

    return blocks.newest(_pg(alts), alts, _compiled(filters, kind), filters.newest(),
                         title_only=title_only, limit=limit)


# The columns of a window's matches, as ``blocks.windows_sql`` names them.
_MATCHES = table("m", *(column(name) for name in blocks.FILTERED))


def _compiled(filters: Filters, kind: str | None = None) -> tuple[str, dict[str, Any]]:
    """The reader's filters over a window's matches ``m``, as PostgreSQL SQL and parameters."""
    compiled = and_(*filters.conditions(kind, _MATCHES.c)).compile(
        dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


def _counts(alts: Alternatives, filters: Filters, kind: str | None = None) -> tuple[dict[str, int], bool]:
    """Visible matches per kind, counted up to COUNT_CAP + 1 rows."""
    counts, _rows, capped = _count_newest(alts, filters, kind)
    return counts, capped


def _count_newest(alts: Alternatives, filters: Filters,
                  kind: str | None = None) -> tuple[dict[str, int], Newest, bool]:
    """(visible matches per kind, the matches newest first, more than COUNT_CAP?) in one read."""
    rows = _newest(alts, filters, kind)
    return _tally(rows) + (len(rows) > COUNT_CAP,)


def _tally(rows: Newest) -> tuple[dict[str, int], Newest]:
    counts: dict[str, int] = {}
    for _id, row_kind in rows:
        counts[row_kind] = counts.get(row_kind, 0) + 1
    return counts, rows


Features = dict[int, Any]  # id → (id, title, boost, created_at, relevance) of a ranking candidate


def _read(alts: Alternatives, filters: Filters) -> tuple[dict[str, int], Newest, bool, Features | None]:
    """``_count_newest`` plus, on PostgreSQL, what ranking needs of the candidates, in ONE
    statement: the newest visible matches (a CTE), the newest whose title holds every word
    (only when there are more than CANDIDATES matches), and for the CANDIDATES newest and those
    the title, boost, date and ts_rank. SQLite runs in-process, where a statement costs no
    round trip: it reads them one after another (features ``None``)."""
    if dialect_name() == "sqlite" or filters.newest() is None:
        return (*_count_newest(alts, filters), None)
    condition, params = _compiled(filters)
    newest, newest_params = blocks.windows_sql(
        "n", _pg(alts), alts, filters.newest(), title_only=False, limit=COUNT_CAP + 1,
        condition=condition)
    titled, titled_params = blocks.windows_sql(
        "t", _pg(alts), alts, filters.newest(), title_only=True, limit=TITLE_CANDIDATES,
        condition=condition, gate=f"(SELECT count(*) FROM n) > {CANDIDATES}")  # noqa: S608
    rank = f"ts_rank('{PG_WEIGHTS}'::float4[], e.search_tsv, to_tsquery('simple', %(words)s))"
    rows = db.session.connection().exec_driver_sql(
        f"WITH {newest},\n{titled},\n"  # noqa: S608 - names and numbers; values are parameters
        f"candidates AS (SELECT id FROM (SELECT id FROM n ORDER BY id DESC LIMIT {CANDIDATES}) AS f "
        "UNION SELECT id FROM t)\n"
        # The newest matches as two arrays in one row: a row per match cost the client more
        # than PostgreSQL spent finding them.
        "SELECT NULL::int, NULL, NULL, NULL, NULL, NULL, array_agg(id ORDER BY id DESC), "
        "array_agg(kind ORDER BY id DESC) FROM n UNION ALL "
        f"SELECT e.id, e.kind, e.title, e.boost, e.created_at, {rank}, NULL, NULL "
        "FROM search_entries e WHERE e.id IN (SELECT id FROM candidates)",
        {**params, **newest_params, **titled_params}).all()
    ids, kinds = next((r[6], r[7]) for r in rows if r[0] is None)
    newest_rows = list(zip(ids or (), kinds or (), strict=True))
    ranked = {r[0]: (r[0], r[2], r[3], r[4], r[5]) for r in rows if r[0] is not None}
    counts, _ = _tally(newest_rows)
    return counts, newest_rows, len(newest_rows) > COUNT_CAP, ranked


def _visible_each(alts: Alternatives, filters: Filters) -> list[bool]:
    """For each alternative on its own: does the reader see at least one match?"""
    if dialect_name() == "postgresql":
        # The newest visible match, read as the search reads (by id-block windows, GIN first).
        # A plain EXISTS is planned for an early hit: when the reader sees none of a rare word's
        # matches, PostgreSQL walks the whole table (1.7 s at a million entries).
        condition = _compiled(filters)
        return [bool(blocks.newest(_pg([a]), [a], condition, filters.newest(), title_only=False,
                                   limit=1)) for a in alts]
    checks = [exists(_matched([a]).where(*filters.conditions())) for a in alts]
    return list(db.session.execute(select(*checks)).one()) if checks else []


def _neighbours(forms: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Known word forms one edit away from each form: {form: [(term, display)]}."""
    edits = {form: edits1(form) for form in forms}
    wanted = sorted(set().union(*edits.values())) if edits else []
    found: list[tuple[str, str]] = []
    for start in range(0, len(wanted), 5000):
        found += db.session.execute(select(SearchTerm.term, SearchTerm.display)
                                    .where(SearchTerm.term.in_(wanted[start:start + 5000]))).all()
    found.sort()
    return {form: [(t, d) for t, d in found if t in edits[form]] for form in forms}


def _expand_typos(words: list[QueryWord], filters: Filters) -> Alternatives | None:
    long_words = [w for w in words if len(w.form) >= TYPO_MIN]
    if not long_words:
        return None
    visible = dict(zip([w.form for w in long_words],
                       _visible_each([w.tokens for w in long_words], filters), strict=True))
    missing = [form for form, seen in visible.items() if not seen]
    if not missing:
        return None
    near = _neighbours(missing)
    alts, changed = [], False
    for word in words:
        tokens = dict.fromkeys(word.tokens)
        for term, display in near.get(word.form, []) if word.form in missing else []:
            tokens.update(dict.fromkeys((term, stem_token(display))))
            changed = True
        alts.append(tuple(tokens))
    return alts if changed else None


def suggest(words: list[QueryWord], filters: Filters) -> str | None:
    """ "Menade du …?": each word without a visible match replaced by a visible neighbour."""
    visible = _visible_each([w.tokens for w in words], filters)
    missing = [w.form for w, seen in zip(words, visible, strict=True) if not seen and len(w.form) >= 3]
    if not missing:
        return None
    near = _neighbours(missing)
    candidates = [(form, term, display) for form in missing for term, display in near[form]]
    candidates = candidates[:MAX_SUGGESTION_CHECKS]
    if not candidates:
        return None
    seen = _visible_each([query_word(display).tokens for _f, _t, display in candidates], filters)
    choice: dict[str, str] = {}
    for (form, _term, display), ok in zip(candidates, seen, strict=True):
        if ok:
            choice.setdefault(form, display)
    if set(choice) != set(missing):
        return None
    replaced = [choice.get(w.form, w.text) for w in words]
    counts, _ = _counts([query_word(w).tokens for w in replaced], filters)
    return " ".join(replaced) if counts else None


@dataclass
class Hit:
    entry: SearchEntry
    title: Markup
    snippet: Markup
    rank: float
    group_name: str | None = None
    places: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    capped: bool = False
    kind_counts: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None
    corrected: bool = False
    only_stop_words: bool = False
    truncated: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, COUNT_CAP) // self.per_page))


def _title_score(title: str, words: list[QueryWord]) -> int:
    """3 per query word found exactly in the title, 2 by its stem, 1 as part of a compound."""
    title_words = words_of(title)
    forms = {fold(w) for w in title_words}
    stems = {stem_token(w) for w in title_words}
    parts = {p for s in stems for p in compound_parts(s)}
    return sum(3 if w.form in forms else 2 if w.stem in stems else 1 if w.stem in parts else 0
               for w in words)


def _features(ids: list[int], alts: Alternatives) -> list[tuple]:
    """(id, title, boost, created_at, relevance) of each candidate."""
    columns = (SearchEntry.id, SearchEntry.title, SearchEntry.boost, SearchEntry.created_at)
    if dialect_name() == "sqlite":
        # The ids' range as a rowid bound too: FTS5 then walks the words' matches only between
        # the candidates (the IN list alone is checked after reading every match of a common
        # word: 98 ms for "samverkan" at a million entries, 20 ms bounded).
        stmt = (_matched(alts).with_only_columns(*columns, literal_column(f"-{BM25}"))
                .where(FTS_TABLE.c.rowid.between(min(ids), max(ids))))
    else:
        stmt = select(*columns, _pg_relevance(alts))
    return [tuple(row) for row in db.session.execute(stmt.where(SearchEntry.id.in_(ids)))]


def _ranked(ids: list[int], alts: Alternatives, words: list[QueryWord],
            features: Features | None = None) -> list[int]:
    """Candidates best first: title score, then relevance (boosted), then newest.

    ``features``: what ``_read`` already fetched; read here only when a candidate is missing.
    """
    if not ids:
        return []
    if features is not None and all(i in features for i in ids):
        rows = [features[i] for i in ids]
    else:
        rows = _features(ids, alts)
    top = max((float(r[4] or 0) for r in rows), default=0) or 1.0
    scores: dict[str, int] = {}

    def key(row):
        row_id, title, boost, created_at, relevance = row
        if title not in scores:
            scores[title] = _title_score(title, words)
        relevance = float(relevance or 0) / top * (1.1 if boost else 1.0)
        return (-scores[title], -round(relevance, 1), -created_at.timestamp(), -row_id)

    return [row[0] for row in sorted(rows, key=key)]


def _page_ids(alts: Alternatives, words: list[QueryWord], filters: Filters, kind: str | None,
              newest_ids: list[int], offset: int, limit: int,
              features: Features | None = None) -> list[int]:
    """One page: the ranked candidates first, then the other matches newest first.

    ``newest_ids``: the visible matches (of the chosen kind), newest first, up to COUNT_CAP + 1.
    """
    candidate_ids = newest_ids[:CANDIDATES]
    if len(newest_ids) > CANDIDATES:
        if features is not None:  # _read fetched the title candidates with the rest
            titled = [row_id for row_id in sorted(features, reverse=True) if row_id not in candidate_ids]
        else:
            titled = [row_id for row_id, _kind in
                      _newest(alts, filters, kind, title_only=True, limit=TITLE_CANDIDATES)]
        candidate_ids = list(dict.fromkeys(candidate_ids + titled))
    ranked = _ranked(candidate_ids, alts, words, features)
    chosen = set(candidate_ids)
    rest = [row_id for row_id in newest_ids[CANDIDATES:] if row_id not in chosen]
    return (ranked + rest)[offset:offset + limit]


def _hits(ids: list[int], words: list[QueryWord], user: Any, offset: int) -> list[Hit]:
    """The page's entries with their group's name (when visible) in one query, then highlighted
    in Python: only these rows' text is read, never more than SCAN_CHARS * 2 of a body."""
    from network.fulltext import places

    if not ids:
        return []
    rows = db.session.execute(
        select(SearchEntry, func.substr(SearchEntry.body, 1, SCAN_CHARS * 2),
               places().visible_group_name(user, SearchEntry.group_id))
        .options(defer(SearchEntry.body), defer(SearchEntry.title_terms),
                 defer(SearchEntry.body_terms), defer(SearchEntry.part_terms))
        .where(SearchEntry.id.in_(ids))).all()
    by_id = {entry.id: (entry, body, group) for entry, body, group in rows}
    codes = {c for e, _b, _g in rows for c in e.places.split(",") if c}
    names = places().municipality_names(codes) if codes else {}
    marks = Marks(words)
    hits = []
    for position, entry_id in enumerate(ids):
        if entry_id not in by_id:
            continue
        entry, body, group = by_id[entry_id]
        entry_places = [(c, names[c]) for c in entry.places.split(",") if c in names][:3]
        hits.append(Hit(entry, highlight_text(entry.title, marks), snippet(body or "", marks),
                        float(offset + position), group if entry.group_id else None, entry_places))
    return hits


def search(user: Any, query: str, *, kinds: list[str] | tuple[str, ...] | None = None,
           kind: str | None = None, group_id: int | None = None, since: dt.datetime | None = None,
           until: dt.datetime | None = None, theme: str | list[str] | None = None,
           municipality: str | None = None, page: int = 1, per_page: int = 20) -> Results:
    """Ranked, access-filtered results with highlighted title and snippet.

    ``kinds`` limits everything (forum search: topics and posts); ``kind`` is the chosen facet:
    it limits the hits while ``kind_counts`` still counts every kind.
    """
    parsed = parse(query)
    page = max(1, page)
    empty = Results([], 0, page, per_page, only_stop_words=parsed.only_stop_words,
                    truncated=parsed.truncated)
    if not parsed.words:
        return empty
    filters = Filters(user, list(kinds) if kinds else None, group_id, since, until, theme, municipality)
    alts: Alternatives = [w.tokens for w in parsed.words]
    counts, newest, capped, features = _read(alts, filters)
    corrected = False
    if not counts:
        expanded = _expand_typos(parsed.words, filters)
        if expanded is not None:
            counts, newest, capped, features = _read(expanded, filters)
            alts, corrected = expanded, bool(counts)
    if not counts:
        empty.suggestion = suggest(parsed.words, filters)
        return empty
    total = counts.get(kind, 0) if kind else sum(counts.values())
    kind_capped = capped
    if kind and capped:  # the chosen kind's own newest matches, counted up to the cap too
        chosen_counts, newest, kind_capped = _count_newest(alts, filters, kind)
        total = sum(chosen_counts.values())
    newest_ids = [row_id for row_id, row_kind in newest if not kind or row_kind == kind]
    offset = (page - 1) * per_page
    ids = _page_ids(alts, parsed.words, filters, kind, newest_ids, offset, per_page,
                    None if kind else features) if total and offset < COUNT_CAP else []
    shown = min(total, COUNT_CAP + 1) if kind_capped else total
    return Results(_hits(ids, parsed.words, user, offset), shown, page, per_page, kind_capped, counts,
                   None, corrected, False, parsed.truncated)


def matching_object_ids(user: Any, query: str, kind: str):
    """A subquery of (object_id, rank) for one kind, access-filtered, to join into a listing."""
    words = parse(query).words
    if not words:
        return None
    alts = [w.tokens for w in words]
    rank = literal_column(BM25) if dialect_name() == "sqlite" else -_pg_relevance(alts)
    return (_matched(alts).where(*Filters(user, [kind]).conditions())
            .with_only_columns(SearchEntry.object_id.label("object_id"), rank.label("rank")).subquery())


def kind_counts(user: Any, query: str, *, group_id: int | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Facets: visible matches per kind (capped, see COUNT_CAP), with the access filter."""
    words = parse(query).words
    if not words:
        return {}
    return _counts([w.tokens for w in words], Filters(user, None, group_id, since, until))[0]
