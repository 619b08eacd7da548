"""Every hot page at national scale: server time (p50/p95), queries and HTML size, uncached.

    python -m bench._scale_pages [--factor 0.1] [--backend sqlite|postgres|both] [-n 30]
                                 [--sqlite PATH] [--pg-db NAME] [--fresh]

Generates the issue 22 dataset with ``flask seed-scale``'s generator (network/deploy/scale.py) at
``--factor``, or reuses it: a SQLite file at ``--sqlite`` / a PostgreSQL database ``--pg-db`` that
already holds generated data is used as it is (``--fresh`` makes it again). Then each page is
requested ``-n`` times through the WSGI app in this process (``PAGE_CACHE=0``, no network) for a
member in 40 groups with 86 unread notifications, a county-board user and an administrator, and a
hello-world Flask app is timed the same way in the same run: the ratio column is the page's p50
over hello-world's. The leading underscore keeps ``python -m bench`` from running it (minutes of
generation). Quote ``uptime``'s load average beside the figures: the machine's other work shows
in wall time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")
# (name, path, who may see it); {…} filled from the dataset.
PAGES = [
    ("start page", "/", "busy admin county"),
    ("forum index", "/forum/", "busy admin county"),
    ("largest category", "/forum/k/{category}", "admin"),
    ("longest topic", "/forum/t/{topic}", "admin"),
    ("library", "/bibliotek/", "busy admin county"),
    ("library filtered", "/bibliotek/?tema=trygghet&typ=rapport", "busy admin"),
    ("events", "/evenemang/", "busy admin county"),
    ("month view", "/evenemang/manad/{year}/{month}", "busy admin county"),
    ("notifications", "/notiser/", "busy"),
    ("group page", "/grupper/{group}", "busy admin"),
    ("programme overview", "/uppfoljning/oversikt", "admin"),
    ("county view", "/uppfoljning/lan/{county}", "county"),
    # Search: the most common word of the generated text (450,000 matches at factor 1.0), and
    # a word of the follow-up measures (about 450).
    ("search common", "/sok?q=samverkan", "busy admin county"),
    ("search rare", "/sok?q=avhopparverksamhet", "busy admin county"),
]
USERS = {"busy": "aktiv@skala.example.se", "admin": "admin@skala.example.se",
         "county": "lansstyrelsen@skala.example.se"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _pg_exists(name: str) -> bool:
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return found is not None


def _drop_pg(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                     {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def build(backend: str, factor: float, sqlite_path: Path, pg_db: str, fresh: bool, workdir: Path):
    """The app on the dataset, generating it when missing; (app, generation result or None)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from network import create_app
    from network.accounts.models import User
    from network.deploy.scale import generate
    from network.extensions import db

    if backend == "postgres":
        if fresh:
            _drop_pg(pg_db)
        _pg_exists(pg_db)
        url = ADMIN_URL.rsplit("/", 1)[0] + "/" + pg_db
    else:
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{sqlite_path}"
    os.environ.update({"NETWORK_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
                       "DATABASE_URL": url, "NETWORK_INSTANCE_DIR": str(workdir), "PAGE_CACHE": "0",
                       "STORAGE_DIR": str(workdir / "storage"), "SESSION_COOKIE_SECURE": "0",
                       "PUBLIC_BASE_URL": "https://natverket.example.se"})
    app = create_app()
    generated = None
    with app.app_context():
        upgrade(revision="heads")
        if not db.session.scalar(select(func.count()).select_from(User)):
            generated = generate(factor, password_hash=None,
                                 progress=lambda line: print("  " + line, flush=True))
        db.session.remove()
    return app, generated


def _targets(app) -> dict[str, object]:
    from sqlalchemy import func, select

    from network.accounts.models import County, Group, Membership, User
    from network.events.models import Event
    from network.events.timeutil import to_local
    from network.extensions import db
    from network.forums.models import Category, Topic

    with app.app_context():
        busiest = db.session.execute(
            select(Event.start_at).order_by(Event.start_at).limit(1).offset(
                db.session.scalar(select(func.count()).select_from(Event)) // 2)).scalar()
        # The month holding the most events (the generator's crowded day lies ahead of today).
        days = {}
        for (start,) in db.session.execute(select(Event.start_at)):
            key = (to_local(start).year, to_local(start).month)
            days[key] = days.get(key, 0) + 1
        year, month = max(days, key=days.get) if days else (busiest.year, busiest.month)
        county_user = db.session.scalar(select(User).where(User.email == USERS["county"]))
        values = {
            "category": db.session.scalar(select(Category.id).order_by(Category.topic_count.desc()).limit(1)),
            "topic": db.session.scalar(select(Topic.id).order_by(Topic.last_number.desc()).limit(1)),
            "group": db.session.scalar(select(Membership.group_id).group_by(Membership.group_id)
                                       .order_by(func.count().desc()).limit(1)),
            "year": year, "month": month,
            "county": county_user.county_code or db.session.scalar(select(County.code).limit(1)),
            "users": {k: db.session.scalar(select(User.id).where(User.email == v)) for k, v in USERS.items()},
            "groups": db.session.scalar(select(func.count()).select_from(Group)),
        }
        db.session.remove()
    return values


def _client(app, user_id: int):
    from network.accounts.models import User
    from network.extensions import db

    client = app.test_client()
    with client.session_transaction() as session, app.app_context():
        session["_user_id"] = db.session.get(User, user_id).get_id()
        db.session.commit()
        db.session.remove()
    return client


def time_page(app, client, url: str, n: int) -> dict:
    from sqlalchemy import event

    from network.extensions import db

    counts = []

    def count(*_args, **_kwargs):
        counts[-1] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        counts.append(0)
        response = client.get(url)  # warm: templates and statements compiled
        if response.status_code != 200:
            return {"status": response.status_code}
        timings, cpu = [], []
        for _ in range(n):
            counts.append(0)
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return {"status": response.status_code, "p50": statistics.median(timings),
            "p95": percentile(timings, 95), "cpu_p50": statistics.median(cpu),
            "queries": max(counts[1:]), "kb": len(response.data) / 1024}


def hello_ms(n: int) -> float:
    hello = Flask("hello")
    hello.get("/")(lambda: "Hello, World!")
    client = hello.test_client()
    client.get("/")
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        client.get("/")
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(backend: str, args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    started = time.perf_counter()
    app, generated = build(backend, args.factor, args.sqlite, args.pg_db, args.fresh, workdir)
    if generated:
        print(f"generated in {time.perf_counter() - started:.0f} s: {generated['counts']}", flush=True)
    targets = _targets(app)
    hello = hello_ms(args.n * 10)
    print(f"\n{backend}, factor {args.factor}, {targets['groups']} groups; hello-world p50 "
          f"{hello:.3f} ms; load average {os.getloadavg()[0]:.1f}", flush=True)
    # CPU: this process's time per request; on SQLite that is all of the page's work, whatever
    # else the machine runs (PostgreSQL's share happens in the server).
    print(f"{'page':<20}{'user':<8}{'p50 ms':>9}{'p95 ms':>9}{'cpu p50':>9}{'× hello':>9}"
          f"{'queries':>9}{'KB':>8}")
    clients = {who: _client(app, uid) for who, uid in targets["users"].items()}
    for name, path, who in PAGES:
        if args.pages and not any(wanted in name for wanted in args.pages):
            continue
        url = path.format(**{k: v for k, v in targets.items() if not isinstance(v, dict)})
        for user in who.split():
            r = time_page(app, clients[user], url, args.n)
            if r["status"] != 200:
                print(f"{name:<20}{user:<8} HTTP {r['status']}")
                continue
            print(f"{name:<20}{user:<8}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['cpu_p50']:>9.1f}"
                  f"{r['p50'] / hello:>9.0f}"
                  f"{r['queries']:>9}{r['kb']:>8.1f}", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._scale_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=0.1)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("-n", type=int, default=30, help="requests per page and user")
    parser.add_argument("--sqlite", type=Path, default=None, help="dataset file (reused when present)")
    parser.add_argument("--pg-db", default=None, help="PostgreSQL database (reused when it has data)")
    parser.add_argument("--fresh", action="store_true", help="generate again even when data exist")
    parser.add_argument("--pages", nargs="*", default=[], help="only the pages whose name holds one "
                        "of these (e.g. --pages 'county view' search)")
    args = parser.parse_args(argv)
    if not (0 < args.factor <= 2 and 1 <= args.n <= 10_000):
        parser.error("factor in (0, 2], n in [1, 10000]")
    tag = str(args.factor).replace(".", "_")
    args.sqlite = args.sqlite or Path(tempfile.gettempdir()) / f"bench-scale-{tag}.sqlite3"
    args.pg_db = args.pg_db or f"bench_scale_{tag}"
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        run(backend, args)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
