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
