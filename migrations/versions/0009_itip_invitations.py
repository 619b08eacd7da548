"""itip: calendar invitations sent per person and occurrence (or whole series), and the opt-out

Revision ID: 0009_itip
Revises: 0008_search_speed
Create Date: 2026-12-06 05:20:00

New tables only; nothing existing changes. Registrations made before the upgrade have no
invitation row: they keep their PUBLISH file, and the first change sends them an invitation
with the event's current SEQUENCE.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_itip'
down_revision = '0008_search_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('series_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_invitations_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['series_id'], ['event_series.id'],
                                name=op.f('fk_event_invitations_series_id_event_series'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_invitations_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_invitations')),
        sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_invitations_event_id')),
        sa.UniqueConstraint('series_id', 'user_id', name=op.f('uq_event_invitations_series_id')),
    )
    with op.batch_alter_table('event_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_invitations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_invitations_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_invitations_user_id'), ['user_id'], unique=False)
    op.create_table(
        'event_invitation_opt_outs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_event_invitation_opt_outs_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_event_invitation_opt_outs')),
    )


def downgrade():
    op.drop_table('event_invitation_opt_outs')
    with op.batch_alter_table('event_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_invitations_series_id'))
        batch_op.drop_index(batch_op.f('ix_event_invitations_event_id'))
    op.drop_table('event_invitations')
