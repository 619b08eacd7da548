"""Forum factories: categories, topics and replies made through the real services."""

from __future__ import annotations

import itertools

import pytest

from network.accounts.models import GroupVisibility
from network.forums import services

_seq = itertools.count(1)


class ForumFactory:
    def __init__(self, make, db) -> None:
        self.make, self.db = make, db

    def category(self, group=None, actor=None, name=None, **kw):
        actor = actor or self.make.admin()
        return services.create_category(actor, name or f"Kategori {next(_seq)}", group=group, **kw)

    def closed_setup(self):
        """A closed group with one member, and a category in it."""
        member = self.make.user(name="Inne Medlem")
        group = self.make.group(visibility=GroupVisibility.CLOSED, members=[member])
        return group, member, self.category(group=group)

    def topic(self, category=None, author=None, title=None, body="Första inlägget", **kw):
        category = category or self.category()
        author = author or self.make.user()
        post, _ = services.create_topic(author, category, title or f"Ämne {next(_seq)}", body, **kw)
        return post.topic

    def reply(self, topic, author=None, body=None, **kw):
        author = author or self.make.user()
        post, _ = services.reply(author, topic, body or f"Svar {next(_seq)}", **kw)
        return post


@pytest.fixture
def forum(make, db):
    return ForumFactory(make, db)


@pytest.fixture(autouse=True)
def fresh_request_globals(app):
    """Each request starts with empty ``g``, as in production.

    The shared ``app`` fixture keeps one app context for the whole test, and Flask reuses it for
    every request, so ``g`` (Flask-Login's current user, the cached group roles) would leak from
    one client's request into the next; tests with several people would see the first one.
    """
    from flask import g, request_started

    def reset(sender, **extra):
        for key in list(vars(g)):
            g.pop(key, None)

    request_started.connect(reset, app)
    yield
    request_started.disconnect(reset, app)
