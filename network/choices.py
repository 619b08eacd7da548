"""Filter choices that stay bounded however many groups or organisations there are.

A ``<select>`` with every group (600) or organisation (1,000) is too long to use and too heavy to
send. With at most ``MAX_CHOICES`` candidates the select lists them all, as before. With more, it
lists the reader's own (``preferred``) and the chosen one, and a search field beside it narrows the
list to names containing the typed text: plain GET forms, so it works without JavaScript and with
a keyboard or screen reader like any select.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_

from network.extensions import db

MAX_CHOICES = 50
MAX_SEARCH = 100  # characters of the name search that are used


@dataclass
class Choices:
    options: list[tuple[str, str]]  # (value, label), at most MAX_CHOICES (+ the chosen one)
    searchable: bool  # more candidates exist than are listed: show the name search
    query: str = ""
    more: bool = False  # the search matched more than are listed


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bounded_choices(stmt: Select, value: ColumnElement, label: ColumnElement, *, query: str = "",
                    selected: object = None, preferred: Select | Collection[object] | None = None,
                    limit: int = MAX_CHOICES) -> Choices:
    """``stmt`` selects the candidates (any columns; ``value`` and ``label`` are read from it)."""
    query = (query or "").strip()[:MAX_SEARCH]
    pairs = stmt.with_only_columns(value, label)
    first = db.session.execute(pairs.order_by(label, value).limit(limit + 1)).all()
    if len(first) <= limit:  # few enough: all of them, in one query as before
        return Choices([(str(v), str(name)) for v, name in first], searchable=False)
    if query:
        narrowed = pairs.where(label.ilike(f"%{_escape_like(query)}%", escape="\\"))
    else:
        own = [value.in_(preferred)] if preferred is not None and not (
            isinstance(preferred, Collection) and not preferred) else []
        chosen = [value == selected] if selected not in (None, "") else []
        narrowed = pairs.where(or_(*own, *chosen)) if own or chosen else pairs.where(value.is_(None))
    rows = db.session.execute(narrowed.order_by(label, value).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    if selected not in (None, "") and all(str(v) != str(selected) for v, _ in rows):
        rows += db.session.execute(pairs.where(value == selected)).all()
    return Choices([(str(v), str(name)) for v, name in rows], searchable=True, query=query, more=more)
