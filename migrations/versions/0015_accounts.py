"""accounts: server-side sessions, expert marking, directory choices, account requests

user_sessions replaces the per-user session token; user_expertise marks experts by library
theme; users.show_email/show_phone are what the member directory may show; account_requests holds
requests to join from people not yet in the network.

Revision ID: 0015_accounts
Revises: 0014_search
"""
from alembic import op
import sqlalchemy as sa



revision = '0015_accounts'
down_revision = '0014_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash')),
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'], unique=False)
    op.create_table(
        'user_expertise',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_user_expertise_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'theme', name=op.f('pk_user_expertise')),
    )
    with op.batch_alter_table('user_expertise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_expertise_theme'), ['theme'], unique=False)
    op.create_table(
        'account_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('role_title', sa.String(length=120), nullable=False),
        sa.Column('municipality_code', sa.String(length=4), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_message', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_account_requests_decided_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'],
                                name=op.f('fk_account_requests_municipality_code_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_requests')),
    )
    with op.batch_alter_table('account_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_requests_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_requests_status'), ['status'], unique=False)
    # Signed-in cookies carried this token; every session now lives in user_sessions instead
    # (members sign in once more after the upgrade).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
        batch_op.add_column(sa.Column('show_email', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('show_phone', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('show_phone')
        batch_op.drop_column('show_email')
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('account_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_requests_status'))
        batch_op.drop_index(batch_op.f('ix_account_requests_email'))
    op.drop_table('account_requests')
    with op.batch_alter_table('user_expertise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_expertise_theme'))
    op.drop_table('user_expertise')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
