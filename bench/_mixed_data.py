"""The mixed benchmark's members: memberships, unread notifications and read positions.

Runs inside an app context on the benchmark's own database, after ``seed-demo``. Rows are
inserted in bulk; every member shares one password hash (computed once: hashing is the slow part
of creating an account, and each login still verifies it in full).
"""

from __future__ import annotations

import datetime as dt
import random

PASSWORD = "blandad-last-losenord-1"  # noqa: S105 - throwaway accounts in a temporary database


def build_members(count: int, seed: int) -> tuple[list[str], dict[str, list[int]]]:
    from sqlalchemy import insert, select

    from network.accounts.models import Group, GroupRole, Membership, Organisation, User
    from network.accounts.passwords import hash_password
    from network.db import utcnow
    from network.events.models import Event
    from network.extensions import db
    from network.forums.models import Category, Topic, TopicRead
    from network.notifications.models import Notification
    from network.resources.models import Resource

    rng = random.Random(seed)
    now = utcnow()
    password_hash = hash_password(PASSWORD)
    organisations = db.session.scalars(select(Organisation.id)).all() or [None]
    emails = [f"medlem{n}@blandad.example.se" for n in range(count)]
    user_ids = db.session.execute(insert(User).returning(User.id), [
        {"email": email, "password_hash": password_hash, "name": f"Medlem {n} Blandadsson",
         "organisation_id": rng.choice(organisations),
         "email_notifications": rng.choice(["immediately", "daily", "never"]),
         "created_at": now - dt.timedelta(days=400), "updated_at": now}
        for n, email in enumerate(emails)
    ]).scalars().all()
    groups = db.session.scalars(select(Group.id).where(Group.archived.is_(False))).all()
    memberships = []
    for user_id in user_ids:
        # Most members are in one or two groups, a few in many.
        k = min(len(groups), int(rng.paretovariate(1.5)))
        memberships += [{"group_id": g, "user_id": user_id, "role": GroupRole.MEMBER,
                         "created_at": now, "updated_at": now} for g in rng.sample(groups, k)]
    if memberships:
        db.session.execute(insert(Membership), memberships)

    open_categories = select(Category.id).where(Category.visibility.in_(["public", "members"]),
                                                Category.archived.is_(False))
    topics = db.session.execute(
        select(Topic.id, Topic.last_number).where(Topic.category_id.in_(open_categories),
                                                  Topic.deleted_at.is_(None))
        .order_by(Topic.last_post_at.desc())).all()
    reads, notes = [], []
    for user_id in user_ids:
        for topic_id, last in rng.sample(topics, min(len(topics), rng.randint(0, 10))):
            reads.append({"user_id": user_id, "topic_id": topic_id,
                          "last_read_number": rng.randint(1, max(1, last)), "read_at": now})
        for n in range(rng.choice([0, 0, 1, 3, 8, 20, 40])):
            topic_id = rng.choice(topics)[0]
            notes.append({"user_id": user_id, "kind": "forum.post", "title": f"Nytt svar ({n})",
                          "url": f"/forum/t/{topic_id}", "subject_type": "forum_topic",
                          "subject_id": topic_id, "created_at": now - dt.timedelta(hours=n)})
    if reads:
        db.session.execute(insert(TopicRead), reads)
    if notes:
        db.session.execute(insert(Notification), notes)
    db.session.commit()
    ids = {
        "topics": [topic_id for topic_id, _ in topics],
        "categories": db.session.scalars(open_categories).all(),
        "resources": db.session.scalars(select(Resource.id).where(
            Resource.effective_visibility.in_(["public", "members"]))).all(),
        "events": db.session.scalars(select(Event.id).where(
            Event.visibility.in_(["public", "members"]))).all(),
    }
    missing = [name for name, values in ids.items() if not values]
    if missing:
        raise RuntimeError(f"the demo data has no {', '.join(missing)} open to members")
    return emails, ids
