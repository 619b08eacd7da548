"""The migrations and the models describe the same schema, and upgrade keeps existing data."""

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
        return d[3].name == "search_tsv"
    if kind == "remove_index":
        return d[1].name == "ix_search_entries_search_tsv"
    return False
