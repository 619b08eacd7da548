"""Forum activity per municipality, for the programme's follow-up (read through this function,
never through the forum tables). A post counts for the municipality of its author's organisation
when it was written, stored on the post (``Post.municipality_code``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from network.extensions import db
from network.forums import tallies
from network.forums.models import Post
from network.totals import whole_days


def posts_by_municipality(since: dt.datetime | None = None,
                          until: dt.datetime | None = None) -> dict[str | None, dict[str, int]]:
    """{municipality code (None: no organisation): {"topics": first posts, "replies": answers}}.

    Whole Stockholm days (the overview's and county view's periods) read the running totals
    (tallies.py); other periods count the posts by the same stored municipality, so the two
    agree (posts whose author is gone count where they were written, as in the totals)."""
    days = whole_days(since, until)
    if days is not None:
        return tallies.by_municipality(days)
    where = [Post.deleted_at.is_(None)]
    if since is not None:
        where.append(Post.created_at >= since)
    if until is not None:
        where.append(Post.created_at <= until)
    rows = db.session.execute(
        select(Post.municipality_code,
               func.sum(case((Post.number == 1, 1), else_=0)), func.sum(case((Post.number > 1, 1), else_=0)))
        .where(*where).group_by(Post.municipality_code)).all()
    return {code: {"topics": int(topics or 0), "replies": int(replies or 0)}
            for code, topics, replies in rows}
