"""Forum factories: categories, topics and replies made through the real services."""

from __future__ import annotations

import itertools

import pytest

from network.accounts import services as accounts
from network.accounts.models import GroupRole, GroupVisibility
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

    def _author(self, category):
        """A new member who may post in ``category`` (joined to its group when it is closed)."""
        author = self.make.user()
        if category.group is not None and category.group.visibility == GroupVisibility.CLOSED:
            accounts.add_member(None, category.group, author, GroupRole.MEMBER)
        return author

    def topic(self, category=None, author=None, title=None, body="Första inlägget", **kw):
        category = category or self.category()
        author = author or self._author(category)
        post, _ = services.create_topic(author, category, title or f"Ämne {next(_seq)}", body, **kw)
        return post.topic

    def reply(self, topic, author=None, body=None, **kw):
        author = author or self._author(topic.category)
        post, _ = services.reply(author, topic, body or f"Svar {next(_seq)}", **kw)
        return post


@pytest.fixture
def forum(make, db):
    return ForumFactory(make, db)
