"""resource days: running totals of resources shared per Stockholm day and municipality

Revision ID: 0026_resource_days
Revises: 0025_unread
Create Date: 2026-12-06 22:30:00

- ``resources.municipality_code``: the municipality of the sharer's organisation when the
  resource was shared (NULL: none), where the programme's figures count it, as
  ``forum_posts.municipality_code`` (0023). No foreign key: it is history, not a reference.
- ``resource_share_days`` (day, municipality_code "" for none, shared): the running totals the
  services keep on create and delete (network/resources/totals.py), so the county view and the
  overview read a row per day and municipality instead of joining every resource of the period
  to its sharer and their organisation (26-31 ms of the county view at national scale).
- Backfill: the column by one set-based UPDATE ... FROM from the sharer's organisation now (the
  place the figures counted resources for until now); the totals by counting every resource by
  its Stockholm day (computed in Python, so both databases agree) and that column.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_resource_days'
down_revision = '0025_unread'
branch_labels = None
depends_on = None

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def upgrade():
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("municipality_code", sa.String(length=4), nullable=True))
    resources = sa.table("resources", sa.column("created_by_id"), sa.column("municipality_code"),
                         sa.column("created_at", sa.DateTime()))
    users = sa.table("users", sa.column("id"), sa.column("organisation_id"))
    organisations = sa.table("organisations", sa.column("id"), sa.column("municipality_code"))
    op.execute(resources.update()
               .values(municipality_code=organisations.c.municipality_code)
               .where(resources.c.created_by_id == users.c.id,
                      users.c.organisation_id == organisations.c.id,
                      organisations.c.municipality_code.isnot(None)))
    days = op.create_table(
        "resource_share_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("shared", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "municipality_code", name=op.f("pk_resource_share_days")),
    )
    counts = {}
    rows = op.get_bind().execute(
        sa.select(resources.c.created_at, resources.c.municipality_code)
        .execution_options(yield_per=20_000))
    for created_at, code in rows:
        if isinstance(created_at, str):  # SQLite hands back text through a plain table
            created_at = dt.datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=dt.UTC)
        key = (created_at.astimezone(STOCKHOLM).date(), code or "")
        counts[key] = counts.get(key, 0) + 1
    batch = [{"day": d, "municipality_code": c, "shared": n} for (d, c), n in counts.items()]
    for start in range(0, len(batch), 5000):
        op.bulk_insert(days, batch[start:start + 5000])


def downgrade():
    op.drop_table("resource_share_days")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_column("municipality_code")
