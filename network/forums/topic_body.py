"""A topic page's posts section (the answer box, the page's posts, its page links), rendered once
for every reader who would see it alike while the topic holds.

A topic page cost three queries and a third of its time in this section: the page's posts with
their authors, the library attachments each reader may see, and 20 posts put together. Under
real use a busy topic is read by many members between two replies, and each of them sees the
section alike but for a few things of theirs. So the section is kept per process under a key of
*everything it reads of its reader*:

- member or visitor, their capabilities here (reply, moderate, mark the answer) and their
  visibility scope (which attachments they may see), language, time zone and URL prefix;
- which posts of the page are their own (edit and delete links), read from the page's
  *outline* (each post's number and author), itself kept beside the sections;

Both are stamped with ``structural`` (authors, memberships, experts), ``forums:*`` (the topic
or its category changed beyond counters: moved, locked, renamed), ``forums:links`` (a resource
linked to a post or unlinked) and the scope of *this page's* posts
(``services.topic_page_scope``): a new post, an edit or a deletion renders the page it is on
anew for the next reader, and a reply on the last page leaves the pages before it in place.
What the section reads of the topic row itself (its number of pages, lock and answer) is in the
key; with a marked answer, which may be on another page, the topic's own scope is in the stamp
too; with attachments on the page, ``resources`` (a resource renamed, its visibility changed,
deleted), so a page without any is not rendered anew for every upload to the library. So
nobody ever gets a section older than the data it shows. The TTL bounds the relative times
("3 minuter sedan"), as the page cache's does.

Two things of the reader are never in the kept HTML, so that readers share it whatever they have
read: their CSRF token (rendered as the post fragments' ``CSRF_MARKER``) and the "new" badges
(rendered as ``fragments.new_slot`` placeholders); both carry a secret of this process and are
filled in for every response, the badges from the reader's read position.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from network import cache
from network.forums import experts, queries
from network.forums.fragments import CSRF_MARKER, fill_new, reader
from network.forums.services import topic_page_scope, topic_scope
from network.permissions import visibility_scope

_STORE = "forums_topic_bodies"
# Raised when a library resource is linked to a post or unlinked (``register_link_scope``).
LINKS_SCOPE = "forums:links"
TTL = 60.0
# Sections and outlines kept per process: the busy topics' pages for their kinds of reader.
MAX_ENTRIES = 2048


def topic_body(topic: Any, page: int, previous_read: int, can_reply: bool, can_moderate: bool,
               can_mark_answer: bool) -> tuple[Markup, int | None]:
    """The section's HTML for this reader with their CSRF token, and the number of the page's
    last post (None for an empty page), up to which the reader has now read."""
    store: cache.Cache = current_app.extensions[_STORE]
    scopes = (cache.STRUCTURAL, "forums:*", LINKS_SCOPE, topic_page_scope(topic.id, page))
    if topic.answer_post_id:  # the answer box shows a post of any page
        scopes += (topic_scope(topic.id),)
    values = cache.cache().generation.scope_values((*scopes, "resources"))
    outline_stamp = values[:-1] if values is not None else None
    outline_key = ("outline", topic.id, page)
    found = store.get(outline_key, outline_stamp)
    posts = None
    if found is None:
        posts = queries.topic_posts(topic, page)
        found = (tuple((post.number, post.author_id) for post in posts),
                 queries.any_attachments(posts))
        store.set(outline_key, found, outline_stamp, TTL)
    outline, attached = found
    # The library's changes matter to a page with attachments alone.
    stamp = values if attached else outline_stamp
    who = reader()
    is_member, user_id = who[:2]
    own = tuple(number for number, author in outline if is_member and author == user_id)
    key = ("section", topic.id, page, own, bool(can_reply), bool(can_moderate),
           bool(can_mark_answer), visibility_scope(current_user), *who[2:], is_member,
           topic.pages, topic.locked, topic.answer_post_id)
    html = store.get(key, stamp)
    if html is None:
        if posts is None:
            posts = queries.topic_posts(topic, page)
        html = _render(topic, posts, page, can_reply, can_moderate, can_mark_answer)
        store.set(key, html, stamp, TTL)
    if is_member:
        html = fill_new(html, previous_read)
    token = str(escape(generate_csrf()))
    filled = Markup(html.replace(CSRF_MARKER, token))  # noqa: S704 - rendered by its template
    return filled, (outline[-1][0] if outline else None)


def _render(topic: Any, posts: list, page: int, can_reply: bool, can_moderate: bool,
            can_mark_answer: bool) -> str:
    answer = None
    if topic.answer_post_id:
        answer = next((p for p in posts if p.id == topic.answer_post_id), None) or \
            queries.load_post(topic.answer_post_id)
        if answer is not None and answer.deleted_at is not None:
            answer = None
    return render_template(
        "forums/_topic_body.html", topic=topic, posts=posts, page=page, answer=answer,
        pagination=queries.Page([], page, queries.POSTS_PER_PAGE, topic.last_number),
        can_reply=can_reply, can_moderate=can_moderate,
        can_mark_answer=can_mark_answer,
        attachments=queries.post_attachments(current_user, [*posts, answer]),
        expert_badges=experts.badges(topic.category, [*posts, answer]),
        csrf_token=lambda: CSRF_MARKER)  # the reader's token goes in per response


def register_link_scope() -> None:
    """Links of resources to posts raise ``LINKS_SCOPE`` beside the library's own scopes."""
    from network.forums.services import KIND_POST
    from network.resources.models import ResourceLink

    cache.register_scopes(ResourceLink, lambda link: (
        "resources", "resources:*", LINKS_SCOPE) if link.kind == KIND_POST else None)


def init_app(app: Flask) -> None:
    register_link_scope()
    app.extensions[_STORE] = cache.Cache(app.extensions["network_cache"].generation, MAX_ENTRIES)
