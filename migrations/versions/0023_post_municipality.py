"""post municipality: each post keeps the municipality it counts for in the overview's totals

Revision ID: 0023_post_municipality
Revises: 0022_scale2
Create Date: 2026-12-06 15:40:00

- ``forum_posts.municipality_code``: the municipality of the author's organisation when the post
  was written (NULL: none). The running totals (``forum_activity_days``) count a post there;
  deleting it used to uncount it where its author's organisation is *now*, so an author who had
  moved (or was deleted) made one municipality's row too high and another's too low, even
  negative (issue 22). No foreign key: it is history, not a reference (and SQLite adds a plain
  column without copying the table).
- Backfill: one set-based UPDATE ... FROM (PostgreSQL, SQLite 3.33+) from the author's
  organisation, the same place 0022's backfill counted existing posts for, so the totals agree
  with the column and are left as they are.
- The programme overview's last two scans become running totals kept on write (issue 22):
  ``events.registered_total`` (seats taken per event, backfilled from the registrations) and
  ``resource_download_totals`` (one row: downloads so far, backfilled from the resources'
  counters), each filled by one set-based statement.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_post_municipality'
down_revision = '0022_scale2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("municipality_code", sa.String(length=4), nullable=True))
    posts = sa.table("forum_posts", sa.column("author_id"), sa.column("municipality_code"))
    users = sa.table("users", sa.column("id"), sa.column("organisation_id"))
    organisations = sa.table("organisations", sa.column("id"), sa.column("municipality_code"))
    op.execute(posts.update()
               .values(municipality_code=organisations.c.municipality_code)
               .where(posts.c.author_id == users.c.id,
                      users.c.organisation_id == organisations.c.id,
                      organisations.c.municipality_code.isnot(None)))
    _registered_totals()
    _download_total()


def _registered_totals():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_total", sa.Integer(), server_default="0",
                                      nullable=False))
    events = sa.table("events", sa.column("id"), sa.column("registered_total"))
    registrations = sa.table("event_registrations", sa.column("event_id"), sa.column("status"))
    seats = (sa.select(registrations.c.event_id, sa.func.count().label("n"))
             .where(registrations.c.status == "registered")
             .group_by(registrations.c.event_id).subquery())
    op.execute(events.update().values(registered_total=seats.c.n)
               .where(events.c.id == seats.c.event_id))


def _download_total():
    totals = op.create_table(
        "resource_download_totals",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_download_totals")),
    )
    resources = sa.table("resources", sa.column("download_count"))
    op.execute(totals.insert().from_select(
        ["id", "downloads"],
        sa.select(sa.literal(1), sa.func.coalesce(sa.func.sum(resources.c.download_count), 0))))


def downgrade():
    op.drop_table("resource_download_totals")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("registered_total")
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.drop_column("municipality_code")
