"""``seed-scale``'s forum stage: topics with log-normal lengths, posts and their search entries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select

from network.accounts.models import Organisation, User
from network.deploy import scale_text as words
from network.deploy.scale import (
    BATCH,
    Scale,
    batches,
    index_rows,
    insert_rows,
    past,
    search_row,
    zipf_weights,
)
from network.extensions import db
from network.forums import tallies
from network.forums.models import Category, Post, Topic


def _post_counts(s: Scale) -> list[int]:
    """Posts per topic: log-normal (most topics short, a few thousands long), summing to the target."""
    n = s.sizes["topics"]
    raw = [min(5000.0, s.rng.lognormvariate(1.7, 1.05)) for _ in range(n)]
    scale = (s.sizes["posts"] - n) / max(1.0, sum(raw))
    return [1 + int(r * scale + s.rng.random()) for r in raw]


def make_forum(s: Scale) -> None:
    from network.forums.services import KIND_POST, KIND_TOPIC, post_path, topic_path

    weights = zipf_weights(len(s.categories), 1.0)
    s.rng.shuffle(weights)
    per_category: dict[int, list] = {}
    counts = _post_counts(s)
    # Each post stores where its author's organisation was when it was written, as the services do.
    places = dict(db.session.execute(select(User.id, Organisation.municipality_code)
                                     .join(Organisation, Organisation.id == User.organisation_id)).all())
    posts_total = 0
    for start in range(0, len(counts), 500):
        chunk = counts[start:start + 500]
        topics = []
        for length in chunk:
            category = s.rng.choices(s.categories, weights=weights)[0]
            authors = s.members_of.get(category["group_id"]) or s.users
            created = past(s, 3 * 365)
            topics.append({"category_id": category["id"], "author_id": s.rng.choice(authors),
                           "title": words.title(s.rng), "created_at": created, "last_post_at": created,
                           "last_number": length, "reply_count": length - 1, "pinned": False,
                           "locked": False, "closed": False, "_c": category, "_authors": authors})
        topic_ids = insert_rows(Topic, [{k: v for k, v in t.items() if not k.startswith("_")}
                                        for t in topics], ids=True)
        posts, entries, updates = [], [], []
        for topic_id, topic, length in zip(topic_ids, topics, chunk, strict=True):
            category, moment = topic["_c"], topic["created_at"]
            step = max(1, int((s.now - moment).total_seconds() / (length + 1)))
            for number in range(1, length + 1):
                body = words.paragraph(s.rng, 1, 4)
                author = topic["author_id"] if number == 1 else s.rng.choice(topic["_authors"])
                posts.append({"topic_id": topic_id, "number": number, "author_id": author,
                              "body": body, "body_html": f"<p>{body}</p>", "created_at": moment,
                              "municipality_code": places.get(author)})
                last_author, moment = author, moment + dt.timedelta(seconds=s.rng.randint(1, step))
            updates.append((topic_id, posts[-1]["created_at"], last_author))
            entry = per_category.setdefault(category["id"], [0, None])
            entry[0] += 1
            entry[1] = max(entry[1] or posts[-1]["created_at"], posts[-1]["created_at"])
            topic["_id"] = topic_id
        post_ids = []
        for batch in batches(posts):
            post_ids += insert_rows(Post, batch, ids=True)
        by_topic = {t["_id"]: t for t in topics}
        for post_id, post in zip(post_ids, posts, strict=True):
            topic = by_topic[post["topic_id"]]
            first = post["number"] == 1
            entries.append(search_row(
                s, KIND_TOPIC if first else KIND_POST, topic["_id"] if first else post_id,
                title=topic["title"], body=post["body"],
                url=topic_path(topic["_id"]) if first else post_path(post_id),
                visibility=topic["_c"]["visibility"], group_id=topic["_c"]["group_id"],
                created_at=post["created_at"]))
            if len(entries) == BATCH:
                index_rows(entries)
                entries = []
        index_rows(entries)
        db.session.execute(Topic.__table__.update().where(Topic.id == _bind("tid")).values(
            last_post_at=_bind("at"), last_post_author_id=_bind("author")),
            [{"tid": t, "at": at, "author": a} for t, at, a in updates])
        s.topics += topic_ids
        posts_total += len(posts)
        db.session.commit()
    db.session.execute(Category.__table__.update().where(Category.id == _bind("cid")).values(
        topic_count=_bind("n"), last_post_at=_bind("at")),
        [{"cid": c, "n": n, "at": at} for c, (n, at) in per_category.items()])
    tallies.rebuild()  # the overview's running totals, which the services keep post by post
    s.counts["topics"], s.counts["posts"] = len(s.topics), posts_total


def _bind(name: str):
    return bindparam(name)
