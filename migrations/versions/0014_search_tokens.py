"""search tokens: one normalisation in Python, matched the same way by SQLite and PostgreSQL

Revision ID: 0014_search
Revises: 0013_followup
Create Date: 2026-12-06 05:30:00

- ``search_entries`` gets ``title_terms``, ``body_terms``, ``part_terms`` (tokens written by
  ``network.fulltext.words``), ``boost``, ``themes`` and ``places``; ``stems`` goes (the tokens
  replace it).
- ``search_terms``: the vocabulary for spelling help.
- SQLite: ``fts_search`` indexes the three token columns (external content, triggers as before).
- PostgreSQL: ``search_tsv`` is rebuilt with the ``simple`` configuration over the token columns.

Existing entries are tokenised during the upgrade (their title and body are all that is needed),
so nothing has to be re-indexed by hand. Downgrading restores 0008's shape and fills ``stems``.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_search'
down_revision = '0013_followup'
branch_labels = None
depends_on = None

TRIGGERS = ("search_entries_fts_insert", "search_entries_fts_delete", "search_entries_fts_update")
COLUMNS = "title_terms, body_terms, part_terms"
PG_TSV = ("ALTER TABLE search_entries ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
          "setweight(to_tsvector('simple', title_terms), 'A') || "
          "setweight(to_tsvector('simple', body_terms), 'B') || "
          "setweight(to_tsvector('simple', part_terms), 'D')) STORED")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_sqlite_index() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS fts_search")


def _sqlite_index(columns: str) -> None:
    names = [c.strip() for c in columns.split(",")]
    old = ", ".join(f"old.{c}" for c in names)
    new = ", ".join(f"new.{c}" for c in names)
    # Column names are this module's constants, never input.
    delete = f"INSERT INTO fts_search (fts_search, rowid, {columns}) VALUES ('delete', old.id, {old});"  # noqa: S608
    insert = f"INSERT INTO fts_search (rowid, {columns}) VALUES (new.id, {new});"  # noqa: S608
    op.execute(f"CREATE VIRTUAL TABLE fts_search USING fts5({columns}, content = 'search_entries', "
               "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0')")
    op.execute(f"CREATE TRIGGER search_entries_fts_insert AFTER INSERT ON search_entries BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER search_entries_fts_update AFTER UPDATE OF {columns} ON search_entries "
               f"BEGIN {delete} {insert} END")
    op.execute("INSERT INTO fts_search (fts_search) VALUES ('rebuild')")


def _tokenise_existing() -> None:
    from network.fulltext.words import entry_tokens

    conn = op.get_bind()
    terms = sa.table("search_terms", sa.column("term"), sa.column("display"))
    vocabulary: dict[str, str] = {}
    last = 0
    while True:
        rows = conn.execute(sa.text("SELECT id, title, body FROM search_entries WHERE id > :last "
                                    "ORDER BY id LIMIT 1000"), {"last": last}).all()
        if not rows:
            break
        for row in rows:
            tokens = entry_tokens(row.title or "", row.body or "")
            conn.execute(sa.text("UPDATE search_entries SET title_terms = :t, body_terms = :b, "
                                 "part_terms = :p WHERE id = :id"),
                         {"t": tokens.title, "b": tokens.body, "p": tokens.parts, "id": row.id})
            for term, display in tokens.vocabulary.items():
                vocabulary.setdefault(term, display[:60])
        last = rows[-1].id
    rows = [{"term": t, "display": d} for t, d in sorted(vocabulary.items())]
    for start in range(0, len(rows), 1000):
        op.bulk_insert(terms, rows[start:start + 1000])


def upgrade():
    if _sqlite():
        _drop_sqlite_index()
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_search_tsv")
        op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS search_tsv")
    op.create_table('search_terms',
                    sa.Column('term', sa.String(length=60), nullable=False),
                    sa.Column('display', sa.String(length=60), nullable=False),
                    sa.PrimaryKeyConstraint('term', name=op.f('pk_search_terms')))
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        for name in ("title_terms", "body_terms", "part_terms"):
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('boost', sa.SmallInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('themes', sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('places', sa.String(length=300), nullable=False, server_default=""))
        batch_op.drop_column('stems')
    _tokenise_existing()
    if _sqlite():
        _sqlite_index(COLUMNS)
    else:
        op.execute(PG_TSV)
        op.execute("CREATE INDEX ix_search_entries_search_tsv ON search_entries USING gin (search_tsv)")
        # The title alone (small, never toasted): "every word in the title" candidates for ranking.
        op.execute("ALTER TABLE search_entries ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS ("
                   "to_tsvector('simple', title_terms)) STORED")
        op.execute("CREATE INDEX ix_search_entries_title_tsv ON search_entries USING gin (title_tsv)")


def downgrade():
    if _sqlite():
        _drop_sqlite_index()
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_search_tsv")
        op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS search_tsv")
        op.execute("DROP INDEX IF EXISTS ix_search_entries_title_tsv")
        op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS title_tsv")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stems', sa.Text(), nullable=False, server_default=""))
        for name in ("places", "themes", "boost", "part_terms", "body_terms", "title_terms"):
            batch_op.drop_column(name)
    op.drop_table('search_terms')
    from network.fulltext.words import normalise_word, words_of

    conn = op.get_bind()
    for row in conn.execute(sa.text("SELECT id, title, body FROM search_entries")).all():
        stems = " ".join(normalise_word(w) for w in words_of(f"{row.title} {row.body}"))
        conn.execute(sa.text("UPDATE search_entries SET stems = :s WHERE id = :id"),
                     {"s": stems, "id": row.id})
    if _sqlite():
        _sqlite_index("title, body, stems")
    else:
        op.execute(
            "ALTER TABLE search_entries ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('swedish', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('swedish', coalesce(body, '')), 'B') || "
            "setweight(to_tsvector('simple', coalesce(stems, '')), 'D')) STORED")
        op.execute("CREATE INDEX ix_search_entries_search_tsv ON search_entries USING gin (search_tsv)")
