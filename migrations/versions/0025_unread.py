"""unread: an index that answers the forum index's "with news" badges from the index alone

Revision ID: 0025_unread
Revises: 0024_apilist
Create Date: 2026-12-06 18:40:00

- ``ix_forum_topics_category_unread`` on ``forum_topics (category_id, last_post_at, id,
  last_number)`` for topics not deleted. Each category's badge reads its most recently active
  topics until 100 have news for the member (``forums.queries.unread_by_category``); with the
  topic's id and last post number in the index, PostgreSQL reads them without visiting the table.
  At national scale (665 categories, 100,000 topics) the badges of one forum page took 47 ms
  through the older index, reading ~16,000 table pages; through this one, 6.6 ms and none.
  Only an index is added: no row changes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_unread'
down_revision = '0024_apilist'
branch_labels = None
depends_on = None

NOT_DELETED = sa.text("deleted_at IS NULL")


def upgrade():
    op.create_index("ix_forum_topics_category_unread", "forum_topics",
                    ["category_id", "last_post_at", "id", "last_number"], unique=False,
                    postgresql_where=NOT_DELETED, sqlite_where=NOT_DELETED)


def downgrade():
    op.drop_index("ix_forum_topics_category_unread", table_name="forum_topics")
