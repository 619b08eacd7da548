"""PostgreSQL: the newest visible matches without reading every match.

A GIN index has no order, so "the 1,001 newest matches of a common word" would fetch and sort
every match (450,000 rows at a million posts). Each entry's vectors therefore also hold the
lexeme of its *block*, ``~<id // BLOCK_ROWS>`` (migration 0019_pgsearch), and a read asks for
the words AND some blocks: the GIN index intersects them itself, so only the matches inside the
blocks are fetched from the table.

The blocks are read newest first, in windows that grow (``window_widths``), inside one
statement (``windows_sql``): each window is a CTE, explicitly ordered and limited, that runs
only while the windows before it found too few visible matches (a one-time filter on a running
count), and the union of the windows is ordered again. So the result never depends on the order
in which PostgreSQL runs the parts (a parallel plan may interleave them); the gates only save
work. Past WIDEST_BLOCKS blocks the rest is read without a block condition (by then the words
are rare, so their matches are few).

The first window is sized from PostgreSQL's own statistics of the vectors (``pg_stats``: the
share of entries holding each common lexeme, which ANALYZE keeps): a common word starts with
one block, a rarer one with as many as should hold the matches wanted, and rare words read
everything at once (``rest_is_cheaper``), because a window costs the index one item per id in
its blocks. Without statistics (a new database) the first window is one block.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from network.extensions import db

BLOCK_ROWS = 4096  # entry ids per block lexeme (migration 0019_pgsearch computes the same)
WIDEST_BLOCKS = 64
# The share of matches assumed visible to the reader when sizing the first window (members see
# most content; a guess too high only costs one more window).
VISIBLE_SHARE = 0.5
STATS_SECONDS = 600
HEAP_COST, BLOCK_ID_COST = 100, 7
# What Filters.conditions reads: the columns the subquery of matches passes on.
FILTERED = ("id", "kind", "visibility", "group_id", "created_at", "themes", "places")

Newest = list[tuple[int, str]]  # (id, kind) of visible matches, newest first
_stats: dict[tuple[str, str], tuple[float, dict[str, float], float]] = {}


def _lexeme_shares(column: str) -> tuple[dict[str, float], float]:
    """({lexeme: share of entries}, share assumed for a lexeme not listed), cached a while."""
    key = (str(db.engine.url), column)
    cached = _stats.get(key)
    if cached and time.monotonic() - cached[0] < STATS_SECONDS:
        return cached[1], cached[2]
    row = db.session.execute(text(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE tablename = 'search_entries' AND attname = :column"), {"column": column}).first()
    shares, rest = {}, 1.0  # no statistics: every word counts as common
    if row and row[0] and row[1]:
        shares = dict(zip(row[0], row[1], strict=False))
        # PostgreSQL lists the minimum share after the lexemes' own; an unlisted lexeme is rarer.
        rest = float(row[1][len(row[0])]) / 2
    _stats[key] = (time.monotonic(), shares, rest)
    return shares, rest


def query_shares(alternatives: Sequence[Sequence[str]], column: str) -> tuple[float, float]:
    """(expected share of entries matching every word, words taken as independent; the summed
    shares of all the query's lexemes, i.e. the postings the index reads without blocks)."""
    shares, rest = _lexeme_shares(column)
    share, postings = 1.0, 0.0
    for tokens in alternatives:
        word = sum(shares.get(token, rest) for token in tokens)
        share, postings = share * min(1.0, word), postings + word
    return share, postings


def rest_is_cheaper(share: float, postings: float, entries: int, width: int, wanted: int) -> bool:
    """Is reading all remaining matches (no blocks) cheaper than a window of ``width`` blocks?

    Without blocks the index reads every posting of the words and the table every match; a
    window makes the index read every id of its blocks too, and the table only the window's
    matches. Costs in postings read, measured at a million entries: a block id costs about
    BLOCK_ID_COST postings, a table row HEAP_COST.
    """
    ids = width * BLOCK_ROWS
    rest = postings * entries + HEAP_COST * share * entries
    window = (BLOCK_ID_COST + postings) * ids + HEAP_COST * min(wanted / VISIBLE_SHARE, share * ids)
    return rest <= window


def first_width(share: float, wanted: int) -> int:
    """Blocks in the first window: enough to hold ``wanted`` visible matches, a power of two."""
    expected_per_block = share * VISIBLE_SHARE * BLOCK_ROWS
    if expected_per_block <= 0:
        return WIDEST_BLOCKS + 1
    return 1 << max(0, math.ceil(math.log2(max(1.0, wanted / expected_per_block))))


def window_widths(top: int, share: float, postings: float, limit: int) -> list[int | None]:
    """Block widths of the windows, newest first; ``None`` is the rest (no block condition).

    The first window should hold ``limit`` visible matches; the next ones grow by a block, then
    double, so a first window that falls a little short is topped up by about one block of
    matches rather than by twice its size.
    """
    widths: list[int | None] = []
    width, step = first_width(share, limit), 1
    while top >= 0:
        if width > WIDEST_BLOCKS or width > top \
                or rest_is_cheaper(share, postings, (top + 1) * BLOCK_ROWS, width, limit):
            widths.append(None)
            break
        widths.append(width)
        top -= width
        width, step = step, step * 2
    return widths


def windows_sql(name: str, words: str, alternatives: Sequence[Sequence[str]], newest_id: int, *,
                title_only: bool, limit: int, condition: str,
                gate: str | None = None) -> tuple[str, dict[str, Any]]:
    """CTEs (SQL text, parameters) ending in ``name``: the ``limit`` newest visible matches.

    ``words``: the query's tsquery text (parameter ``words``); ``condition``: the reader's filters
    over the columns of a window's matches ``m`` (compiled once, the same parameters in every
    window); ``gate``: a condition every window needs (e.g. "the other read found enough").

    Each window is a CTE of at most ``limit`` visible matches of its own id range, explicitly
    ordered; a window runs only while the windows before it found fewer than ``limit`` (a
    one-time filter on a running count), and ``name`` orders their union again. The result is
    the newest matches whatever order or parallelism the executor chooses; the gates only save
    work. Written as text: built with SQLAlchemy's expression objects, the statement's
    construction and cache key cost more client time than PostgreSQL spends running it.
    """
    column = "title_tsv" if title_only else "search_tsv"
    share, postings = query_shares(alternatives, column)
    ctes, parts, params, top = [], [], {}, newest_id // BLOCK_ROWS
    for number, width in enumerate(window_widths(top, share, postings, limit)):
        window = f"{name}{number}"
        if width is None:
            match = f"{column} @@ to_tsquery('simple', %(words)s) AND id < %({window}_below)s"
            params[f"{window}_below"] = (top + 1) * BLOCK_ROWS
        else:
            # Block lexemes start with "~", which the text parser never yields, so they are
            # given as a tsquery literal (no parsing) and ANDed to the words.
            match = f"{column} @@ (to_tsquery('simple', %(words)s) && %({window}_blocks)s::tsquery)"
            params[f"{window}_blocks"] = " | ".join(f"'~{b}'" for b in range(top - width + 1, top + 1))
            top -= width
        # Each in parentheses: the reader's condition may be "a OR b AND c", and the running
        # count must stay a term of its own to be a one-time filter that skips the window.
        gates = [condition] + ([gate] if gate else [])
        if number:
            gates.append(f"(SELECT n FROM {name}{number - 1}_found) < {int(limit)}")  # noqa: S608
        # OFFSET 0 keeps the planner from pushing the reader's filters into the window (it would
        # AND the GIN result with a bitmap of every visible entry) or from walking the primary
        # key backwards testing every row's vector (it cannot know a block lexeme is an id range).
        ctes.append(f"{window} AS (SELECT m.id, m.kind FROM (SELECT {', '.join(FILTERED)} "  # noqa: S608
                    f"FROM search_entries WHERE {match} OFFSET 0) AS m "
                    f"WHERE {' AND '.join(f'({g})' for g in gates)} "
                    f"ORDER BY m.id DESC LIMIT {int(limit)})")
        before = f" + (SELECT n FROM {name}{number - 1}_found)" if number else ""  # noqa: S608
        ctes.append(f"{window}_found AS (SELECT (SELECT count(*) FROM {window}){before} AS n)")  # noqa: S608
        parts.append(f"SELECT id, kind FROM {window}")  # noqa: S608
    ctes.append(f"{name} AS (SELECT id, kind FROM ({' UNION ALL '.join(parts)}) AS {name}_all "  # noqa: S608
                f"ORDER BY id DESC LIMIT {int(limit)})")
    params["words"] = words
    return ",\n".join(ctes), params


def newest(words: str, alternatives: Sequence[Sequence[str]], condition: tuple[str, dict[str, Any]],
           newest_id: int | None, *, title_only: bool, limit: int) -> Newest:
    """The ``limit`` newest visible matches (see ``windows_sql``), newest first."""
    if newest_id is None:
        return []
    sql, params = windows_sql("n", words, alternatives, newest_id, title_only=title_only,
                              limit=limit, condition=condition[0])
    rows = db.session.connection().exec_driver_sql(
        f"WITH {sql} SELECT id, kind FROM n ORDER BY id DESC", {**condition[1], **params})  # noqa: S608
    return [(row_id, row_kind) for row_id, row_kind in rows]


def newest_id() -> int | None:
    """The newest entry id, and this transaction's reads planned for a short query: no JIT
    compilation and no parallel workers (starting them costs more than a bounded read, and a
    busy machine makes it worse), in the same round trip."""
    return db.session.execute(text(
        "SELECT max(id), set_config('jit', 'off', true), "
        "set_config('max_parallel_workers_per_gather', '0', true) FROM search_entries")).scalar()
