"""One full-text index for all content, with the access filter inside the query.

Every feature that has searchable content calls ``index_entry``/``remove_entry`` from its
services; forum search, library search and the global search read through ``search`` or join
``matching_object_ids`` into their own queries. Entries carry the content's *visibility* and
*group*, so ``permissions.visible_filter`` runs in the same SQL statement as the match: counts,
pages, snippets and suggestions never include what the reader may not see.

One behaviour on both databases, by construction: the words of an entry are turned into tokens
in Python when it is written (``words.py``: folded forms, Swedish stems, parts of compounds) and
stored in three columns (title, body, compound parts). The databases only look tokens up:

- SQLite (embedded): an external-content FTS5 table ``fts_search`` over those columns
  (``unicode61``; the tokens are already folded), kept in step by triggers, ranked by bm25.
- PostgreSQL (scaled): a stored ``search_tsv`` column built with the ``simple`` configuration
  from the same columns (weights A, B, D) and a GIN index, ranked by ts_rank; a small
  ``title_tsv`` (title tokens only, GIN) finds "every word in the title" candidates without
  reading the whole vector.

A query word matches an entry when one of its tokens (its folded form or its stem) is among the
entry's tokens in any column, so the hit sets and exact counts are equal on both; only the
order of ties may differ. Reading is in ``query.py``, snippets in ``snippets.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import (
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    column,
    delete,
    select,
    table,
)
from sqlalchemy.orm import Mapped, mapped_column

from network.db import UTCDateTime, dialect_name, utcnow
from network.extensions import db
from network.fulltext.words import entry_tokens, normalise_word

__all__ = ["HL_END", "HL_START", "SearchEntry", "SearchTerm", "index_entry", "normalise_word",
           "remove_entry", "update_access"]

# Private-use characters mark highlights; the text is escaped before they become <mark> tags,
# so stored content can never inject markup.
HL_START, HL_END = "\ue000", "\ue001"
# Control characters (PostgreSQL refuses NUL) and lone surrogates (not encodable) never get stored.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "object_id"),
                      Index("ix_search_entries_visibility_group", "visibility", "group_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    visibility: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # The content's own date (posted, published, event start), for date filters and sorting.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    indexed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Matching tokens (words.entry_tokens), space-separated: what both databases index.
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    part_terms: Mapped[str] = mapped_column(Text, default="")
    # 1 for content that answers something (an answered question, a published report).
    boost: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Exact filters: ",code,code," so one LIKE finds a value among several.
    themes: Mapped[str] = mapped_column(String(300), default="")
    places: Mapped[str] = mapped_column(String(300), default="")


class SearchTerm(db.Model):
    """Every folded word form ever indexed, for spelling help (typos, "Menade du …?").

    It is never shown as is: a term is offered only after a query proves the reader can see
    content containing it (see ``query.suggest``).
    """

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    display: Mapped[str] = mapped_column(String(60))


# The FTS5 table exists only on SQLite (created by the migrations, not by the models).
FTS_TABLE = table("fts_search", column("rowid"))


class Places(Protocol):
    """What the index needs to know about groups and municipalities, given by accounts (the
    index sits below every feature): ``set_places(app, places)`` in accounts' init_app."""

    def municipality_of_group(self, group_id: int) -> str | None: ...

    def visible_group_names(self, user: Any, group_ids: set[int]) -> dict[int, str]: ...

    def visible_group_name(self, user: Any, group_id: Any) -> Any:
        """A scalar subquery: the name of the group ``group_id`` (a column) when the user may
        see that group, else NULL; lets a page of hits read its group names in its own query."""

    def municipality_names(self, codes: set[str]) -> dict[str, str]: ...


def set_places(app: Any, places: Places) -> None:
    app.extensions["fulltext_places"] = places


def places() -> Places:
    return current_app.extensions["fulltext_places"]


def _codes(values: Iterable[str] | None) -> str:
    values = [str(v) for v in (values or ()) if v]
    return ("," + ",".join(dict.fromkeys(values)) + ",")[:300] if values else ""


# The index is read by the search page alone: its writes renew the "search" cache scope only,
# not every cached page (network/cache.py).
SEARCH_ONLY = {"cache_scopes": ("search",)}


def remember_terms(vocabulary: dict[str, str]) -> None:
    """Add new word forms to ``search_terms`` (sorted, so concurrent writers lock in one order)."""
    if not vocabulary:
        return
    if dialect_name() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = [{"term": term, "display": vocabulary[term][:60]} for term in sorted(vocabulary)]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(SearchTerm).values(rows[start:start + 2000]).on_conflict_do_nothing(),
                           execution_options=SEARCH_ONLY)


def index_entry(kind: str, object_id: int, *, title: str, body: str, url: str, visibility: str,
                group_id: int | None, created_at: dt.datetime | None = None, boost: bool = False,
                themes: Iterable[str] | None = None,
                municipalities: Iterable[str] | None = None) -> SearchEntry:
    """Add or replace the entry for one object. Call again whenever its text or access changes.

    ``municipalities`` defaults to the group's municipality, so group content can be found by
    place too.
    """
    entry = db.session.scalar(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
    )
    if entry is None:
        entry = SearchEntry(kind=kind, object_id=object_id)
        db.session.add(entry)
    title, body = UNSTORABLE.sub(" ", title or "")[:500], UNSTORABLE.sub(" ", body or "")
    entry.title, entry.body, entry.url = title, body, url
    tokens = entry_tokens(entry.title, body)
    entry.title_terms, entry.body_terms, entry.part_terms = tokens.title, tokens.body, tokens.parts
    entry.visibility, entry.group_id = str(visibility), group_id
    entry.created_at = created_at or entry.created_at or utcnow()
    entry.indexed_at = utcnow()
    entry.boost = 1 if boost else 0
    entry.themes = _codes(themes)
    if municipalities is None and group_id is not None:
        municipalities = [places().municipality_of_group(group_id)]
    entry.places = _codes(municipalities)
    remember_terms(tokens.vocabulary)
    db.session.flush()  # SQLite: triggers on search_entries update fts_search in step
    return entry


def remove_entry(kind: str, object_id: int) -> None:
    ids = list(db.session.scalars(
        select(SearchEntry.id).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
    ))
    if not ids:
        return
    db.session.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)),
                       execution_options=SEARCH_ONLY)


def update_access(kind: str, object_ids: list[int], *, visibility: str,
                  group_id: int | None) -> None:
    """Change who may find already indexed objects (e.g. a category's visibility changed)."""
    if object_ids:
        db.session.execute(
            SearchEntry.__table__.update()
            .where(SearchEntry.kind == kind, SearchEntry.object_id.in_(object_ids))
            .values(visibility=str(visibility), group_id=group_id),
            execution_options=SEARCH_ONLY,
        )


def retokenise_all(batch: int = 2000) -> int:
    """Recompute every entry's tokens and the vocabulary (after the word rules changed)."""
    done, last = 0, 0
    while True:
        rows = db.session.execute(
            select(SearchEntry.id, SearchEntry.title, SearchEntry.body)
            .where(SearchEntry.id > last).order_by(SearchEntry.id).limit(batch)).all()
        if not rows:
            return done
        vocabulary: dict[str, str] = {}
        for row in rows:
            tokens = entry_tokens(row.title, row.body)
            db.session.execute(SearchEntry.__table__.update().where(SearchEntry.id == row.id).values(
                title_terms=tokens.title, body_terms=tokens.body, part_terms=tokens.parts))
            for term, display in tokens.vocabulary.items():
                vocabulary.setdefault(term, display)
        remember_terms(vocabulary)
        done, last = done + len(rows), rows[-1].id


# Reading: imported last, it needs the model above.
from network.fulltext.query import (  # noqa: E402
    CANDIDATES,
    COUNT_CAP,
    Hit,
    Results,
    kind_counts,
    matching_object_ids,
    query_words,
    search,
)
from network.fulltext.snippets import highlight  # noqa: E402

__all__ += ["CANDIDATES", "COUNT_CAP", "Hit", "Results", "highlight", "kind_counts",
            "matching_object_ids", "query_words", "search"]
