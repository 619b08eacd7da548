"""Shared fixtures: an app per test on a fresh copy of a migrated database.

The database is built once per run by running the Alembic migrations (so every run also proves
the migrations match the models), then each test gets its own copy:
- SQLite (default): the migrated file is copied per test.
- PostgreSQL (``NETWORK_TEST_DB=postgres``): a fresh database is created on the local server for
  the run and dropped after; tables are emptied between tests. Unreachable PostgreSQL fails the
  run loudly when ``CI=true`` and skips it with a reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import request_started
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from network import create_app
from network.extensions import db as _db
from tests import factories

pytest_plugins = ["pytester", "tests.leftovers"]
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/11")
# Two runs on one machine share the Redis above: every name a run gives Redis starts with its own
# namespace (made once per pytest process; a server or worker the run starts gets the same names
# through its environment), and a run deletes only its own keys, never the whole database.
RUN_NAMESPACE = f"t{uuid.uuid4().hex[:10]}"
REDIS_NAMES = {  # each setting that names something in Redis: one line per setting
    "CACHE_KEY_PREFIX": f"{RUN_NAMESPACE}-cache",
    "RATELIMIT_KEY_PREFIX": f"{RUN_NAMESPACE}-limits",
    "CHAT_REDIS_PREFIX": f"{RUN_NAMESPACE}-chat",
    "SESSION_REDIS_PREFIX": f"{RUN_NAMESPACE}-session",
    "SOCKETIO_CHANNEL": f"{RUN_NAMESPACE}-socketio",
    "JOBS_QUEUE": f"{RUN_NAMESPACE}-jobs",
    # RQ reads its own from the environment once, when a process first imports it: this process
    # has not yet, and every process the run starts inherits it.
    "RQ_KEY_PREFIX": f"{RUN_NAMESPACE}-rq",
}
os.environ["RQ_KEY_PREFIX"] = REDIS_NAMES["RQ_KEY_PREFIX"]
# Reference data loaded by the first migration; kept between tests.
KEEP_TABLES = {"alembic_version", "counties", "municipalities"}


def backend() -> str:
    return os.environ.get("NETWORK_TEST_DB", "sqlite")


def namespaced(name: str) -> str:
    """A Redis key, prefix or queue name of this run's own (``name`` alone would be shared)."""
    return f"{RUN_NAMESPACE}-{name}"


def redis_names(tag: str | None = None) -> dict[str, str]:
    """The settings in ``REDIS_NAMES``; with ``tag``, a further set apart inside this run
    (another installation on the same Redis)."""
    if tag is None:
        return dict(REDIS_NAMES)
    return {key: value if key == "RQ_KEY_PREFIX" else value.replace(RUN_NAMESPACE, namespaced(tag), 1)
            for key, value in REDIS_NAMES.items()}


def service_missing(what: str, why: str) -> None:
    """Fail loudly in CI, skip with a clear reason on a laptop."""
    message = f"{what} is not reachable ({why})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(f"{message}; these tests run when it is available and always in CI")


def migrate(url: str, instance_dir: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": instance_dir / "storage"})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the local server for the block, dropped after (its sessions
    ended first). An unreachable server fails loudly in CI and skips elsewhere."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        service_missing("PostgreSQL at " + PG_ADMIN_URL, type(exc).__name__)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("db")
    if backend() != "postgres":
        path = workdir / "template.sqlite3"
        migrate(f"sqlite:///{path}", workdir)
        yield str(path)
        return
    with fresh_postgres_database("network_test") as url:
        migrate(url, workdir)
        yield url


@pytest.fixture(autouse=True)
def _dispose_engines_made_during_the_test():
    """Close the pools of every engine a test used, including apps a test builds itself.

    Otherwise their connections are only closed by the garbage collector, which psycopg reports
    as a ResourceWarning (an error here) in whichever later test happens to trigger it.
    """
    engines: list[Engine] = []

    def remember(conn) -> None:
        if conn.engine not in engines:
            engines.append(conn.engine)

    event.listen(Engine, "engine_connect", remember)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", remember)
        for engine in engines:
            engine.dispose()


def _empty_postgres(engine) -> None:
    with engine.begin() as conn:
        tables = [
            t.name for t in _db.metadata.sorted_tables if t.name not in KEEP_TABLES
        ]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
        # The kept reference rows have one column tests change (seed-demo, the admin pages):
        # put it back as the migration left it, as the SQLite copy per test does.
        conn.execute(text("UPDATE municipalities SET participating_since = NULL "
                          "WHERE participating_since IS NOT NULL"))


def make_config(url: str, tmp_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "STORAGE_DIR": tmp_path / "storage",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True,
        "PUBLIC_BASE_URL": "http://localhost",
        **REDIS_NAMES,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(database_template: str, tmp_path: Path) -> dict:
    """Override keys in this dict (by overriding the fixture) to change a test's config."""
    if backend() == "postgres":
        url = database_template
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
    return make_config(url, tmp_path)


@pytest.fixture
def app(app_config: dict):
    app = create_app(app_config)

    # Requests reuse the app context this fixture pushes, and with it ``g``, where Flask-Login,
    # Flask-Babel and permissions cache the user, locale and roles. Production gets a fresh
    # ``g`` per request; so does every test request: emptied when it starts (the test's own
    # code may have filled it, e.g. by asking for a user's roles) and when it ends.
    def _fresh_g(*_args, **_extra):
        from flask import g

        for key in list(g):
            g.pop(key, None)

    request_started.connect(_fresh_g, app)
    app.teardown_request(_fresh_g)

    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        request_started.disconnect(_fresh_g, app)
        _db.session.remove()
        if backend() == "postgres":
            _empty_postgres(_db.engine)
        _db.engine.dispose()
        ctx.pop()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(app):
    """``login(user)`` returns a test client whose session is logged in as ``user``."""

    def _login(user, client=None):
        client = client or app.test_client()
        key = user.get_id()  # opens a server-side session for the user (once per object)
        _db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture
def make(db):
    """Data factories bound to the test's database: ``make.user()``, ``make.group()``..."""
    return factories.Factory(db.session)


@pytest.fixture
def mail(app):
    """The in-memory mail transport; ``deliver()`` sends the outbox and returns messages."""
    from network.outbox import deliver_outbox, get_transport

    transport = get_transport()

    class Mail:
        sent = transport.sent

        @staticmethod
        def deliver():
            deliver_outbox()
            return transport.sent

    return Mail()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements a block made."""

    @contextmanager
    def _count():
        counter = QueryCounter()
        engine = _db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return _count


@pytest.fixture
def assert_max_queries(count_queries):
    """``with assert_max_queries(12): client.get(...)`` fails on an N+1."""

    @contextmanager
    def _assert(limit: int):
        with count_queries() as counter:
            yield counter
        assert counter.count <= limit, (
            f"{counter.count} queries > {limit}:\n" + "\n".join(counter.statements)
        )

    return _assert


def delete_run_keys(client, namespace: str = RUN_NAMESPACE) -> int:
    """Delete the keys carrying ``namespace`` (this run's, by default); other runs' stay."""
    deleted = 0
    for key in client.scan_iter(match=f"*{namespace}*", count=1000):
        deleted += client.delete(key)
    return deleted


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis, holding none of this run's keys when a test starts or after it ends.

    Not FLUSHDB: another run on the same machine keeps its keys there too.
    """
    import redis

    try:
        client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        service_missing("Redis at " + REDIS_TEST_URL, type(exc).__name__)
    try:
        delete_run_keys(client)
        yield REDIS_TEST_URL
        delete_run_keys(client)
    finally:
        client.close()


@pytest.fixture
def private_redis(tmp_path: Path):
    """A Redis of this test's own (tests/redis_server.py), stopped after the test."""
    from tests.redis_server import PrivateRedis

    server = PrivateRedis(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()
