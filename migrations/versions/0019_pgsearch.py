"""search at scale on PostgreSQL: each entry's vectors carry the token of its id's block

Revision ID: 0019_pgsearch
Revises: 0018_followup
Create Date: 2026-12-06 08:30:00

PostgreSQL only (SQLite's FTS5 seeks to a rowid range by itself, nothing changes there):
``search_tsv`` and ``title_tsv`` are regenerated with one more lexeme, ``~<id / 4096>``, the
block of 4,096 consecutive entry ids the entry belongs to. A search for the newest matches then
asks the GIN index for "the words AND one of the newest blocks" (``network/fulltext/query.py``),
so the index returns only the matches of those blocks, however common the words are, and the
table is read for them alone. The lexeme cannot collide with a word: tokens are letters and
digits only.

The columns are generated from columns the rows already hold, so the upgrade rebuilds them from
existing data in one table rewrite (both columns dropped and added in one statement) and builds
the two GIN indexes again; nothing is re-indexed by hand. Downgrading restores 0014's columns.
"""
from alembic import op

revision = '0019_pgsearch'
down_revision = '0018_followup'
branch_labels = None
depends_on = None

# Keep in step with network.fulltext.blocks.BLOCK_ROWS (a test checks an entry's block lexeme).
BLOCK = "array_to_tsvector(ARRAY['~' || (id / 4096)::text])"
SEARCH = ("setweight(to_tsvector('simple', title_terms), 'A') || "
          "setweight(to_tsvector('simple', body_terms), 'B') || "
          "setweight(to_tsvector('simple', part_terms), 'D')")
TITLE = "to_tsvector('simple', title_terms)"


def _columns(search: str, title: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_search_entries_search_tsv")
    op.execute("DROP INDEX IF EXISTS ix_search_entries_title_tsv")
    op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS search_tsv, "
               "DROP COLUMN IF EXISTS title_tsv, "
               f"ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ({search}) STORED, "
               f"ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS ({title}) STORED")
    op.execute("CREATE INDEX ix_search_entries_search_tsv ON search_entries USING gin (search_tsv)")
    op.execute("CREATE INDEX ix_search_entries_title_tsv ON search_entries USING gin (title_tsv)")
    op.execute("ANALYZE search_entries")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _columns(f"{SEARCH} || {BLOCK}", f"{TITLE} || {BLOCK}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _columns(SEARCH, TITLE)
