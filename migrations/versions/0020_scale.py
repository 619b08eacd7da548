"""scale: the forum category page reads its page of topics in index order

Revision ID: 0020_scale
Revises: 0019_pgsearch
Create Date: 2026-12-06 09:00:00

- ``forum_topics(category_id, pinned, last_post_at, id)``: a category lists pinned topics first,
  then the most recently active; with this index a category of 50,000 topics reads its 30 rows
  in order (scanned backwards) instead of sorting every topic of the category on each view.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_scale'
down_revision = '0019_pgsearch'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_forum_topics_category_order", "forum_topics", ["category_id", "pinned", "last_post_at", "id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
