"""experts: forum categories carry a library theme; an invitation may join several groups

forum_categories.theme routes questions in a Q&A category to the experts of that theme (NULL: no
routing); invitation_groups holds the further groups of an invitation (a bulk-invitation row may
name several; invitations.group_id stays the first); followup_measures.created_by_id records who
wrote a measure, for the person's data export (NULL for older measures).

Revision ID: 0016_experts
Revises: 0015_accounts
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_experts'
down_revision = '0015_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_forum_categories_theme'), ['theme'], unique=False)
    with op.batch_alter_table('followup_measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_followup_measures_created_by_id_users'),
                                    'users', ['created_by_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'invitation_groups',
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'],
                                name=op.f('fk_invitation_groups_invitation_id_invitations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name=op.f('fk_invitation_groups_group_id_groups'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('invitation_id', 'group_id', name=op.f('pk_invitation_groups')),
    )
    with op.batch_alter_table('invitation_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_groups_group_id'), ['group_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('invitation_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_groups_group_id'))
    op.drop_table('invitation_groups')
    with op.batch_alter_table('followup_measures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_followup_measures_created_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('created_by_id')
    with op.batch_alter_table('forum_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_categories_theme'))
        batch_op.drop_column('theme')
