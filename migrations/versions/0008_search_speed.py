"""search speed: SQLite FTS5 with prefix indexes over search_entries, kept in step by triggers

Revision ID: 0008_search_speed
Revises: 0007_followup
Create Date: 2026-11-26 21:30:00

SQLite only (PostgreSQL keeps its generated tsvector and GIN index):

- ``fts_search`` becomes an external-content FTS5 table over ``search_entries`` (no second copy
  of every title and body) with prefix indexes for 3 to 10 characters, so a query word that
  starts many compounds ("samverkan" → "samverkansgrupp", ...) is one index lookup instead of a
  merge of every matching word's list. Triggers on ``search_entries`` keep it in step, so no
  code path can forget to.

Upgrading rebuilds the index from ``search_entries`` (which holds all the text); downgrading
restores the previous table and fills it the same way.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_search_speed'
down_revision = '0007_followup'
branch_labels = None
depends_on = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
TRIGGERS = ("search_entries_fts_insert", "search_entries_fts_delete", "search_entries_fts_update")
_DELETE = ("INSERT INTO fts_search (fts_search, rowid, title, body, stems) "
           "VALUES ('delete', old.id, old.title, old.body, old.stems);")
_INSERT = ("INSERT INTO fts_search (rowid, title, body, stems) "
           "VALUES (new.id, new.title, new.body, new.stems);")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if not _sqlite():
        return
    op.execute("DROP TABLE IF EXISTS fts_search")
    op.execute(
        "CREATE VIRTUAL TABLE fts_search USING fts5(title, body, stems, "
        "content = 'search_entries', content_rowid = 'id', "
        f"prefix = '3 4 5 6 7 8 9 10', {TOKENIZE})"
    )
    op.execute(f"CREATE TRIGGER search_entries_fts_insert AFTER INSERT ON search_entries "
               f"BEGIN {_INSERT} END")
    op.execute(f"CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries "
               f"BEGIN {_DELETE} END")
    # Only text changes touch the index; an access change (update_access) does not.
    op.execute(f"CREATE TRIGGER search_entries_fts_update AFTER UPDATE OF title, body, stems "
               f"ON search_entries BEGIN {_DELETE} {_INSERT} END")
    op.execute("INSERT INTO fts_search (fts_search) VALUES ('rebuild')")


def downgrade():
    if not _sqlite():
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS fts_search")
    op.execute(f"CREATE VIRTUAL TABLE fts_search USING fts5(title, body, stems, {TOKENIZE})")
    op.execute("INSERT INTO fts_search (rowid, title, body, stems) "
               "SELECT id, title, body, stems FROM search_entries")
