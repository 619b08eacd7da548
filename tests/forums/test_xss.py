"""Hostile input stored through the real posting flow never renders as executable markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from network.accounts.models import GroupVisibility
from network.forums.forms import clean_text
from network.forums.models import Post, Topic
from tests.html_safety import unsafe_markup

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#!"):
            continue
        line = line.replace("\\n", "\n").replace("\\0", "\0")
        line = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), line)
        line = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), line)
        payloads.append(line)
    return payloads


def test_there_are_at_least_150_distinct_payloads():
    payloads = load_payloads()
    assert len(set(payloads)) >= 150


@pytest.fixture
def public_topic(forum, make, db):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    return forum.topic(forum.category(group=group), title="XSS-prov")


def test_hostile_replies_render_without_executable_markup(public_topic, login, make, client, db):
    poster = login(make.user())
    payloads = load_payloads()
    for payload in payloads:
        response = poster.post(f"/forum/t/{public_topic.id}/svara", data={"body": payload})
        assert response.status_code == 302, payload
    stored = db.session.scalars(select(Post).where(Post.topic_id == public_topic.id,
                                                   Post.number > 1)).all()
    # Control characters are dropped on input, so "<scr\0ipt>" becomes an earlier payload again
    # and is recognised as a repeated submit of it.
    assert len(stored) == len({clean_text(p) for p in payloads})
    for post in stored:
        assert unsafe_markup(post.body_html) == [], post.body
    for page in range(1, public_topic.pages + 1):
        html = client.get(f"/forum/t/{public_topic.id}?page={page}").data.decode()
        assert unsafe_markup(html, only_inside_class="prose") == []
        assert "<script>alert" not in html


def test_hostile_titles_are_escaped_everywhere(login, make, forum, client, db):
    group = make.group(visibility=GroupVisibility.PUBLIC)
    category = forum.category(group=group)
    poster = login(make.user())
    title = '<script>alert(1)</script><img src=x onerror=alert(1)>'
    poster.post(f"/forum/k/{category.id}/nytt", data={"title": title, "body": "hej"})
    topic = db.session.scalar(select(Topic))
    for url in (f"/forum/t/{topic.id}", f"/forum/k/{category.id}", "/forum/", "/",
                "/forum/sok?q=script"):
        html = client.get(url).data.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
    feed = client.get(f"/forum/k/{category.id}/flode.atom").data.decode()
    assert "<script>alert" not in feed


def test_hostile_quote_keeps_its_payload_inert(public_topic, login, make, client, db):
    poster = login(make.user())
    poster.post(f"/forum/t/{public_topic.id}/svara", data={"body": "<svg onload=alert(1)>"})
    post = db.session.scalar(select(Post).where(Post.number == 2))
    page = poster.get(f"/forum/t/{public_topic.id}?citera={post.id}").data.decode()
    assert "<svg onload" not in page and "&lt;svg onload=alert(1)&gt;" in page
