"""apilist: an index that reads the library's public resources newest id first

Revision ID: 0024_apilist
Revises: 0023_post_municipality
Create Date: 2026-12-06 16:20:00

- ``ix_resources_visibility_id`` on ``resources (effective_visibility, id)``: the API's resource
  list for a visitor (``effective_visibility = 'public'``, newest id first, a page at a time) walks
  this index and stops after the page, instead of reading and sorting every public resource per
  request. Only an index is added: no row changes.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_apilist'
down_revision = '0023_post_municipality'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index("ix_resources_visibility_id", ["effective_visibility", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index("ix_resources_visibility_id")
