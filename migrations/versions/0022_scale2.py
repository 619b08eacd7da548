"""scale2: running totals of forum activity for the programme overview

Revision ID: 0022_scale2
Revises: 0021_jobs
Create Date: 2026-12-06 12:40:00

- ``forum_activity_days``: topics and replies per Stockholm day and municipality of the author's
  organisation ("" for none); ``forum_author_years``: posts per author and Stockholm year. The
  services keep both in the writing transaction (network/forums/tallies.py), so the overview's
  programme-year figures read a row per day and municipality instead of every post (issue 22).
- Backfill: every post not deleted is counted once, with the day computed in Python
  (Europe/Stockholm) so PostgreSQL and SQLite agree; nothing existing is changed.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_scale2'
down_revision = '0021_jobs'
branch_labels = None
depends_on = None

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def upgrade():
    days = op.create_table(
        "forum_activity_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("topics", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "municipality_code", name=op.f("pk_forum_activity_days")),
    )
    authors = op.create_table(
        "forum_author_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_forum_author_years_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("year", "user_id", name=op.f("pk_forum_author_years")),
    )
    _backfill(days, authors)


def _backfill(days_table, authors_table):
    posts = sa.table("forum_posts", sa.column("created_at", sa.DateTime()), sa.column("number"),
                     sa.column("author_id"), sa.column("deleted_at"))
    users = sa.table("users", sa.column("id"), sa.column("organisation_id"))
    organisations = sa.table("organisations", sa.column("id"), sa.column("municipality_code"))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(posts.c.created_at, posts.c.number, posts.c.author_id,
                  organisations.c.municipality_code)
        .select_from(posts.outerjoin(users, users.c.id == posts.c.author_id)
                     .outerjoin(organisations, organisations.c.id == users.c.organisation_id))
        .where(posts.c.deleted_at.is_(None)).execution_options(yield_per=20_000))
    days, authors = {}, {}
    for created_at, number, author_id, code in rows:
        if isinstance(created_at, str):  # SQLite hands back text through a plain table
            created_at = dt.datetime.fromisoformat(created_at)
        day = created_at.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM).date()
        tally = days.setdefault((day, code or ""), [0, 0])
        tally[0 if number == 1 else 1] += 1
        if author_id is not None:
            authors[(day.year, author_id)] = authors.get((day.year, author_id), 0) + 1
    day_rows = [{"day": d, "municipality_code": c, "topics": t, "replies": r}
                for (d, c), (t, r) in days.items()]
    author_rows = [{"year": y, "user_id": u, "posts": n} for (y, u), n in authors.items()]
    for table, batch in ((days_table, day_rows), (authors_table, author_rows)):
        for start in range(0, len(batch), 5000):
            op.bulk_insert(table, batch[start:start + 5000])


def downgrade():
    op.drop_table("forum_author_years")
    op.drop_table("forum_activity_days")
