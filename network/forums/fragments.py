"""A topic page's posts, each rendered once and reused while everything it shows is unchanged.

The ``post_article`` macro (author, badges, dates, body, the reader's actions) was over a third
of a topic page, rendered again for every post on every view. Here a post's HTML is kept in a
bounded in-process cache under a key made of *every value the macro reads*: the post's own
columns (body, edit and deletion state, reply link, answer mark), its author as shown (name,
organisation, former member, the profile link this reader may follow, expert badge), the
relative time as this reader sees it now, the language, and the reader's capabilities on this
post (member or not, author or not, may reply, moderate, mark the answer). A changed post,
author, permission, role or language gives another key, so nothing needs invalidating and no
stale rendering can be found; old keys simply age out. Readers whose keys are equal see the
same HTML by construction, so they share it (whose it was is no input).

Two values differ per reader or response and never enter the cache, rendered as placeholders
carrying a secret of this process and filled in per response (as ``network/pagecache.py`` does
for pages): the reader's CSRF token, and whether the post is new to them (``new_slot``, filled
by ``fill_new`` from their read position). Posts with attachments (checked per reader against the
library's access rules) are rendered live.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Flask, current_app, g, request
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from network.cache import CONTENT_KEYED, Cache
from network.dates import timeago
from network.i18n import get_locale, get_timezone, gettext

_EXTENSION = "forums_post_fragments"
# Unguessable, so a post that contains the text cannot have a reader's token put into it.
CSRF_MARKER = "csrf" + secrets.token_hex(16)
# Where a post's "new" badge goes: each reader's own read position decides, per response.
_NEW = "\ue006" + secrets.token_hex(16) + "new"
_NEW_SLOT = re.compile(re.escape(_NEW) + "([0-9]+)\ue007")
TTL = 3600.0
# Posts' renderings kept per process: a few pages of busy topics for their readers' variants.
MAX_FRAGMENTS = 4096


def _author_key(post: Any, profile_url: Any) -> tuple:
    """The author as this reader sees them; once per author and request (a page of 20 posts
    often has a handful of authors, and the profile link asks the permission module)."""
    author = post.author
    if author is None:
        return (None,)
    known = g.setdefault("_forums_author_keys", {})
    key = known.get(author.id)
    if key is None:
        organisation = author.organisation
        key = known[author.id] = (
            author.id, author.name, author.deleted_at is not None,
            organisation.name if organisation is not None else None, profile_url(author))
    return key


def reader() -> tuple:
    """Who reads, in which language and time zone, under which prefix: once per request."""
    found = g.get("_forums_reader")
    if found is None:
        user = current_user._get_current_object()
        is_member = bool(user.is_authenticated)
        found = g._forums_reader = (is_member, user.id if is_member else None,
                                    str(get_locale()), str(get_timezone()), request.script_root)
    return found


def post_key(post: Any, topic: Any, page: int, can_reply: bool, can_moderate: bool,
             can_mark_answer: bool, anchor_prefix: str, badge: Any, created_label: str,
             profile_url: Any) -> tuple:
    """Every input of ``post_article`` for this reader, as a hashable key. The reader enters it
    only through what the macro reads of them (member or not, author or not, their
    capabilities, language, time zone; whether the post is new to them is a slot, ``new_slot``):
    readers who see a post alike share its rendering, so a busy topic's posts are rendered once
    for all its readers, not once per reader."""
    who = reader()
    is_member, user_id = who[0], who[1]
    return (
        post.id, post.number, post.body_html, post.reply_to_id, post.edited_at,
        post.deleted_at is not None, post.id == topic.answer_post_id,
        topic.id, topic.locked, page, anchor_prefix, str(badge) if badge else None,
        created_label, _author_key(post, profile_url),
        is_member, is_member and post.author_id == user_id,
        bool(can_reply), bool(can_moderate), bool(can_mark_answer), who[2:],
    )


@pass_context
def cached_post(context: Any, macro: Any, post: Any, topic: Any, page: int, can_reply: bool,
                can_moderate: bool, can_mark_answer: bool, anchor_prefix: str = "") -> Markup:
    """``post_article(...)`` from the cache when this reader's rendering of it is known."""
    csrf_token = context["csrf_token"]
    attachments = context.get("attachments") or {}
    if attachments.get(post.id):
        return macro(post, topic, page, can_reply, can_moderate, can_mark_answer, anchor_prefix,
                     csrf=csrf_token())
    badges = context.get("expert_badges") or {}
    created_label = timeago(post.created_at)
    key = post_key(post, topic, page, can_reply, can_moderate, can_mark_answer, anchor_prefix,
                   badges.get(post.author_id), str(created_label), context["profile_url"])
    store: Cache = current_app.extensions[_EXTENSION]
    html = store.get(key, CONTENT_KEYED)
    if html is None:
        html = macro(post, topic, page, can_reply, can_moderate, can_mark_answer, anchor_prefix,
                     csrf=CSRF_MARKER, created_label=created_label)
        store.set(key, html, CONTENT_KEYED, TTL)
    if CSRF_MARKER in html:
        html = html.replace(CSRF_MARKER, csrf_token())  # Markup escapes the token: it is plain
    return html


def new_slot(number: int) -> Markup:
    """Where the "new" badge of post ``number`` goes (``fill_new`` puts it in or leaves it out)."""
    return Markup(f"{_NEW}{int(number)}\ue007")  # noqa: S704 - a number and a process secret


def fill_new(html: str, previous_read: int) -> str:
    """The "new" badge on every post after ``previous_read``, the reader's read position."""
    badge = str(Markup('<span class="badge badge-new">{}</span>').format(gettext("Nytt")))
    return _NEW_SLOT.sub(lambda found: badge if int(found.group(1)) > previous_read else "", html)


def init_app(app: Flask) -> None:
    network_cache: Cache = app.extensions["network_cache"]
    app.extensions[_EXTENSION] = Cache(network_cache.generation, MAX_FRAGMENTS)
    app.jinja_env.globals["cached_post"] = cached_post
    app.jinja_env.globals["new_slot"] = new_slot
