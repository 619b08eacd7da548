"""The migrations and the models describe the same schema, and upgrade keeps existing data."""

from contextlib import contextmanager

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from network.extensions import db as _db


def test_migrations_match_the_models(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    # FTS5 shadow tables and other backend-specific objects are created by hand in migrations.
    diff = [d for d in diff if not _backend_specific(d)]
    assert diff == [], f"models and migrations differ; run 'flask db migrate': {diff}"


def _backend_specific(d) -> bool:
    """FTS5 tables (SQLite) and the tsvector column and its index (PostgreSQL) live outside the models."""
    kind = d[0]
    if kind == "remove_table":
        return d[1].name.startswith("fts_")
    if kind == "remove_column":
        return d[3].name in ("search_tsv", "title_tsv")
    if kind == "remove_index":
        return d[1].name in ("ix_search_entries_search_tsv", "ix_search_entries_title_tsv")
    return False


def test_there_is_one_head_so_plain_db_upgrade_works(app):
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads, chain them: {heads}"


def test_upgrading_an_existing_database_keeps_its_data(tmp_path):
    """A database made by the first release is upgraded to head with its rows intact, and every
    downgrade step works too (down to the foundation and back up)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from network import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="0002_search")
        with _db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, email, name, title, phone, role, active, "
                "email_notifications, session_token, created_at, updated_at) VALUES "
                "(1, 'anna@example.se', 'Anna', '', '', 'member', 1, 'immediately', 'x', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO groups (id, name, slug, kind, description, visibility, archived, "
                "created_at, updated_at) VALUES (1, 'Grovt våld', 'grovt-vald', 'thematic', '', "
                "'members', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO memberships (group_id, user_id, role, created_at, updated_at) "
                "VALUES (1, 1, 'facilitator', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade()
        downgrade(revision="0002_search")
        upgrade()
        with _db.engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM users")).scalar() == "anna@example.se"
            assert conn.execute(text("SELECT role FROM memberships")).scalar() == "facilitator"
            assert conn.execute(text("SELECT count(*) FROM municipalities")).scalar() == 290
        _db.engine.dispose()


def test_search_index_upgrade_keeps_and_finds_existing_entries(tmp_path):
    """0008 rebuilds SQLite's FTS5 index from search_entries: entries indexed before the upgrade
    are found after it, later writes reach the index through the triggers, and a downgrade puts
    back the previous table with every entry in it."""
    from flask_login import AnonymousUserMixin
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from network import create_app, fulltext
    from tests.conftest import make_config

    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path))
    anon = AnonymousUserMixin()
    with app.app_context():
        upgrade(revision="0007_followup")
        with _db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO search_entries (id, kind, object_id, title, body, stems, url, "
                "visibility, created_at, indexed_at) VALUES (7, 'forum_topic', 1, "
                "'Samverkansgruppen', 'Om våldet i centrum', 'samverkansgrupp om våld i centrum', "
                "'/t/1', 'public', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO fts_search (rowid, title, body, stems) "
                              "SELECT id, title, body, stems FROM search_entries"))
        upgrade()
        assert [h.entry.id for h in fulltext.search(anon, "samverkan våld").hits] == [7]
        fulltext.index_entry("forum_topic", 1, title="Trygghetsvandring", body="i parken",
                             url="/t/1", visibility="public", group_id=None)
        fulltext.index_entry("forum_post", 2, title="Klotter", body="vid skolan", url="/p/2",
                             visibility="public", group_id=None)
        _db.session.commit()
        assert fulltext.search(anon, "samverkan").total == 0
        assert [h.entry.id for h in fulltext.search(anon, "trygghet").hits] == [7]
        downgrade(revision="0007_followup")
        with _db.engine.connect() as conn:
            rows = conn.execute(text("SELECT rowid FROM fts_search WHERE fts_search MATCH "
                                     "'trygghetsvandring OR klotter' ORDER BY rowid")).scalars()
            assert list(rows) == [7, 8]
        _db.session.remove()
        _db.engine.dispose()


def test_0018_fills_each_indicators_newest_measurement_from_existing_data(tmp_path):
    """Indicators measured before 0018 get their newest measurement on upgrade; an indicator
    without measurements keeps none."""
    import datetime as dt

    from flask_migrate import upgrade
    from sqlalchemy import text

    from network import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="0015_accounts")
        now = {"now": dt.datetime(2025, 1, 1)}
        with _db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO followup_plans (id, municipality_code, title, start_year, end_year, "
                "description, description_html, created_at, updated_at) "
                "VALUES (1, '0180', 'Plan', 2025, 2027, '', '', :now, :now)"), now)
            conn.execute(text(
                "INSERT INTO followup_measures (id, plan_id, municipality_code, title, problem, "
                "description, description_html, theme, status, start_date, end_date, public_charts, "
                "created_at, updated_at) VALUES (1, 1, '0180', 'Åtgärd', '', '', '', 'trygghet', "
                "'pagar', '2025-01-01', '2026-12-31', 0, :now, :now)"), now)
            conn.execute(text(
                "INSERT INTO followup_indicators (id, measure_id, name, unit, source, baseline_value, "
                "baseline_date, desired_direction, created_at, updated_at) VALUES "
                "(:id, 1, 'Andel trygga', 'procent', '', 40, '2024-12-31', '', :now, :now)"),
                [{"id": 1, **now}, {"id": 2, **now}])
            conn.execute(text(
                "INSERT INTO followup_measurements (indicator_id, date, value, comment, created_at) "
                "VALUES (1, :day, :value, '', :now)"),
                [{"day": day, "value": value, **now}
                 for day, value in (("2025-06-30", 45.0), ("2025-12-31", 48.5), ("2025-03-31", 41.0))])
        upgrade()
        with _db.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, latest_value, latest_date FROM followup_indicators ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 48.5, "2025-12-31"), (2, None, None)]
        _db.engine.dispose()


def _old_forum(conn, now: dict) -> None:
    """A forum as the revisions before 0023 wrote it: an author in an organisation in 0180, one
    without an organisation, four posts (one deleted), the first at New Year in Stockholm."""
    import datetime as dt

    from sqlalchemy import text

    flags = {**now, "yes": True, "no": False}  # booleans as PostgreSQL wants them
    conn.execute(text(
        "INSERT INTO organisations (id, name, type, municipality_code, created_at, updated_at) "
        "VALUES (1, 'Kommunen', 'kommun', '0180', :now, :now)"), now)
    conn.execute(text(
        "INSERT INTO users (id, email, name, title, phone, role, active, email_notifications, "
        "organisation_id, created_at, updated_at) VALUES "
        "(:id, :email, 'Namn', '', '', 'member', :yes, 'immediately', :org, :now, :now)"),
        [{"id": 1, "email": "a@example.se", "org": 1, **flags},
         {"id": 2, "email": "b@example.se", "org": None, **flags}])
    conn.execute(text(
        "INSERT INTO forum_categories (id, name, description, visibility, position, is_qa, "
        "archived, topic_count, created_at, updated_at) "
        "VALUES (1, 'Allmänt', '', 'members', 0, :no, :no, 1, :now, :now)"), flags)
    conn.execute(text(
        "INSERT INTO forum_topics (id, category_id, author_id, title, created_at, last_post_at, "
        "last_number, reply_count, pinned, locked, closed) "
        "VALUES (1, 1, 1, 'Ämne', :now, :now, 4, 3, :no, :no, :no)"), flags)
    # 23:30 UTC on New Year's Eve is 00:30 on 1 January in Stockholm.
    conn.execute(text(
        "INSERT INTO forum_posts (id, topic_id, number, author_id, body, body_html, created_at, "
        "deleted_at) VALUES (:n, 1, :n, :author, 'x', 'x', :at, :deleted)"),
        [{"n": 1, "author": 1, "at": dt.datetime(2024, 12, 31, 23, 30), "deleted": None},
         {"n": 2, "author": 2, "at": dt.datetime(2025, 3, 1, 12), "deleted": None},
         {"n": 3, "author": 2, "at": dt.datetime(2025, 3, 1, 13), "deleted": None},
         {"n": 4, "author": 1, "at": dt.datetime(2025, 3, 1, 14),
          "deleted": dt.datetime(2025, 3, 2)}])


def _running_totals(conn):
    from sqlalchemy import text

    days = conn.execute(text("SELECT day, municipality_code, topics, replies "
                             "FROM forum_activity_days ORDER BY day, municipality_code")).all()
    authors = conn.execute(text("SELECT year, user_id, posts FROM forum_author_years "
                                "ORDER BY year, user_id")).all()
    return [(str(d), *rest) for d, *rest in days], [tuple(r) for r in authors]


def test_0022_counts_existing_posts_into_the_running_totals(tmp_path):
    """Posts written before 0022 are counted per Stockholm day and municipality, and per author
    and year; deleted posts are not."""
    import datetime as dt

    from flask_migrate import upgrade

    from network import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="0021_jobs")
        with _db.engine.begin() as conn:
            _old_forum(conn, {"now": dt.datetime(2025, 1, 1)})
        upgrade()
        with _db.engine.connect() as conn:
            days, authors = _running_totals(conn)
        assert days == [("2025-01-01", "0180", 1, 0), ("2025-03-01", "", 0, 2)]
        assert authors == [(2025, 1, 1), (2025, 2, 2)]
        _db.engine.dispose()


@contextmanager
def _old_database(tmp_path):
    """An empty database on the test run's backend (PostgreSQL in its pass), dropped after."""
    from tests.conftest import backend, fresh_postgres_database

    if backend() != "postgres":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with fresh_postgres_database("network_migrate") as url:  # its sessions are ended first
        yield url


def test_0023_stores_each_existing_posts_municipality_and_keeps_the_totals(tmp_path):
    """Posts written before 0023 get the municipality 0022 counted them for (their author's
    organisation's; none without one, or without an author); the running totals do not change,
    and deleting such a post afterwards uncounts it there. Downgrading drops only the column.
    On the test run's backend: the backfill is one UPDATE ... FROM, which both must run."""
    import datetime as dt

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from network import create_app
    from network.forums import services
    from network.forums.models import Post
    from tests.conftest import make_config

    with _old_database(tmp_path) as url, create_app(make_config(url, tmp_path)).app_context():
        upgrade(revision="0021_jobs")
        now = {"now": dt.datetime(2025, 1, 1)}
        with _db.engine.begin() as conn:
            _old_forum(conn, now)
            conn.execute(text(  # a deleted member's post (its author set to NULL)
                "INSERT INTO forum_posts (id, topic_id, number, author_id, body, body_html, "
                "created_at) VALUES (5, 1, 5, NULL, 'x', 'x', :now)"), now)
        upgrade(revision="0022_scale2")
        with _db.engine.connect() as conn:
            before = _running_totals(conn)
        upgrade()
        with _db.engine.connect() as conn:
            stored = conn.execute(text(
                "SELECT id, municipality_code FROM forum_posts ORDER BY id")).all()
            assert _running_totals(conn) == before
        assert [tuple(r) for r in stored] == [(1, "0180"), (2, None), (3, None), (4, "0180"),
                                              (5, None)]

        with _db.engine.begin() as conn:  # the author moves on
            conn.execute(text("UPDATE users SET organisation_id = NULL WHERE id = 1"))
        post = _db.session.get(Post, 1)
        services.delete_post(post.author, post)
        _db.session.commit()
        with _db.engine.connect() as conn:
            assert _running_totals(conn)[0] == [("2025-01-01", "", 0, 1), ("2025-01-01", "0180", 0, 0),
                                                ("2025-03-01", "", 0, 2)]

        downgrade(revision="0022_scale2")
        with _db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM forum_posts")).scalar() == 5
        _db.session.remove()
        _db.engine.dispose()


def _insert(conn, table_name: str, /, **values) -> None:
    """A row in ``table_name`` as the database's schema has it now: the given values, and a plain
    filler for every other required column without a default."""
    import datetime as dt

    import sqlalchemy as sa

    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    fillers = {int: 0, str: "", bool: False, float: 0.0, dt.datetime: dt.datetime(2025, 1, 1),
               dt.date: dt.date(2025, 1, 1)}
    row = {c.name: fillers[c.type.python_type] for c in table.columns
           if not (c.nullable or c.server_default is not None or c.name in values)}
    conn.execute(table.insert().values(**row, **values))


def test_0023_backfills_seats_taken_and_downloads_so_far(tmp_path):
    """Events existing before 0023 get their seats taken (registered, not waitlisted), and the
    downloads so far are the resources' counters summed: the totals the overview now reads."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from network import create_app
    from network.events import attendance
    from network.resources import services as resources
    from tests.conftest import make_config

    with _old_database(tmp_path) as url, create_app(make_config(url, tmp_path)).app_context():
        upgrade(revision="0022_scale2")
        with _db.engine.begin() as conn:
            for user_id in (1, 2, 3):
                _insert(conn, "users", id=user_id, email=f"{user_id}@example.se", active=True)
            _insert(conn, "groups", id=1, name="Grupp", slug="grupp", kind="thematic",
                    visibility="members")
            for event_id in (1, 2):
                _insert(conn, "events", id=event_id, group_id=1, title="Träff", status="scheduled",
                        visibility="members")
            for user_id, status in ((1, "registered"), (2, "registered"), (3, "waitlisted")):
                _insert(conn, "event_registrations", id=user_id, event_id=1, user_id=user_id,
                        status=status)
            for resource_id, downloads in ((1, 4), (2, 3)):
                _insert(conn, "resources", id=resource_id, title="Metodstöd", year=2025,
                        visibility="public", effective_visibility="public", download_count=downloads)
        upgrade()
        with _db.engine.connect() as conn:
            seats = conn.execute(text("SELECT id, registered_total FROM events ORDER BY id")).all()
        assert [tuple(r) for r in seats] == [(1, 2), (2, 0)]
        assert attendance.stats()["registrations"] == 2  # both events ended in 2025
        assert resources.stats()["downloads_total"] == 7
        _db.session.remove()
        _db.engine.dispose()


def test_0024_indexes_public_resources_by_id_and_keeps_them(tmp_path):
    """0024 adds only an index: existing resources stay, and a visitor's newest-first page reads
    through it without sorting every public resource."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from network import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="0023_post_municipality")
        with _db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO resources (id, title, summary, type, language, licence, year, "
                "visibility, effective_visibility, review_status, review_note, override_reason, "
                "download_count, created_at, updated_at) VALUES (:id, :title, '', 'metodstod', 'sv', "
                "'cc-by-4.0', 2025, :vis, :vis, 'not_needed', '', '', 0, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"),
                [{"id": n, "title": f"Stöd {n}", "vis": "public" if n % 2 else "members"}
                 for n in range(1, 7)])
        page = ("SELECT id FROM resources WHERE effective_visibility = 'public' "
                "ORDER BY id DESC LIMIT 2")

        def plan() -> str:
            with _db.engine.connect() as conn:
                assert [r[0] for r in conn.execute(text(page))] == [5, 3]
                return " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + page)))

        assert "TEMP B-TREE" in plan()  # before: every public resource read and sorted
        upgrade()
        after = plan()
        assert "ix_resources_visibility_id" in after and "TEMP B-TREE" not in after
        downgrade(revision="0023_post_municipality")
        with _db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM resources")).scalar() == 6
        _db.engine.dispose()


def test_0025_answers_the_unread_badges_from_an_index_and_keeps_the_topics(tmp_path):
    """0025 adds only an index: topics stay, and a category's "with news" badge reads its most
    recently active topics, not deleted, through it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from network import create_app
    from tests.conftest import make_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="0024_apilist")
        with _db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO forum_categories (id, name, description, visibility, position, is_qa, "
                "theme, archived, topic_count, created_at, updated_at) VALUES (1, 'Samverkan', '', "
                "'members', 0, 0, '', 0, 4, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO forum_topics (id, category_id, title, created_at, last_post_at, "
                "last_number, reply_count, pinned, locked, closed, deleted_at) VALUES (:id, 1, "
                ":title, '2026-01-0' || :id, '2026-02-0' || :id, :id, :id - 1, 0, 0, 0, :deleted)"),
                [{"id": n, "title": f"Ämne {n}", "deleted": "2026-03-01" if n == 3 else None}
                 for n in range(1, 6)])
        badge = ("SELECT id, last_number FROM forum_topics WHERE category_id = 1 AND deleted_at IS NULL "
                 "AND last_post_at > '2026-02-01' ORDER BY last_post_at DESC LIMIT 100")

        def plan() -> str:
            with _db.engine.connect() as conn:
                assert [tuple(r) for r in conn.execute(text(badge))] == [(5, 5), (4, 4), (2, 2)]
                return " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + badge)))

        assert "ix_forum_topics_category_unread" not in plan()
        upgrade()
        # The deleted topic is left out of the index itself; on PostgreSQL, where the topic's id
        # and last number are read from the index, the scan never visits the table.
        assert "USING INDEX ix_forum_topics_category_unread (category_id=? AND last_post_at>?)" in plan()
        downgrade(revision="0024_apilist")
        with _db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM forum_topics")).scalar() == 5
        _db.engine.dispose()


def test_0026_stores_each_resources_municipality_and_counts_the_days_it_was_shared(tmp_path):
    """Resources existing before 0026 get the municipality of their sharer's organisation (none
    without one, or without a sharer) and are counted per Stockholm day there: the figures the
    county view read by joining before. A resource deleted afterwards, its sharer having moved
    on, leaves the municipality it was counted for. Downgrading drops the column and the table
    and keeps the resources. On the test run's backend: both must run the UPDATE ... FROM."""
    import datetime as dt

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy import text

    from network import create_app
    from network.resources import activity, services, totals
    from network.resources.models import Resource
    from network.totals import STOCKHOLM
    from tests.conftest import make_config

    def share_days(conn):
        return [(str(d), c, n) for d, c, n in conn.execute(text(
            "SELECT day, municipality_code, shared FROM resource_share_days "
            "ORDER BY day, municipality_code"))]

    with _old_database(tmp_path) as url, create_app(make_config(url, tmp_path)).app_context():
        upgrade(revision="0025_unread")
        with _db.engine.begin() as conn:
            _insert(conn, "organisations", id=1, name="Kommunen", type="kommun", municipality_code="0180")
            _insert(conn, "users", id=1, email="a@example.se", active=True, organisation_id=1)
            _insert(conn, "users", id=2, email="b@example.se", active=True)  # no organisation
            # 23:30 UTC on New Year's Eve is 00:30 on 1 January in Stockholm.
            for resource_id, sharer, at in ((1, 1, dt.datetime(2024, 12, 31, 23, 30)),
                                            (2, 1, dt.datetime(2025, 1, 1, 12)),
                                            (3, 2, dt.datetime(2025, 3, 1, 12)),
                                            (4, None, dt.datetime(2025, 3, 1, 13))):
                _insert(conn, "resources", id=resource_id, title="Metodstöd", year=2025,
                        visibility="members", effective_visibility="members",
                        created_by_id=sharer, created_at=at)
        upgrade()
        with _db.engine.connect() as conn:
            stored = conn.execute(text("SELECT id, municipality_code FROM resources ORDER BY id")).all()
            assert share_days(conn) == [("2025-01-01", "0180", 2), ("2025-03-01", "", 2)]
        assert [tuple(r) for r in stored] == [(1, "0180"), (2, "0180"), (3, None), (4, None)]
        assert totals.shared_drift() == 0
        year = (dt.datetime(2025, 1, 1, tzinfo=STOCKHOLM),  # whole days: read from the totals
                dt.datetime.combine(dt.date(2025, 12, 31), dt.time.max, tzinfo=STOCKHOLM))
        assert activity.shared_by_municipality(*year) == {"0180": 2, None: 2}

        with _db.engine.begin() as conn:  # the sharer moves on
            conn.execute(text("UPDATE users SET organisation_id = NULL WHERE id = 1"))
        resource = _db.session.get(Resource, 1)
        services.delete_resource(resource.created_by, resource)
        _db.session.commit()
        with _db.engine.connect() as conn:
            assert share_days(conn) == [("2025-01-01", "0180", 1), ("2025-03-01", "", 2)]
        assert activity.shared_by_municipality(*year) == {"0180": 1, None: 2}
        _db.session.commit()  # its read ends: PostgreSQL's DROP TABLE would wait for it

        downgrade(revision="0025_unread")
        with _db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM resources")).scalar() == 3
            columns = {c["name"] for c in sa_inspect(conn).get_columns("resources")}
            assert "municipality_code" not in columns
            assert not sa_inspect(conn).has_table("resource_share_days")
        _db.session.remove()
        _db.engine.dispose()


def test_0027_sums_the_forums_day_totals_per_month(tmp_path):
    """Existing day totals are summed into month rows; a programme year then reads the months
    and equals the days. Downgrading drops the table and keeps the day totals."""
    import datetime as dt

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy import text

    from network import create_app
    from network.forums import activity, tallies
    from network.totals import STOCKHOLM
    from tests.conftest import make_config

    with _old_database(tmp_path) as url, create_app(make_config(url, tmp_path)).app_context():
        upgrade(revision="0026_resource_days")
        with _db.engine.begin() as conn:
            for day, code, topics, replies in (("2025-01-01", "0180", 1, 2), ("2025-01-31", "0180", 0, 3),
                                               ("2025-02-01", "0180", 2, 0), ("2025-02-10", "", 1, 1)):
                _insert(conn, "forum_activity_days", day=dt.date.fromisoformat(day),
                        municipality_code=code, topics=topics, replies=replies)
        upgrade()
        with _db.engine.connect() as conn:
            months = [(str(m), c, t, r) for m, c, t, r in conn.execute(text(
                "SELECT month, municipality_code, topics, replies FROM forum_activity_months "
                "ORDER BY month, municipality_code"))]
        assert months == [("2025-01-01", "0180", 1, 5), ("2025-02-01", "", 1, 1),
                          ("2025-02-01", "0180", 2, 0)]
        year = (dt.datetime(2025, 1, 1, tzinfo=STOCKHOLM),
                dt.datetime.combine(dt.date(2025, 12, 31), dt.time.max, tzinfo=STOCKHOLM))
        assert activity.posts_by_municipality(*year) == {
            "0180": {"topics": 3, "replies": 5}, None: {"topics": 1, "replies": 1}}
        assert tallies.totals((dt.date(2025, 1, 15), dt.date(2025, 2, 28)))["posts"] == 7
        _db.session.commit()  # its read ends: PostgreSQL's DROP TABLE would wait for it

        downgrade(revision="0026_resource_days")
        with _db.engine.connect() as conn:
            assert not sa_inspect(conn).has_table("forum_activity_months")
            assert conn.execute(text("SELECT count(*) FROM forum_activity_days")).scalar() == 4
        _db.session.remove()
        _db.engine.dispose()
