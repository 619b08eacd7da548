"""roles: programme staff and county-board staff (users.county_code)

The new network roles are new values of the existing ``users.role`` string column; only the
county a county-board person oversees needs a column.

Revision ID: 0009_roles
Revises: 0008_search_speed
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_roles'
down_revision = '0008_search_speed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_code', sa.String(length=2), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_county_code'), ['county_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_county_code_counties'), 'counties',
                                    ['county_code'], ['code'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_county_code_counties'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_county_code'))
        batch_op.drop_column('county_code')
