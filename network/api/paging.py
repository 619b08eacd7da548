"""Keyset pagination over a feature's own (already access-filtered) query."""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any

from sqlalchemy import Integer, and_, bindparam, or_

from network.api.problems import Problem
from network.api.routing import decode_cursor, encode_cursor
from network.extensions import db
from network.i18n import lazy_gettext as _l


def by_key(stmt: Any, key: Any, args: dict, *, descending: bool = False, key_type: type = int,
           scalars: bool = True) -> tuple[list, str | None]:
    """One page of ``stmt`` ordered by the unique ``key`` column, after ``args["cursor"]``."""
    position = decode_cursor(args.get("cursor"), (key_type,))
    paged = _keyset(stmt, key, descending, position is not None)
    params = {"page_limit": args["limit"] + 1}
    if position is not None:
        params["page_after"] = position[0]
    # Plain rows need no ORM machinery: they run on the session's connection (same transaction).
    rows = (list(db.session.scalars(paged, params).unique()) if scalars
            else db.session.connection().execute(paged, params).all())
    return _page(rows, args["limit"], lambda row: [getattr(row, key.key)])


# Paged statements by the statement they page, for as long as that statement lives.
_KEYSET: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _keyset(stmt: Any, key: Any, descending: bool, after: bool) -> Any:
    """``stmt`` ordered by ``key``, its position and size as parameters (``page_after``,
    ``page_limit``). Made once per statement object: a feature that reuses its statement (the
    catalogue's list) hands SQLAlchemy the same paged statement every time, whose cache key and
    result map are then not made again."""
    made = _KEYSET.setdefault(stmt, {})
    found = made.get((id(key), descending, after))
    if found is not None:
        return found[1]
    paged = stmt
    if after:
        position = bindparam("page_after")
        paged = paged.where(key < position if descending else key > position)
    paged = paged.order_by(None).order_by(key.desc() if descending else key).limit(
        bindparam("page_limit", type_=Integer))
    made[(id(key), descending, after)] = (key, paged)  # the key kept: its id stays its own
    return paged


def by_time(stmt: Any, time_col: Any, id_col: Any, args: dict) -> tuple[list, str | None]:
    """One page ordered by (time, id) ascending, e.g. events by start."""
    position = decode_cursor(args.get("cursor"), (str, int))
    if position is not None:
        try:
            moment = dt.datetime.fromisoformat(position[0])
        except ValueError:
            raise Problem("invalid-cursor", _l("Markören känns inte igen. Börja om från första sidan."))\
                from None
        stmt = stmt.where(or_(time_col > moment, and_(time_col == moment, id_col > position[1])))
    stmt = stmt.order_by(None).order_by(time_col, id_col).limit(args["limit"] + 1)
    rows = list(db.session.scalars(stmt).unique())
    return _page(rows, args["limit"], lambda row: [getattr(row, time_col.key).isoformat(),
                                                   getattr(row, id_col.key)])


def _page(rows: list, limit: int, position_of) -> tuple[list, str | None]:
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(position_of(rows[-1]))
