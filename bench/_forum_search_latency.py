"""Forum search latency over many generated Swedish posts, measured directly on ``fulltext.search``.

    python -m bench._forum_search_latency [--posts 100000] [--queries 300] [--backend sqlite|postgres]
    python -m bench._forum_search_latency --posts 1000000 --backend postgres \
        --database-url postgresql+psycopg://127.0.0.1:5432/search_1m   # generated once, then reused

Not a load benchmark (the leading underscore keeps ``python -m bench`` from running it): it times
the same call the search page makes (count + ranked, highlighted page of 20, access filter inside
the query) for a logged-in member of two groups, and prints p50/p95/p99 per backend.

Generating 100,000 posts must be quick, so it skips the forum services: rows go straight into
``search_entries`` with one executemany, tokens made by the same ``entry_tokens`` the services
use; SQLite's triggers fill its FTS5 index and PostgreSQL computes its stored tsvector column on
insert. Afterwards the index alone is rebuilt once (FTS5 'rebuild' / REINDEX) to report its build
time, and its size is printed.
Posts mix visibilities (public, members, group) across several groups, so the access filter
has real work to do. Everything lives in a temporary database that is removed, unless
``--database-url`` names one: it is generated on the first run and kept, later runs only measure
(a million posts take minutes to generate; the figures of a reused database are the same).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


VOCABULARY = _words(
    "våld våldet grovt skjutning sprängning brott brottslighet ungdomar unga skolan skola fritid "
    "fritidsgård föräldrar föräldrastöd socialtjänsten socialtjänst polisen kommunpolis polis "
    "lägesbild lägesbilden åtgärdsplan åtgärd insats insatser uppföljning utvärdering samverkan "
    "samverkansgrupp bostadsbolaget bostadsbolag fastighetsägare centrum centrumanläggning "
    "trygghet trygghetsmätning trygghetsvandring belysning klotter skadegörelse nedskräpning "
    "ordningsstörningar narkotika langning rekrytering nyrekrytering nätverk kriminella gäng "
    "område området utsatt riskområde stadsdel kvarter trapphus garage parkering buss "
    "kvällar helger sommarlov nattvandring nattvandrare föreningen föreningar civilsamhället "
    "idrott mentorer metodstöd erfarenheter resultat minskade ökade ökning minskning "
    "kommunen länsstyrelsen brå myndigheten regionen handlingsplan kartläggning statistik "
    "anmälningar otrygghet boende hyresgäster ordning städning kameror kamerabevakning"
)
FUNCTION_WORDS = _words(
    "och att det som en på för med av till är vi har inte kan om ett de men var vill ska "
    "också när mycket bra hur alla efter under genom mellan varje många nya gemensam"
)
# Compounds widen the vocabulary to a few thousand words, as real posts have.
PREFIXES = ("trygghets", "brotts", "samverkans", "kommun", "skol", "fritids", "bostads", "polis",
            "förälder", "ungdoms", "social", "stads", "kvarters", "läges", "åtgärds", "region",
            "förenings", "idrotts", "kultur", "arbets", "hälso", "familje", "mötes", "projekt")
SUFFIXES = ("arbete", "plan", "möte", "grupp", "frågor", "ansvar", "insats", "rapport", "budget",
            "samtal", "personal", "ledning", "program", "nätverk", "rutiner", "uppdrag", "stöd",
            "data", "analys", "beslut", "kontakt", "samordnare", "verksamhet", "träff", "mål",
            "underlag", "dialog", "utbildning", "enkät", "besök", "strategi", "modell", "lokal",
            "miljö", "kostnad", "tid", "förslag", "uppgift", "erfarenhet", "roll", "resurser")

QUERIES = [
    "samverkan", "våld", "lägesbild", "trygghetsvandring", "nyrekrytering nätverk",
    "bostadsbolaget belysning",
    "skola föräldrar", "kamerabevakning", "nattvandring helger", "uppföljning åtgärdsplan",
    "klotter skadegörelse", "polisen samverkan", "fritidsgård sommarlov", "narkotika langning",
    "trygghetsmätning resultat", "kriminella gäng rekrytering", "socialtjänsten unga",
]


def zipf_vocabulary(seed: int = 3) -> tuple[list[str], list[float]]:
    """Function words most common, then content words in a shuffled Zipf order."""
    rng = random.Random(seed)
    content = list(dict.fromkeys(VOCABULARY + [p + s for p in PREFIXES for s in SUFFIXES]))
    rng.shuffle(content)
    words = FUNCTION_WORDS + content
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


WORDS, WEIGHTS = zipf_vocabulary()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, weights=WEIGHTS, k=rng.randint(8, 30))
    return " ".join(words).capitalize() + "."


def generate(n: int, group_ids: list[int], seed: int = 4) -> None:
    """Insert ``n`` forum entries straight into the index tables."""
    from sqlalchemy import insert, text

    from network.extensions import db
    from network.fulltext import SearchEntry, remember_terms
    from network.fulltext.words import entry_tokens

    rng = random.Random(seed)
    vocabulary: dict[str, str] = {}
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(1, n + 1):
        title = " ".join(rng.choices(VOCABULARY, k=rng.randint(3, 7))).capitalize()
        body = " ".join(sentence(rng) for _ in range(rng.randint(2, 8)))
        roll = rng.random()
        visibility, group = ("public", None) if roll < 0.2 else ("members", None) if roll < 0.7 \
            else ("group", rng.choice(group_ids))
        tokens = entry_tokens(title, body)
        if len(vocabulary) < 100_000:
            vocabulary.update(tokens.vocabulary)
        rows.append({
            "kind": "forum_topic" if i % 8 == 1 else "forum_post", "object_id": i,
            "title": title, "body": body, "title_terms": tokens.title, "body_terms": tokens.body,
            "part_terms": tokens.parts, "url": f"/forum/inlagg/{i}",
            "visibility": visibility, "group_id": group,
            "created_at": start + dt.timedelta(minutes=7 * i), "indexed_at": start,
        })
        if len(rows) == 5000:
            db.session.execute(insert(SearchEntry), rows)
            rows = []
    if rows:
        db.session.execute(insert(SearchEntry), rows)
    remember_terms(vocabulary)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE search_entries"))
        db.session.commit()


COLUMNS = ("kind, object_id, title, body, title_terms, body_terms, part_terms, url, visibility, "
           "group_id, created_at, indexed_at, boost, themes, places")
PG_INDEXES = {"ix_search_entries_search_tsv": "search_tsv", "ix_search_entries_title_tsv": "title_tsv"}


def copy_posts(unique: int, copies: int) -> None:
    """Copy the ``unique`` generated posts ``copies - 1`` more times in SQL, each copy newer.

    A million posts tokenised in Python take most of an hour on a busy machine; copies keep every
    word's frequency and the mix of visibilities, so the search's work per query is the same. On
    PostgreSQL the GIN indexes are dropped first and built once afterwards (``rebuild_index``).
    """
    from sqlalchemy import text

    from network.extensions import db

    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        for name in PG_INDEXES:
            db.session.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
    shift = "make_interval(mins => :minutes)" if postgres else "'+' || :minutes || ' minutes'"
    created = f"created_at + {shift}" if postgres else f"datetime(created_at, {shift})"
    selected = COLUMNS.replace("object_id", "object_id + :ids").replace("created_at", created)
    for copy in range(1, copies):
        db.session.execute(text(
            f"INSERT INTO search_entries (id, {COLUMNS}) "  # noqa: S608 - constants only
            f"SELECT id + :ids, {selected} FROM search_entries WHERE id <= :unique ORDER BY id"),
            {"ids": copy * unique, "minutes": 7 * copy * unique, "unique": unique})
        db.session.commit()
    if postgres:
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('search_entries', 'id'), "
                                "(SELECT max(id) FROM search_entries))"))
        db.session.commit()


def rebuild_index() -> tuple[float, float]:
    """Build the full-text index alone once more; (seconds, size in MB)."""
    from sqlalchemy import text

    from network.extensions import db

    started = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        for name, column in PG_INDEXES.items():
            db.session.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
            db.session.execute(text(f'CREATE INDEX "{name}" ON search_entries USING gin ({column})'))
        db.session.commit()
        took = time.perf_counter() - started
        db.session.execute(text("ANALYZE search_entries"))
        db.session.commit()
        return took, index_size()[1]
    db.session.execute(text("INSERT INTO fts_search (fts_search) VALUES ('rebuild')"))
    db.session.commit()
    return time.perf_counter() - started, index_size()[1]


def _pg_search_indexes() -> list[str]:
    """The full-text indexes: GIN indexes of search_entries and the index that orders matches."""
    from sqlalchemy import text

    from network.extensions import db

    return list(db.session.scalars(text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'search_entries' "
        "AND (indexdef LIKE '%USING gin%' OR indexname = 'ix_search_entries_rank_key')")))


def index_size() -> tuple[float, float]:
    """(0, size in MB) of the full-text index as it is now."""
    from sqlalchemy import text

    from network.extensions import db

    if db.engine.dialect.name == "postgresql":
        size = sum(db.session.scalar(text("SELECT pg_relation_size(:n)"), {"n": name})
                   for name in _pg_search_indexes())
        return 0.0, size / 1e6
    page_size = db.session.scalar(text("PRAGMA page_size"))
    pages = db.session.scalar(text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'fts_search_%'")) \
        if _has_dbstat() else None
    if pages is None:  # no dbstat: the FTS5 segments' blobs
        pages = db.session.scalar(text("SELECT sum(length(block)) FROM fts_search_data")) or 0
    return 0.0, (pages or 0) / 1e6 if page_size else 0.0


def _has_dbstat() -> bool:
    from sqlalchemy import text

    from network.extensions import db

    try:
        db.session.execute(text("SELECT 1 FROM dbstat LIMIT 1"))
        return True
    except Exception:  # noqa: BLE001 - SQLite built without DBSTAT
        db.session.rollback()
        return False


def measure(user, queries: int, seed: int = 7) -> tuple[list[float], list[float], dict[str, int],
                                                        dict[str, list[float]]]:
    from network.forums.queries import search

    rng = random.Random(seed)
    timings, cpu, totals, by_query = [], [], {}, {}
    for q in QUERIES:  # warm caches once per query
        totals[q] = search(user, q).total
    for _ in range(queries):
        q = rng.choice(QUERIES)
        started, cpu_started = time.perf_counter(), time.process_time()
        search(user, q, page=rng.choice([1, 1, 1, 2, 3]))
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        by_query.setdefault(q, []).append(timings[-1])
    return timings, cpu, totals, by_query


def _by_frequency(by_query: dict[str, list[float]], totals: dict[str, int]) -> dict[str, list[float]]:
    from network.fulltext import COUNT_CAP

    common = [t for q, ts in by_query.items() if totals[q] > COUNT_CAP for t in ts]
    rare = [t for q, ts in by_query.items() if totals[q] <= COUNT_CAP for t in ts]
    return {"common": common, "rare": rare}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _reused(url: str) -> bool:
    """Create the kept database on first use; True when it already holds generated posts."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if target.get_backend_name() == "sqlite":
        return Path(target.database or "").exists() and _has_posts(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                               {"n": target.database}):
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                return False
    finally:
        admin.dispose()
    engine = create_engine(url)
    try:
        return inspect(engine).has_table("search_entries") and _has_posts(url)
    finally:
        engine.dispose()


def _has_posts(url: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT count(*) FROM (SELECT 1 FROM search_entries "
                                         "LIMIT 1) AS one")))
    finally:
        engine.dispose()


def run(backend: str, posts: int, queries: int, database_url: str | None = None,
        copies: int = 1) -> dict:
    from sqlalchemy import create_engine, text

    workdir = Path(tempfile.mkdtemp(prefix="bench-forum-search-"))
    admin_url = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")
    pg_name = f"bench_forum_search_{uuid.uuid4().hex[:10]}"
    reuse = database_url is not None and _reused(database_url)
    if database_url is not None:
        url, backend = database_url, "postgres" if database_url.startswith("postgres") else "sqlite"
    elif backend == "postgres":
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        url = admin_url.rsplit("/", 1)[0] + "/" + pg_name
    else:
        url = f"sqlite:///{workdir / 'search.sqlite3'}"
    try:
        from flask_migrate import upgrade
        from sqlalchemy import func, select

        from network import create_app
        from network.extensions import db
        from network.fulltext import SearchEntry

        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                          "STORAGE_DIR": workdir / "storage"})
        with app.app_context(), app.test_request_context():
            upgrade(revision="heads")
            from network.accounts import services as accounts
            from network.accounts.models import GroupKind, GroupVisibility, User

            if reuse:
                user = db.session.scalar(select(User).where(User.email == "bench.search@example.se"))
                posts = db.session.scalar(select(func.count()).select_from(SearchEntry))
                generated, (index_s, index_mb) = 0.0, index_size()
            else:
                groups = [accounts.create_group(None, f"Grupp {n}", GroupKind.LOCAL,
                                                municipality_code="0180",
                                                visibility=GroupVisibility.CLOSED) for n in range(10)]
                user = accounts.create_user("bench.search@example.se", None, "Sök Mätsson")
                for group in groups[:2]:
                    accounts.add_member(None, group, user)
                db.session.commit()
                started = time.perf_counter()
                generate(posts // copies, [g.id for g in groups])
                copy_posts(posts // copies, copies)
                generated = time.perf_counter() - started
                index_s, index_mb = rebuild_index()
            timings, cpu, totals, by_query = measure(user, queries)
            db.session.remove()
            db.engine.dispose()
        return {"backend": backend, "posts": posts, "generate_s": round(generated, 1),
                "index_build_s": round(index_s, 1), "index_mb": round(index_mb, 1),
                "queries": queries, "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(percentile(timings, 95), 2),
                "p99_ms": round(percentile(timings, 99), 2),
                # SQLite runs inside this process, so its CPU time is the query's own cost even
                # when the machine is busy; for PostgreSQL the work happens in the server.
                "cpu_p50_ms": round(statistics.median(cpu), 2),
                "cpu_p95_ms": round(percentile(cpu, 95), 2),
                # Common: more matches than the count cap ("Fler än 1 000"); rare: the others.
                **{f"p95_{name}_ms": round(percentile(sample, 95), 2) if sample else None
                   for name, sample in _by_frequency(by_query, totals).items()},
                "hits_per_query": totals}
    finally:
        if backend == "postgres" and database_url is None:
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :n"), {"n": pg_name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}"'))
            admin.dispose()
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._forum_search_latency",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--target-ms", type=float, default=50.0, help="p95 target on both backends")
    parser.add_argument("--copies", type=int, default=1, help="generate posts/COPIES posts and "
                        "copy them in SQL (same word frequencies; quick at a million posts)")
    parser.add_argument("--database-url", help="keep the generated data in this database and reuse "
                        "it on later runs (the backend follows the URL)")
    args = parser.parse_args(argv)
    if args.database_url:
        args.backend = "postgres" if args.database_url.startswith("postgres") else "sqlite"
    if not (1 <= args.posts <= 2_000_000 and 1 <= args.queries <= 100_000
            and 1 <= args.copies <= 100 and args.posts % args.copies == 0):
        parser.error("posts in [1, 2000000], queries in [1, 100000], copies in [1, 100] "
                     "dividing posts")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ok = True
    for backend in backends:
        result = run(backend, args.posts, args.queries, args.database_url, args.copies)
        hits = result.pop("hits_per_query")
        print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)
        print("  hits: " + ", ".join(f"{q!r}={n}" for q, n in hits.items()), flush=True)
        if min(result["p95_ms"], result["cpu_p95_ms"]) > args.target_ms:
            ok = False
            print(f"  MISSED: p95 {result['p95_ms']} ms > {args.target_ms} ms", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
