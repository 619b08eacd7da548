"""forum months: the forum's running totals summed per calendar month

Revision ID: 0027_forum_months
Revises: 0026_resource_days
Create Date: 2026-12-06 23:00:00

- ``forum_activity_months`` (month: its first day, municipality_code "" for none, topics,
  replies): ``forum_activity_days`` summed per month, kept by the same writes
  (network/forums/tallies.py). A programme year then reads twelve rows per municipality instead
  of up to 365 (47,000 rows, 14 ms of the county view and the overview at national scale);
  only a period's partial months read days.
- Backfill: the day rows summed per month (in Python, so both databases agree on the month).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_forum_months'
down_revision = '0026_resource_days'
branch_labels = None
depends_on = None


def upgrade():
    months = op.create_table(
        "forum_activity_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("topics", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "municipality_code", name=op.f("pk_forum_activity_months")),
    )
    days = sa.table("forum_activity_days", sa.column("day", sa.Date()), sa.column("municipality_code"),
                    sa.column("topics"), sa.column("replies"))
    sums: dict = {}
    for day, code, topics, replies in op.get_bind().execute(
            sa.select(days.c.day, days.c.municipality_code, days.c.topics, days.c.replies)):
        tally = sums.setdefault((day.replace(day=1), code), [0, 0])
        tally[0] += topics
        tally[1] += replies
    rows = [{"month": m, "municipality_code": c, "topics": t, "replies": r}
            for (m, c), (t, r) in sums.items()]
    for start in range(0, len(rows), 5000):
        op.bulk_insert(months, rows[start:start + 5000])


def downgrade():
    op.drop_table("forum_activity_months")
