"""What the forums keep about a person, for their data export and account deletion
(``accounts.privacy``).

Export: the topics they started, every post they wrote (removed ones too, marked) with the
earlier versions of each (``forum_post_revisions``), the posts they flagged, and what they
watch. Files attached to posts are library resources: the library's export lists them with
download links and the posts they are attached to. Erasure removes watches and read positions;
posts stay, shown as by "Tidigare medlem" (the privacy page says so).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from network.extensions import db
from network.forums.models import (
    Category,
    CategoryWatch,
    Flag,
    Post,
    PostRevision,
    Topic,
    TopicRead,
    TopicWatch,
)
from network.forums.services import post_path


def export_personal_data(user: Any) -> dict:
    topics = db.session.execute(
        select(Topic.id, Topic.title, Topic.created_at, Topic.deleted_at, Category.name)
        .join(Category, Category.id == Topic.category_id)
        .where(Topic.author_id == user.id).order_by(Topic.id)).all()
    posts = db.session.execute(
        select(Post, Topic.title).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == user.id).order_by(Post.id)).all()
    revisions: dict[int, list[dict]] = {}
    if posts:
        mine = select(Post.id).where(Post.author_id == user.id)
        for revision in db.session.scalars(select(PostRevision).where(
                PostRevision.post_id.in_(mine)).order_by(PostRevision.id)):
            revisions.setdefault(revision.post_id, []).append(
                {"title": revision.title, "body": revision.body,
                 "replaced_at": revision.created_at})
    flags = db.session.execute(select(Flag.post_id, Flag.reason, Flag.note, Flag.created_at)
                               .where(Flag.user_id == user.id).order_by(Flag.id)).all()
    return {
        "topics_started": [
            {"id": t.id, "title": t.title, "category": t.name, "created_at": t.created_at,
             "removed_at": t.deleted_at} for t in topics],
        "posts": [
            {"id": p.id, "topic": title, "number": p.number, "body": p.body,
             "created_at": p.created_at, "edited_at": p.edited_at, "removed_at": p.deleted_at,
             "address": post_path(p.id), "earlier_versions": revisions.get(p.id, [])}
            for p, title in posts],
        "flags_raised": [{"post_id": f.post_id, "reason": f.reason, "note": f.note,
                          "at": f.created_at} for f in flags],
        "watched_topics": list(db.session.scalars(
            select(TopicWatch.topic_id).where(TopicWatch.user_id == user.id))),
        "watched_categories": list(db.session.scalars(
            select(CategoryWatch.category_id).where(CategoryWatch.user_id == user.id))),
    }


def erase_personal_data(user: Any) -> None:
    for model in (TopicWatch, CategoryWatch, TopicRead):
        db.session.execute(delete(model).where(model.user_id == user.id))
