"""Declarative base with a naming convention, and column helpers shared by every feature."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, MetaData, event, func
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite keeps no offset, so values are stored as naive UTC and handed back aware; a naive
    value given to the database is refused rather than silently guessed.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    # Every ``Mapped[datetime]`` becomes a UTC-aware column without repeating the type.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )


def _sqlite_savepoint_inside_transaction(conn: Any, name: str | None) -> None:
    """Make a SAVEPOINT on SQLite part of the surrounding transaction.

    Python's sqlite3 module opens a transaction only before its first INSERT/UPDATE/DELETE, so a
    savepoint taken before any write opened the transaction itself and its RELEASE committed
    everything: a later rollback (of a failed request, say) kept the rows. Opening the
    transaction here (IMMEDIATE: the savepoint is there to write) keeps the release inside it.
    Reads before it still run outside a transaction, as before, so concurrent writers wait for
    each other's lock instead of failing on a stale read snapshot.
    """
    if conn.dialect.name != "sqlite":
        return
    driver = conn.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")


def init_engine_events() -> None:
    if not event.contains(Engine, "savepoint", _sqlite_savepoint_inside_transaction):
        event.listen(Engine, "savepoint", _sqlite_savepoint_inside_transaction)


def tune_sqlite(engine: Engine, mmap_size: int) -> None:
    """Set per-connection SQLite options on every new connection of ``engine``.

    ``mmap_size``: read the database file through a memory map rather than a copy per page;
    a ranked full-text query looks up thousands of rows, and this halves its time.

    A database file is put in write-ahead-log mode (it stays so): readers no longer wait for a
    writer's commit nor block it, and a commit is one append (and sync) of the log instead of a
    rollback journal written, synced and deleted. Every page view that moves a read position
    commits, so with many members reading at once this is most of what SQLite spends.
    """
    if engine.dialect.name != "sqlite":
        return
    file_based = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        if mmap_size > 0:
            dbapi_connection.execute(f"PRAGMA mmap_size = {int(mmap_size)}")
        if file_based:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")


def dialect_name(session: Any | None = None) -> str:
    """The database ``session`` (the app's by default) talks to: "postgresql" or "sqlite"."""
    if session is None:
        from network.extensions import db

        session = db.session
    return session.get_bind().dialect.name


def tune_postgresql(engine: Engine) -> None:
    """Plan every statement for its own values on PostgreSQL (``plan_cache_mode``).

    psycopg prepares a statement on the server once a connection has run it five times, and
    PostgreSQL may then switch to a *generic* plan, made without the values. For queries whose
    best plan depends on them (a search's words and id blocks, a reader's groups) the generic
    plan can be ten times slower: "fritidsgård sommarlov" at a million entries took 400 ms from
    the sixth search on instead of 40. With ``force_custom_plan`` a prepared statement is still
    parsed once but planned each time, as an unprepared one is. Set per connection with SET (not
    a startup option, which connection poolers such as PgBouncer refuse).
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _custom_plans(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()


def add_to_totals(session: Any, model: Any, keys: dict, deltas: dict, **options: Any) -> None:
    """Add ``deltas`` to the running totals in ``model``'s row at ``keys``, creating it: one
    atomic upsert (INSERT ... ON CONFLICT DO UPDATE, PostgreSQL and SQLite), so concurrent
    writers never lose an increment. ``options``: execution options (the cache's scopes)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    stmt = dialect.insert(model).values(**keys, **deltas)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: getattr(model, name) + getattr(stmt.excluded, name) for name in deltas})
    session.execute(stmt.execution_options(**options))


class unindexed(ColumnElement):  # noqa: N801 - used like a SQL function
    """``column`` that SQLite's planner will not answer through an index (SQLite's documented
    unary ``+``); other databases get the plain column. For a filter that would otherwise win
    the planner's choice over the index of the query's order: SQLite then reads every match and
    sorts it, where walking the order's index would stop after a page."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(unindexed)
def _column(element: unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_on_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)
