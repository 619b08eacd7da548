"""forums.stats: topics, posts and active authors in a period, for the programme report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from network.forums import services
from network.forums.models import Post

UTC = dt.UTC


def test_stats_count_topics_posts_and_authors_created_in_the_period(forum, make, db):
    first, second = make.user(), make.user()
    topic = forum.topic(author=first)
    forum.reply(topic, author=second)
    old = forum.topic(author=make.user())
    old.created_at = dt.datetime(2020, 1, 1, tzinfo=UTC)
    db.session.flush()
    db.session.execute(update(Post).where(Post.topic_id == old.id).values(created_at=old.created_at))

    figures = services.stats(dt.datetime(2024, 1, 1, tzinfo=UTC), None)

    assert figures == {"topics": 1, "posts": 2, "authors": 2}
    assert services.stats(None, None)["topics"] == 2
