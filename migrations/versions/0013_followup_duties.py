"""followup: the law's duties, review by someone else, and attendance at events

Lag (2023:196) asks each municipality for a lägesbild, an åtgärdsplan and a samordningsfunktion.
The lägesbild already has its table; this adds the decisions on a plan and the coordination
function's history. Experience reports and public indicator charts record who reviewed them
and why an admin overrode the review. New tables and nullable/defaulted columns: existing data
is untouched. Attendance (who came, and the check-in code of an occurrence) lives in two new
event tables, kept apart from registrations.

Revision ID: 0013_followup
Revises: 0012_perf
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_followup'
down_revision = '0012_perf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followup_plan_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('next_revision_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_followup_plan_decisions_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['plan_id'], ['followup_plans.id'], name=op.f('fk_followup_plan_decisions_plan_id_followup_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_followup_plan_decisions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_plan_decisions'))
    )
    with op.batch_alter_table('followup_plan_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_plan_decisions_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_plan_decisions_plan_id'), ['plan_id'], unique=False)

    op.create_table('followup_coordination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('organised_as', sa.Text(), nullable=False),
    sa.Column('placement', sa.String(length=200), nullable=False),
    sa.Column('contacts', sa.Text(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_followup_coordination_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_followup_coordination_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_coordination'))
    )
    with op.batch_alter_table('followup_coordination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_coordination_municipality_code'), ['municipality_code'], unique=False)

    with op.batch_alter_table('followup_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('override_reason', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('followup_measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charts_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('charts_reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('charts_reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('charts_override_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_followup_measures_charts_requested_by_id_users'), 'users', ['charts_requested_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_followup_measures_charts_reviewed_by_id_users'), 'users', ['charts_reviewed_by_id'], ['id'], ondelete='SET NULL')


    op.create_table('event_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_attendance_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_event_attendance_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_attendance_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attendance')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_attendance_event_id'))
    )
    with op.batch_alter_table('event_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_attendance_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('event_checkin_codes',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_checkin_codes_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_event_checkin_codes_opened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_checkin_codes'))
    )


def downgrade():
    op.drop_table('event_checkin_codes')
    with op.batch_alter_table('event_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_attendance_event_id'))
    op.drop_table('event_attendance')
    with op.batch_alter_table('followup_measures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_followup_measures_charts_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_followup_measures_charts_requested_by_id_users'), type_='foreignkey')
        batch_op.drop_column('charts_override_reason')
        batch_op.drop_column('charts_reviewed_at')
        batch_op.drop_column('charts_reviewed_by_id')
        batch_op.drop_column('charts_requested_by_id')

    with op.batch_alter_table('followup_reports', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
        batch_op.drop_column('review_note')

    with op.batch_alter_table('followup_coordination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_coordination_municipality_code'))
    op.drop_table('followup_coordination')
    with op.batch_alter_table('followup_plan_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_plan_decisions_plan_id'))
        batch_op.drop_index(batch_op.f('ix_followup_plan_decisions_municipality_code'))
    op.drop_table('followup_plan_decisions')
