"""``flask seed-scale --factor F``: a national-scale network for measuring, generated fast.

At factor 1.0 the sizes of issue 22 (15,000 members, 600 groups, 665 categories, 100,000 topics
with about a million posts, 20,000 events, 100,000 resources, 5,000 measures, 200,000
notifications). Distributions are skewed as in real use: a few very active groups, categories
and long topics, most small; Swedish text (scale_text.py) so search has common and rare words.

Speed: rows go in with SQLAlchemy Core ``insert()`` executemany in batches (no ORM objects, no
services: they would flush one row at a time), search entries are tokenised by the same
``fulltext.words.entry_tokens`` the services use and written in the same batches, and the
vocabulary through ``fulltext.remember_terms``. Each stage commits, so a large run does not
hold one huge transaction. The generator is the boundary here, like a CLI command.

It refuses a database in real use: any user whose address is outside ``GENERATED_DOMAIN``,
any user who ever signed in, or any sign-in session. It also refuses to run twice.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, or_, select, text

from network.accounts.models import Group, Membership, Municipality, Organisation, User, UserSession
from network.db import dialect_name
from network.deploy import scale_text as words
from network.extensions import db
from network.forums.models import Category
from network.fulltext import SearchEntry, remember_terms
from network.fulltext.words import entry_tokens

GENERATED_DOMAIN = "skala.example.se"
MIN_FACTOR, MAX_FACTOR = 0.001, 2.0
BATCH = 2000
# The sizes at factor 1.0.
SIZES = {"organisations": 1000, "members": 15_000, "groups": 600, "categories": 665,
         "topics": 100_000, "posts": 1_002_147, "events": 20_015, "registrations": 80_284,
         "resources": 100_006, "participating": 60, "measures": 5000, "measurements": 99_800,
         "notifications": 200_074}
# Accounts the benchmark signs in as (they share one password hash, computed once).
ADMIN_EMAIL = f"admin@{GENERATED_DOMAIN}"
COUNTY_EMAIL = f"lansstyrelsen@{GENERATED_DOMAIN}"
BUSY_EMAIL = f"aktiv@{GENERATED_DOMAIN}"
ALL_GROUPS_EMAIL = f"allagrupper@{GENERATED_DOMAIN}"
BUSY_UNREAD = 86
GROUP_VISIBILITY = {"public": "public", "members": "members", "closed": "group"}


class ScaleError(Exception):
    """A refusal with a message for the person running the command (Swedish)."""


def check_factor(factor: float) -> None:
    if not (isinstance(factor, int | float) and math.isfinite(factor)) or factor <= 0:
        raise ScaleError(f"Faktorn måste vara större än 0 (till exempel 0.1 eller 1.0), inte {factor}.")
    if factor < MIN_FACTOR or factor > MAX_FACTOR:
        raise ScaleError(f"Faktorn måste ligga mellan {MIN_FACTOR} och {MAX_FACTOR} "
                         f"(1.0 = hela landet, ungefär 3 GB i PostgreSQL); {factor} är utanför.")


def real_use() -> str | None:
    """Why this database must not get generated data, or None when it may."""
    foreign = db.session.scalar(select(func.count()).select_from(User).where(or_(
        User.email.is_(None), ~User.email.like(f"%@{GENERATED_DOMAIN}"))))
    if foreign:
        return (f"Databasen har {foreign} riktiga användare (adresser utanför {GENERATED_DOMAIN}). "
                "seed-scale körs bara på en tom databas.")
    if db.session.scalar(select(func.count()).select_from(User).where(User.last_login_at.isnot(None))) \
            or db.session.scalar(select(func.count()).select_from(UserSession)):
        return "Någon har loggat in i databasen; seed-scale körs bara på en tom databas."
    if db.session.scalar(select(func.count()).select_from(User)):
        return "Databasen har redan genererade data; använd en ny, tom databas."
    return None


def sizes(factor: float) -> dict[str, int]:
    return {name: max(1, round(n * factor)) for name, n in SIZES.items()}


@dataclass
class Scale:
    """What one run made, handed from stage to stage."""

    rng: random.Random
    now: dt.datetime
    sizes: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)
    vocabulary: dict[str, str] = field(default_factory=dict)
    municipalities: list[str] = field(default_factory=list)
    participating: list[str] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    special: dict[str, int] = field(default_factory=dict)
    groups: list[dict] = field(default_factory=list)
    members_of: dict[int, list[int]] = field(default_factory=dict)
    categories: list[dict] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


def batches(rows: Iterable[dict], size: int = BATCH) -> Iterable[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert_rows(model, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Core executemany; with ``ids``, primary keys are given here and returned in the rows' order
    (RETURNING would make both databases insert one row at a time; sequences are set at the end)."""
    if not rows:
        return []
    table = model.__table__ if hasattr(model, "__table__") else model
    new_ids: list[int] = []
    if ids:
        first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        new_ids = list(range(first, first + len(rows)))
        for row, row_id in zip(rows, new_ids, strict=True):
            row["id"] = row_id
    if dialect_name() == "postgresql":
        _copy(table, rows)
    else:
        db.session.execute(insert(table), rows)
    return new_ids


def _copy(table, rows: list[dict]) -> None:
    """PostgreSQL's COPY through psycopg: an order of magnitude faster than executemany for
    search entries, whose stored tsvector columns are computed per row on the server."""
    columns = list(rows[0])
    defaults = {}  # COPY skips SQLAlchemy's Python-side defaults: apply them here
    for column in table.columns:
        if column.name not in rows[0] and column.default is not None and column.default.is_scalar:
            defaults[column.name] = column.default.arg
        elif column.name not in rows[0] and column.default is not None and column.default.is_callable:
            defaults[column.name] = column.default.arg(None)
    columns += list(defaults)
    rows = [{**defaults, **row} for row in rows] if defaults else rows
    raw = db.session.connection().connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_plain(row.get(c)) for c in columns])


def _plain(value):
    # UTCDateTime columns hold naive UTC (network/db.py).
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids given by ``insert_rows``."""
    if dialect_name() != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key or not column.autoincrement:
            continue
        sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        if sequence:
            # Names from our own metadata and pg_get_serial_sequence, never from input.
            db.session.execute(text(f"SELECT setval('{sequence}', GREATEST((SELECT max(id) FROM "  # noqa: S608
                                    f'"{table.name}"), 1))'))


def search_row(s: Scale, kind: str, object_id: int, *, title: str, body: str, url: str,
               visibility: str, group_id: int | None, created_at: dt.datetime, boost: int = 0,
               themes: str = "", places: str = "") -> dict:
    tokens = entry_tokens(title, body)
    if len(s.vocabulary) < 200_000:
        s.vocabulary.update(tokens.vocabulary)
    return {"kind": kind, "object_id": object_id, "title": title[:500], "body": body, "url": url,
            "title_terms": tokens.title, "body_terms": tokens.body, "part_terms": tokens.parts,
            "visibility": visibility, "group_id": group_id, "created_at": created_at,
            "indexed_at": s.now, "boost": boost, "themes": themes, "places": places}


def index_rows(rows: list[dict]) -> None:
    insert_rows(SearchEntry, rows)


def weekday_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def past(s: Scale, days: int) -> dt.datetime:
    """A moment in the last ``days`` days, skewed towards the recent past."""
    return s.now - dt.timedelta(minutes=int(days * 1440 * s.rng.random() ** 1.6))


# -- stages ------------------------------------------------------------------------------------


def make_places(s: Scale) -> None:
    s.municipalities = list(db.session.scalars(select(Municipality.code).order_by(Municipality.code)))
    if not s.municipalities:
        from network.accounts.reference import load_reference_data

        load_reference_data(db.session)
        s.municipalities = list(db.session.scalars(select(Municipality.code).order_by(Municipality.code)))
    s.participating = s.rng.sample(s.municipalities, min(len(s.municipalities), s.sizes["participating"]))
    for n, code in enumerate(s.participating):
        db.session.execute(Municipality.__table__.update().where(Municipality.code == code).values(
            participating_since=dt.date(2024, 1, 1) + dt.timedelta(days=20 * n)))
    names = dict(db.session.execute(select(Municipality.code, Municipality.name)).all())
    counties = dict(db.session.execute(select(Municipality.code, Municipality.county_code)).all())
    rows = []
    for _ in range(s.sizes["organisations"]):
        code = s.rng.choice(s.participating if s.rng.random() < 0.7 else s.municipalities)
        kind = s.rng.choices(list(words.ORG_KINDS), weights=[5, 2, 2, 1, 2, 2, 1, 1])[0]
        rows.append({"name": words.organisation_name(s.rng, kind, names[code]), "type": kind,
                     "municipality_code": code, "county_code": counties[code],
                     "created_at": s.now, "updated_at": s.now})
    s.organisations = insert_rows(Organisation, rows, ids=True)
    s.counts["organisations"] = len(rows)


def make_users(s: Scale, password_hash: str) -> None:
    org_weights = zipf_weights(len(s.organisations), 0.8)
    # The county-board account works where the programme is: the first participating municipality's county.
    county = db.session.scalar(select(Municipality.county_code)
                               .where(Municipality.code == s.participating[0]))

    def user(n: int, email: str, name: str, role: str = "member", county_code=None) -> dict:
        return {"email": email, "password_hash": password_hash, "name": name, "role": role,
                "county_code": county_code, "title": "",
                "organisation_id": s.rng.choices(s.organisations, weights=org_weights)[0],
                "email_notifications": s.rng.choice(["immediately", "daily", "daily", "never"]),
                "created_at": s.now - dt.timedelta(days=s.rng.randint(30, 900)),
                "updated_at": s.now}

    special = [user(0, ADMIN_EMAIL, "Ada Administratör", "admin"),
               user(0, COUNTY_EMAIL, "Lena Länsstyrelsen", "county", county),
               user(0, BUSY_EMAIL, "Aktiv Medlemsson"), user(0, ALL_GROUPS_EMAIL, "Alla Grupperson")]
    rows = special + [user(n, f"medlem{n}@{GENERATED_DOMAIN}", words.person(s.rng),
                           "staff" if n % 3000 == 1 else "member")
                      for n in range(s.sizes["members"] - len(special))]
    for chunk in batches(rows):
        s.users += insert_rows(User, chunk, ids=True)
    s.special = {"admin": s.users[0], "county": s.users[1], "busy": s.users[2], "all_groups": s.users[3]}
    s.counts["users"] = len(rows)


def make_groups(s: Scale) -> None:
    rows = []
    for n in range(s.sizes["groups"]):
        local = s.rng.random() < 0.6
        code = s.rng.choice(s.participating) if local else None
        theme = s.rng.choice(words.GROUP_THEMES)
        visibility = s.rng.choices(["public", "members", "closed"], weights=[2, 5, 3])[0]
        rows.append({"name": (f"{theme} – {code}" if local else theme) + f" ({n + 1})",
                     "slug": f"skala-{n + 1}", "kind": "local" if local else "thematic",
                     "description": words.paragraph(s.rng, 1, 2), "visibility": visibility,
                     "municipality_code": code, "archived": n % 50 == 49,
                     "created_at": s.now, "updated_at": s.now})
    ids = insert_rows(Group, rows, ids=True)
    s.groups = [{"id": i, "visibility": GROUP_VISIBILITY[r["visibility"]], "code": r["municipality_code"]}
                for i, r in zip(ids, rows, strict=True)]
    # Group sizes: a few very large groups, most small (Zipf over a shuffled order).
    weights = zipf_weights(len(ids), 0.9)
    s.rng.shuffle(weights)
    members: dict[int, set[int]] = {i: set() for i in ids}
    busy_groups = s.rng.sample(ids, min(len(ids), 40))
    for user_id in s.users[4:]:
        k = min(len(ids), max(1, int(s.rng.paretovariate(1.6))))
        for group_id in s.rng.choices(ids, weights=weights, k=k):
            members[group_id].add(user_id)
    for group_id in busy_groups:
        members[group_id].add(s.special["busy"])
    for group_id in ids:
        members[group_id].add(s.special["all_groups"])
    rows = [{"group_id": g, "user_id": u, "role": "facilitator" if n == 0 else "member",
             "created_at": s.now, "updated_at": s.now}
            for g, users in members.items() for n, u in enumerate(sorted(users))]
    for chunk in batches(rows):
        insert_rows(Membership, chunk)
    s.members_of = {g: sorted(u) for g, u in members.items()}
    s.counts["memberships"] = len(rows)


def make_categories(s: Scale) -> None:
    rows = []
    general = max(1, s.sizes["categories"] // 10)
    for n in range(s.sizes["categories"]):
        group = None if n < general else s.groups[n % len(s.groups)]
        rows.append({"group_id": group["id"] if group else None,
                     "name": words.CATEGORY_NAMES[n % len(words.CATEGORY_NAMES)] + f" {n + 1}",
                     "description": words.sentence(s.rng), "position": n,
                     "visibility": group["visibility"] if group else ("public" if n % 3 == 0 else "members"),
                     "is_qa": n % 7 == 1, "archived": False, "topic_count": 0,
                     "created_at": s.now, "updated_at": s.now})
    ids = insert_rows(Category, rows, ids=True)
    s.categories = [{"id": i, "visibility": r["visibility"], "group_id": r["group_id"]}
                    for i, r in zip(ids, rows, strict=True)]
    s.counts["categories"] = len(rows)


def defer_search_indexes() -> list[tuple[str, str]]:
    """PostgreSQL: drop the full-text (GIN) indexes for the bulk load; building them once at the
    end is many times faster than updating them row by row. Returns (name, definition) pairs."""
    if dialect_name() != "postgresql":
        return []
    found = db.session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_entries' "
        "AND indexdef ILIKE '%USING gin%'")).all()
    for name, _ in found:
        db.session.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
    db.session.commit()
    return [tuple(row) for row in found]


def restore_indexes(deferred: list[tuple[str, str]]) -> None:
    if deferred:
        db.session.execute(text("SET maintenance_work_mem = '256MB'"))
    for _, definition in deferred:
        db.session.execute(text(definition))
    db.session.commit()


def generate(factor: float, *, password_hash: str, seed: int = 22,
             progress: Callable[[str], None] = lambda _: None) -> dict:
    """Fill an empty database; returns counts, seconds per stage and the special accounts' ids."""
    from network.deploy import scale_content as content
    from network.deploy import scale_forum as forum

    check_factor(factor)
    reason = real_use()
    if reason:
        raise ScaleError(reason)
    s = Scale(rng=random.Random(seed), now=dt.datetime.now(dt.UTC).replace(microsecond=0),
              sizes=sizes(factor))
    timings: dict[str, float] = {}
    deferred = defer_search_indexes()
    stages = [("places", make_places), ("users", lambda s: make_users(s, password_hash)),
              ("groups", make_groups), ("categories", make_categories), ("forum", forum.make_forum),
              ("events", content.make_events), ("resources", content.make_resources),
              ("followup", content.make_followup), ("notifications", content.make_notifications)]
    cpu_started = time.process_time()
    for name, stage in stages:
        started = time.perf_counter()
        stage(s)
        db.session.commit()
        timings[name] = round(time.perf_counter() - started, 1)
        progress(f"{name}: {timings[name]} s")
    started = time.perf_counter()
    restore_indexes(deferred)
    timings["search index"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    remember_terms(s.vocabulary)
    reset_sequences()
    db.session.commit()
    if dialect_name() == "postgresql":
        # The state autovacuum reaches after a bulk load, made now so pages are measured as they
        # will run: statistics for the planner and the visibility map, without which an
        # index-only scan still visits every table row (VACUUM runs outside a transaction).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
    timings["terms+vacuum"] = round(time.perf_counter() - started, 1)
    progress(f"search index: {timings['search index']} s, terms and vacuum: "
             f"{timings['terms+vacuum']} s")
    # CPU time of this process: on SQLite all of the work; on PostgreSQL the server's is apart.
    return {"counts": s.counts, "seconds": timings, "accounts": s.special,
            "cpu_seconds": round(time.process_time() - cpu_started, 1)}
