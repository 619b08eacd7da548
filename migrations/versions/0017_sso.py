"""sso: identities at OpenID Connect providers, domains with password login turned off

sso_identities links a provider's subject to an account; password_login_blocks lists the email
domains whose members must sign in through single sign-on. Both are new tables: an existing
database keeps all its data.

Revision ID: 0017_sso
Revises: 0016_experts
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_sso'
down_revision = '0016_experts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_sso_identities_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identities')),
        sa.UniqueConstraint('provider', 'subject', name=op.f('uq_sso_identities_provider')),
    )
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identities_user_id'), ['user_id'], unique=False)
    op.create_table(
        'password_login_blocks',
        sa.Column('domain', sa.String(length=253), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_password_login_blocks_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('domain', name=op.f('pk_password_login_blocks')),
    )


def downgrade():
    op.drop_table('password_login_blocks')
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identities_user_id'))
    op.drop_table('sso_identities')
