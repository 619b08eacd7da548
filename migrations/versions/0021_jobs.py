"""jobs: uploaded files' text is read by a background job; ``extracted_at`` says when

``resource_files.extracted_at`` is empty while a file's text waits for its job
(network/resources/indexing.py). Files already stored were read during their upload, so the
upgrade sets it to their ``created_at``: nothing is read again.

Revision ID: 0021_jobs
Revises: 0020_scale
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_jobs'
down_revision = '0020_scale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resource_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extracted_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE resource_files SET extracted_at = created_at")


def downgrade():
    with op.batch_alter_table('resource_files', schema=None) as batch_op:
        batch_op.drop_column('extracted_at')
