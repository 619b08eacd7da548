"""Forum activity per municipality, for the programme's follow-up (read through this function,
never through the forum tables). A post counts for the municipality of its author's organisation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from network.accounts.models import Organisation, User
from network.extensions import db
from network.forums import tallies
from network.forums.models import Post


def posts_by_municipality(since: dt.datetime | None = None,
                          until: dt.datetime | None = None) -> dict[str | None, dict[str, int]]:
    """{municipality code (None: no organisation): {"topics": first posts, "replies": answers}}.

    Whole Stockholm days (the overview's and county view's periods) read the running totals
    (tallies.py: a post counts where its author's organisation was when it was written)."""
    days = tallies.whole_days(since, until)
    if days is not None:
        return tallies.by_municipality(days)
    where = [Post.deleted_at.is_(None)]
    if since is not None:
        where.append(Post.created_at >= since)
    if until is not None:
        where.append(Post.created_at <= until)
    rows = db.session.execute(
        select(Organisation.municipality_code,
               func.sum(case((Post.number == 1, 1), else_=0)), func.sum(case((Post.number > 1, 1), else_=0)))
        .select_from(Post).join(User, User.id == Post.author_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*where).group_by(Organisation.municipality_code)).all()
    return {code: {"topics": int(topics or 0), "replies": int(replies or 0)}
            for code, topics, replies in rows}
