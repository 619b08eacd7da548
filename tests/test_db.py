"""The database layer: UTC datetimes and transactions that hold on every backend."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from network.accounts.models import User


def count_users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_savepoint_before_any_write_is_undone_by_the_rollback(db, make):
    # On SQLite the savepoint used to open (and its release commit) the whole transaction.
    with db.session.begin_nested():
        make.user()
    db.session.rollback()
    assert count_users(db) == 0


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(db, make):
    make.user()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        make.user()
        raise RuntimeError("refused")
    db.session.commit()
    assert count_users(db) == 1


def test_naive_datetimes_are_refused(db, make):
    user = make.user()
    user.last_login_at = dt.datetime(2026, 1, 1, 12, 0)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_a_sqlite_file_database_writes_ahead_to_a_log(app, db):
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    # Readers neither wait for a committing writer nor block it (every topic view commits).
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_unindexed_is_the_plain_column_except_on_sqlite(db):
    from sqlalchemy.dialects import postgresql, sqlite

    from network.db import unindexed
    from network.resources.models import Resource

    condition = unindexed(Resource.effective_visibility).in_(["public", "members"])
    assert str(condition.compile(dialect=sqlite.dialect())).startswith(
        "+resources.effective_visibility IN")
    assert str(condition.compile(dialect=postgresql.dialect())).startswith(
        "resources.effective_visibility IN")
    # Statements differing only in it are cached apart from the plain column's.
    plain = select(Resource.id).where(Resource.effective_visibility == "public")
    kept = select(Resource.id).where(unindexed(Resource.effective_visibility) == "public")
    assert plain._generate_cache_key() != kept._generate_cache_key()


def test_a_members_library_page_walks_the_order_index_on_sqlite(db, make):
    """A member's access filter ("public or members, or group and mine") must not lead SQLite
    through the visibility indexes to read and sort every visible resource for one page."""
    from network.resources.models import Resource
    from network.resources.services import Filters, browse_ids
    from tests.conftest import backend

    if backend() != "sqlite":
        pytest.skip("SQLite's planner; PostgreSQL plans are checked in test_query_plans.py")
    member = make.user()
    make.group(members=[member])
    stmt = (browse_ids(member, Filters(), select(Resource.id))
            .order_by(Resource.created_at.desc(), Resource.id.desc()).limit(20))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(r[-1] for r in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX ix_resources_created_at" in plan and "TEMP B-TREE" not in plan, plan


def test_postgresql_plans_a_repeated_statement_for_its_own_values(db, make):
    """psycopg prepares a statement on its sixth run; PostgreSQL would then be free to use a
    generic plan made without the values (400 ms instead of 40 for a search at a million
    entries). ``tune_postgresql`` keeps every execution custom-planned."""
    from sqlalchemy import text

    from tests.conftest import backend

    if backend() != "postgres":
        pytest.skip("prepared statements' plans are PostgreSQL's")
    make.user()
    statement = text("SELECT count(*) FROM users WHERE id > :low AND email <> :email")
    for low in range(12):
        db.session.execute(statement, {"low": low, "email": "x"})
    plans = db.session.execute(text(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE 'SELECT count(*) FROM users WHERE id >%'")).all()
    assert plans, "psycopg no longer prepares repeated statements: this test needs another probe"
    assert all(generic == 0 and custom > 0 for generic, custom in plans)
    assert db.session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
