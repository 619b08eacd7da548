"""Forum categories, topics and posts the caller may read, and replying to a topic."""

from __future__ import annotations

from typing import Any

from flask import abort
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.api import paging
from network.api.blueprint import api_operation
from network.api.problems import Problem
from network.api.routing import PageArgs
from network.api.schemas import CategoryOut, PostOut, TopicOut
from network.extensions import db
from network.forums import permissions as forums_permissions
from network.forums import queries
from network.forums import services as forums
from network.forums.models import Category, Post, Topic
from network.loaders import MAX_ID


@api_operation("/forum/categories", summary="Forum categories the caller may read", tag="forum",
               query=PageArgs, response=CategoryOut, paginated=True, statuses=(400,))
def category_list(caller, args: dict) -> Any:
    stmt = select(Category).where(forums_permissions.visible_categories_filter(caller.user))
    return paging.by_key(stmt, Category.id, args)


def _category(caller, category_id: int) -> Category:
    category = db.get_or_404(Category, category_id)
    if not forums_permissions.can_view_category(caller.user, category):
        abort(404)
    return category


@api_operation("/forum/categories/<int:category_id>", summary="One forum category", tag="forum",
               response=CategoryOut, statuses=(404,))
def category_detail(caller, args: dict, category_id: int) -> Any:
    return _category(caller, category_id)


class TopicArgs(PageArgs):
    category_id = fields.Integer(validate=validate.Range(1, MAX_ID))


@api_operation("/forum/topics", summary="Topics the caller may read, newest first", tag="forum",
               query=TopicArgs, response=TopicOut, paginated=True, statuses=(400,))
def topic_list(caller, args: dict) -> Any:
    stmt = (select(Topic).join(Category, Category.id == Topic.category_id)
            .where(forums_permissions.visible_categories_filter(caller.user), Topic.deleted_at.is_(None))
            .options(selectinload(Topic.author)))
    if "category_id" in args:
        stmt = stmt.where(Topic.category_id == args["category_id"])
    return paging.by_key(stmt, Topic.id, args, descending=True)


def _topic(caller, topic_id: int) -> Topic:
    topic = queries.load_topic(topic_id)
    if (topic is None or topic.deleted_at is not None
            or not forums_permissions.can_view_topic(caller.user, topic)):
        abort(404)
    return topic


@api_operation("/forum/topics/<int:topic_id>", summary="One topic", tag="forum", response=TopicOut,
               statuses=(404,))
def topic_detail(caller, args: dict, topic_id: int) -> Any:
    return _topic(caller, topic_id)


@api_operation("/forum/topics/<int:topic_id>/posts", summary="A topic's posts in order", tag="forum",
               query=PageArgs, response=PostOut, paginated=True, statuses=(400, 404))
def post_list(caller, args: dict, topic_id: int) -> Any:
    topic = _topic(caller, topic_id)
    stmt = select(Post).where(Post.topic_id == topic.id).options(selectinload(Post.author))
    return paging.by_key(stmt, Post.number, args)


class ReplyIn(Schema):
    class Meta:
        unknown = RAISE

    body = fields.String(required=True, validate=validate.Length(1, 20000),
                         metadata={"description": "Markdown."})
    reply_to = fields.Integer(validate=validate.Range(1, MAX_ID),
                              metadata={"description": "Id of the post answered (same topic)."})
    client_key = fields.String(validate=validate.Length(8, 64),
                               metadata={"description": "Idempotency key: a retry returns the first post."})


@api_operation("/forum/topics/<int:topic_id>/posts", "POST", summary="Reply to a topic", tag="forum",
               scope="write", body=ReplyIn, response=PostOut, status=201,
               statuses=(400, 401, 403, 404, 409, 415))
def post_reply(caller, args: dict, topic_id: int, body: dict) -> Any:
    topic = _topic(caller, topic_id)
    if not body["body"].strip():
        raise Problem("invalid-parameters", errors={"body": ["Empty."]})
    reply_to = None
    if "reply_to" in body:
        reply_to = queries.load_post(body["reply_to"])
        if reply_to is None or reply_to.topic_id != topic.id:
            raise Problem("invalid-parameters", errors={"reply_to": ["Not a post of this topic."]})
    try:
        post, _created = forums.reply(caller.user, topic, body["body"], reply_to=reply_to,
                                      client_key=body.get("client_key"))
    except forums.ForumError as error:
        raise Problem("conflict", str(error)) from None
    db.session.commit()
    return post
