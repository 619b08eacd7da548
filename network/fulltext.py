"""One full-text index for all content, with the access filter inside the query.

Every feature that has searchable content calls ``index_entry``/``remove_entry`` from its
services; forum search, library search and the global search read through ``search`` or join
``matching`` into their own queries. Entries carry the content's *visibility* and *group*, so
``permissions.visible_filter`` runs in the same SQL statement as the match: counts, pages and
snippets never include what the reader may not see.

Backends:
- SQLite (embedded): an FTS5 table ``fts_search`` (rowid = ``search_entries.id``), ranked by bm25.
  It indexes ``search_entries`` without a copy of the text (external content); triggers on
  ``search_entries`` keep it in step, and prefix indexes (3-10 characters) make a word that
  begins many compounds one lookup rather than a merge over all of them.
- PostgreSQL (scaled): a stored generated ``search_tsv`` column with the ``swedish`` configuration
  and a GIN index, ranked by ts_rank_cd, snippets from ts_headline.

Swedish words: the snowball stemmer misses the definite forms ending in -et ("våldet"), so each
entry also stores ``stems`` (our normalised word forms) and a query word matches either as a
prefix of the original text or by its normalised form. The same rule applies on both backends.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
from markupsafe import Markup
from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    column,
    delete,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Mapped, mapped_column

from network.db import UTCDateTime, utcnow
from network.extensions import db
from network.permissions import visible_filter

WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12
# Private-use characters mark highlights inside the database's snippet; the text is escaped
# before they become <mark> tags, so stored content can never inject markup.
HL_START, HL_END = "\ue000", "\ue001"
SNIPPET_WORDS = 24


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "object_id"),
                      Index("ix_search_entries_visibility_group", "visibility", "group_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    stems: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    visibility: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # The content's own date (posted, published, event start), for date filters and sorting.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    indexed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The FTS5 table exists only on SQLite (created by the migrations, not by the models): an
# external-content index over search_entries that triggers keep in step (0008_search_speed).
FTS_TABLE = table("fts_search", column("rowid"))


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("swedish")


def normalise_word(word: str) -> str:
    """Snowball's Swedish stem, plus the definite -et ending it leaves ("våldet" → "våld")."""
    word = word.lower()
    stem = _stemmer().stemWord(word)
    if stem.endswith("et") and len(stem) >= 5 and stem[-3] not in "aeiouyåäö":
        stem = stem[:-2]
    return stem


def stems_of(*texts: str) -> str:
    return " ".join(normalise_word(w) for t in texts for w in WORD.findall(t or ""))


def query_words(query: str) -> list[str]:
    return [w.lower() for w in WORD.findall(query or "")][:MAX_QUERY_WORDS]


# -- writing -----------------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def index_entry(kind: str, object_id: int, *, title: str, body: str, url: str, visibility: str,
                group_id: int | None, created_at: dt.datetime | None = None) -> SearchEntry:
    """Add or replace the entry for one object. Call again whenever its text or access changes."""
    entry = db.session.scalar(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
    )
    if entry is None:
        entry = SearchEntry(kind=kind, object_id=object_id)
        db.session.add(entry)
    entry.title, entry.body, entry.url = title[:500], body, url
    entry.stems = stems_of(title, body)
    entry.visibility, entry.group_id = str(visibility), group_id
    entry.created_at = created_at or entry.created_at or utcnow()
    entry.indexed_at = utcnow()
    db.session.flush()  # SQLite: triggers on search_entries update fts_search in step
    return entry


def remove_entry(kind: str, object_id: int) -> None:
    ids = list(db.session.scalars(
        select(SearchEntry.id).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
    ))
    if not ids:
        return
    db.session.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))


def update_access(kind: str, object_ids: list[int], *, visibility: str,
                  group_id: int | None) -> None:
    """Change who may find already indexed objects (e.g. a category's visibility changed)."""
    if object_ids:
        db.session.execute(
            SearchEntry.__table__.update()
            .where(SearchEntry.kind == kind, SearchEntry.object_id.in_(object_ids))
            .values(visibility=str(visibility), group_id=group_id)
        )


# -- reading -----------------------------------------------------------------------------------


def _fts5_query(words: list[str]) -> str:
    parts = []
    for word in words:
        raw = word.replace('"', '""')
        stem = normalise_word(word).replace('"', '""')
        parts.append(f'({{title body}} : "{raw}" * OR stems : "{stem}")')
    return " AND ".join(parts)


def _pg_tsquery(words: list[str]):
    query = None
    for word in words:
        # Quote each word so that no character of the user's text is tsquery syntax.
        raw = "'" + word.replace("'", "''").replace("\\", "") + "':*"
        stem = "'" + normalise_word(word).replace("'", "''").replace("\\", "") + "'"
        term = func.to_tsquery("swedish", raw).op("||")(func.to_tsquery("simple", stem))
        query = term if query is None else query.op("&&")(term)
    return query


@dataclass
class Match:
    """A selectable of (entry id, rank) for the words, best first when ordered by rank."""

    stmt: Any
    rank: Any
    snippet: Any
    title_hl: Any


def _match(words: list[str]) -> Match:
    if _dialect() == "sqlite":
        fts_name = literal_column("fts_search")
        stmt = (
            select(SearchEntry)
            .join(FTS_TABLE, FTS_TABLE.c.rowid == SearchEntry.id)
            .where(fts_name.op("MATCH")(_fts5_query(words)))
        )
        rank = func.bm25(fts_name, 8.0, 1.0, 0.3)
        snippet = func.snippet(fts_name, 1, HL_START, HL_END, "…", SNIPPET_WORDS)
        title_hl = func.highlight(fts_name, 0, HL_START, HL_END)
        return Match(stmt, rank, snippet, title_hl)
    tsq = _pg_tsquery(words)
    tsv = literal_column("search_entries.search_tsv")
    stmt = select(SearchEntry).where(tsv.op("@@")(tsq))
    # ts_rank_cd is higher-is-better; negate so that ascending order is best first on both.
    rank = -func.ts_rank_cd(tsv, tsq)
    options = (f"StartSel={HL_START}, StopSel={HL_END}, MaxWords=30, MinWords=12, "
               "MaxFragments=2, FragmentDelimiter=\" … \"")
    snippet = func.ts_headline("swedish", SearchEntry.body, tsq, options)
    title_hl = func.ts_headline("swedish", SearchEntry.title, tsq, "HighlightAll=TRUE, "
                                f"StartSel={HL_START}, StopSel={HL_END}")
    return Match(stmt, rank, snippet, title_hl)


def highlight(fragment: str | None) -> Markup:
    """Escape a database snippet, then turn our private markers into <mark>."""
    escaped = html.escape(fragment or "", quote=False)
    marked = escaped.replace(HL_START, "<mark>").replace(HL_END, "</mark>")
    return Markup(marked)  # noqa: S704 - escaped above; only our own <mark> tags remain


@dataclass
class Hit:
    entry: SearchEntry
    title: Markup
    snippet: Markup
    rank: float


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filters(user: Any, kinds, group_id, since, until) -> list:
    conditions = [visible_filter(user, SearchEntry.visibility, SearchEntry.group_id)]
    if kinds:
        conditions.append(SearchEntry.kind.in_(list(kinds)))
    if group_id is not None:
        conditions.append(SearchEntry.group_id == group_id)
    if since is not None:
        conditions.append(SearchEntry.created_at >= since)
    if until is not None:
        conditions.append(SearchEntry.created_at < until)
    return conditions


# PostgreSQL's ts_rank_cd reads each match's whole tsvector, which for tens of thousands of
# matches is most of a query's time. It therefore ranks fully only the first RANK_CANDIDATES
# matches in a cheap order (how many query words the title contains, then newest first) and
# keeps that cheap order after them: pages stay disjoint and complete, the first ten are
# ranked in full. SQLite's bm25 is cheap enough to rank every match.
RANK_CANDIDATES = 200


def _page_sqlite(base, match: Match, offset: int, limit: int) -> tuple[list[tuple[int, float]], int]:
    """(id, rank) for one page and the total, in one statement (a window count)."""
    ranked = base.with_only_columns(SearchEntry.id.label("id"), match.rank.label("rank"),
                                    SearchEntry.created_at.label("created_at")).subquery()
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.rank, func.count().over().label("total"))
        .order_by(ranked.c.rank, ranked.c.created_at.desc(), ranked.c.id.desc())
        .limit(limit).offset(offset)
    ).all()
    return [(row.id, float(row.rank or 0)) for row in rows], rows[0].total if rows else 0


def _page_postgres(base, match: Match, words: list[str], offset: int,
                   limit: int) -> tuple[list[tuple[int, float]], int]:
    title = func.lower(SearchEntry.title)
    title_words = sum(cast(func.strpos(title, normalise_word(w)) > 0, Integer) for w in words)
    cheap = base.with_only_columns(SearchEntry.id.label("id"), title_words.label("title_words"),
                                   SearchEntry.created_at.label("created_at")).subquery()
    in_candidates = offset < RANK_CANDIDATES
    rows = db.session.execute(
        select(cheap.c.id, func.count().over().label("total"))
        .order_by(cheap.c.title_words.desc(), cheap.c.created_at.desc(), cheap.c.id.desc())
        .limit(max(RANK_CANDIDATES, offset + limit) if in_candidates else limit)
        .offset(0 if in_candidates else offset)
    ).all()
    total = rows[0].total if rows else 0
    if not in_candidates:
        return [(row.id, 0.0) for row in rows], total
    candidates = [row.id for row in rows[:RANK_CANDIDATES]]
    ranks = dict(db.session.execute(
        select(SearchEntry.id, match.rank).where(SearchEntry.id.in_(candidates))).all())
    position = {entry_id: n for n, entry_id in enumerate(candidates)}
    ordered = sorted(candidates, key=lambda i: (float(ranks.get(i) or 0), position[i]))
    ordered_ranks = [(i, float(ranks.get(i) or 0)) for i in ordered]
    ordered_ranks += [(row.id, 0.0) for row in rows[RANK_CANDIDATES:]]
    return ordered_ranks[offset:offset + limit], total


def search(user: Any, query: str, *, kinds: list[str] | tuple[str, ...] | None = None,
           group_id: int | None = None, since: dt.datetime | None = None,
           until: dt.datetime | None = None, page: int = 1, per_page: int = 20) -> Results:
    """Ranked, access-filtered results with highlighted title and snippet.

    The page's ids and the exact total come first (SQLite: one statement ranking every match
    with a window count; PostgreSQL: see RANK_CANDIDATES), then highlights are built for the
    page's rows only.
    """
    words = query_words(query)
    page = max(1, page)
    if not words:
        return Results([], 0, page, per_page)
    match = _match(words)
    base = match.stmt.where(*_filters(user, kinds, group_id, since, until))
    offset = (page - 1) * per_page
    if _dialect() == "sqlite":
        page_ranks, total = _page_sqlite(base, match, offset, per_page)
    else:
        page_ranks, total = _page_postgres(base, match, words, offset, per_page)
    if not page_ranks:
        # Past the last page (or nothing at all): the count alone, for "n träffar".
        total = 0 if page == 1 else db.session.scalar(
            select(func.count()).select_from(base.with_only_columns(SearchEntry.id).subquery()))
        return Results([], total or 0, page, per_page)
    ranks = dict(page_ranks)
    details = {
        row[0].id: row for row in db.session.execute(
            base.where(SearchEntry.id.in_(list(ranks)))
            .add_columns(match.title_hl.label("title_hl"), match.snippet.label("snippet"))
        )
    }
    hits = [Hit(entry=details[i][0], title=highlight(details[i].title_hl),
                snippet=highlight(details[i].snippet), rank=ranks[i])
            for i in ranks if i in details]
    return Results(hits, total, page, per_page)


def matching_object_ids(user: Any, query: str, kind: str):
    """A subquery of (object_id, rank) for one kind, access-filtered, to join into a listing."""
    words = query_words(query)
    if not words:
        return None
    match = _match(words)
    return (
        match.stmt.where(*_filters(user, [kind], None, None, None))
        .with_only_columns(SearchEntry.object_id.label("object_id"), match.rank.label("rank"))
        .subquery()
    )


def kind_counts(user: Any, query: str, *, group_id: int | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Facets: how many visible matches each kind has, with the same access filter as ``search``."""
    words = query_words(query)
    if not words:
        return {}
    match = _match(words)
    rows = db.session.execute(
        match.stmt.where(*_filters(user, None, group_id, since, until))
        .with_only_columns(SearchEntry.kind, func.count())
        .group_by(SearchEntry.kind)
    ).all()
    return {kind: count for kind, count in rows}
