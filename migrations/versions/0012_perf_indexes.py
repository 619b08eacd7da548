"""perf: indexes for the hot lists' order and filter

Revision ID: 0012_perf
Revises: 0011_api
Create Date: 2026-12-06 05:45:00

- ``forum_topics(last_post_at)``: the "latest topics" boxes (start page, forum index) read the
  newest topics across every category in index order instead of sorting them all.
- ``resources(created_at)``: the library's "newest" box, likewise.
- ``notifications(user_id, created_at)`` and ``notifications(user_id, read_at)``: a member's
  list (newest first) and their unread badge read only their own newest / unread rows, however
  many notifications they have.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_perf'
down_revision = '0011_api'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_forum_topics_last_post_at", "forum_topics", ["last_post_at"]),
    ("ix_resources_created_at", "resources", ["created_at"]),
    ("ix_notifications_user_created", "notifications", ["user_id", "created_at"]),
    ("ix_notifications_user_unread", "notifications", ["user_id", "read_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
