"""followup: the newest measurement kept per indicator, downloads by day, library override reason

followup_indicators.latest_value/latest_date hold each indicator's newest measurement, kept on
every write, so the programme overview need not search all measurements; existing indicators
are backfilled from their measurements. resource_downloads records each download without
anything personal (the day, the downloader's municipality and organisation type), so follow-up
can count downloads per municipality and period; downloads before this revision stay only in the
counters. resources.override_reason keeps why an admin published without an independent review.
Only new nullable/defaulted columns and a new table: existing data is untouched.

Revision ID: 0018_followup
Revises: 0017_sso
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_followup'
down_revision = '0017_sso'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('followup_indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('latest_date', sa.Date(), nullable=True))
    op.execute(
        "UPDATE followup_indicators SET "
        "latest_date = (SELECT MAX(m.date) FROM followup_measurements m "
        "WHERE m.indicator_id = followup_indicators.id), "
        "latest_value = (SELECT m.value FROM followup_measurements m "
        "WHERE m.indicator_id = followup_indicators.id ORDER BY m.date DESC LIMIT 1)")
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.Text(), server_default='', nullable=False))
    op.create_table(
        'resource_downloads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('municipality_code', sa.String(length=4), nullable=True),
        sa.Column('organisation_type', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name=op.f('fk_resource_downloads_resource_id_resources'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_downloads')),
    )
    with op.batch_alter_table('resource_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_downloads_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_downloads_day'), ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('resource_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_downloads_day'))
        batch_op.drop_index(batch_op.f('ix_resource_downloads_resource_id'))
    op.drop_table('resource_downloads')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
    with op.batch_alter_table('followup_indicators', schema=None) as batch_op:
        batch_op.drop_column('latest_date')
        batch_op.drop_column('latest_value')
