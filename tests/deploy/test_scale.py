"""``flask seed-scale``: refuses real databases and bad factors, generates skewed Swedish data."""

from __future__ import annotations

import statistics

import pytest
from sqlalchemy import func, select

from network.accounts.models import Group, Membership, Organisation, User
from network.db import utcnow
from network.deploy.scale import ALL_GROUPS_EMAIL, BUSY_EMAIL, BUSY_UNREAD, GENERATED_DOMAIN
from network.events.models import Event, Registration
from network.forums.models import Category, Post, Topic
from network.fulltext import SearchEntry
from network.notifications.models import Notification
from network.resources import totals as resource_totals
from network.resources.models import Resource

FACTOR = "0.005"  # 75 members, 3 groups, 500 topics with about 5,000 posts, 500 resources


def count(model, *where) -> int:
    from network.extensions import db

    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_refuses_a_database_with_real_users_and_changes_nothing(runner, make, db):
    make.user(email="anna.lind@malmo.example.se")
    db.session.commit()
    result = runner.invoke(args=["seed-scale", "--factor", FACTOR])
    assert result.exit_code != 0
    assert "riktiga användare" in result.output
    assert count(User) == 1 and count(Topic) == 0 and count(Group) == 0


def test_refuses_a_database_where_someone_has_signed_in(runner, make, db):
    user = make.user(email=f"medlem1@{GENERATED_DOMAIN}")
    user.last_login_at = utcnow()
    db.session.commit()
    result = runner.invoke(args=["seed-scale", "--factor", FACTOR])
    assert result.exit_code != 0
    assert "loggat in" in result.output
    assert count(User) == 1 and count(Topic) == 0


@pytest.mark.parametrize("factor, message", [
    ("0", "större än 0"), ("-1", "större än 0"), ("nan", "större än 0"),
    ("100", "mellan"), ("0.00001", "mellan"),
])
def test_a_factor_out_of_range_gets_a_clear_message_and_nothing_is_made(runner, db, factor, message):
    result = runner.invoke(args=["seed-scale", "--factor", factor])
    assert result.exit_code != 0
    assert message in result.output
    assert count(User) == 0


def test_generates_skewed_data_that_pages_and_search_can_use(runner, db, make):
    result = runner.invoke(args=["seed-scale", "--factor", FACTOR])
    assert result.exit_code == 0, result.output
    assert count(User) == 75 and count(Group) == 3 and count(Category) == 3
    assert count(Topic) == 500 and 4500 <= count(Post) <= 5500
    assert count(Event) == 100 and count(Resource) == 500

    # Skewed: a few long topics, most short.
    lengths = db.session.scalars(select(Topic.last_number)).all()
    assert max(lengths) >= 5 * statistics.median(lengths)
    # Every post, topic, event and resource can be found, and common words are common.
    assert count(SearchEntry, SearchEntry.kind.in_(["forum_topic", "forum_post"])) == count(Post)
    assert count(SearchEntry, SearchEntry.kind == "resource") == 500
    # Each post stores its author's municipality, as the services do (the overview counts it there).
    authors_place = (select(Organisation.municipality_code)
                     .join(User, User.organisation_id == Organisation.id)
                     .where(User.id == Post.author_id).scalar_subquery())
    assert count(Post, Post.municipality_code.is_(None)) == 0
    assert count(Post, Post.municipality_code != authors_place) == 0
    # The overview's running totals equal counting, as the services keep them write by write.
    seats = dict(db.session.execute(select(Registration.event_id, func.count())
                                    .where(Registration.status == "registered")
                                    .group_by(Registration.event_id)).all())
    assert {i: n for i, n in db.session.execute(select(Event.id, Event.registered_total)) if n} == seats
    assert resource_totals.downloads_total() == db.session.scalar(
        select(func.sum(Resource.download_count)))
    sharers_place = (select(Organisation.municipality_code)
                     .join(User, User.organisation_id == Organisation.id)
                     .where(User.id == Resource.created_by_id).scalar_subquery())
    assert count(Resource, Resource.municipality_code.is_(None)) == 0
    assert count(Resource, Resource.municipality_code != sharers_place) == 0
    assert resource_totals.shared_drift() == 0
    assert count(SearchEntry, SearchEntry.body_terms.like("%samverkan%")) > 500

    busy = db.session.scalar(select(User).where(User.email == BUSY_EMAIL))
    assert count(Notification, Notification.user_id == busy.id, Notification.read_at.is_(None)) >= BUSY_UNREAD
    everywhere = db.session.scalar(select(User).where(User.email == ALL_GROUPS_EMAIL))
    assert count(Membership, Membership.user_id == everywhere.id) == count(Group)

    # New rows after generation get fresh ids (PostgreSQL's sequences were moved on).
    make.user(email="ny.person@example.se")
    make.group(name="Ny grupp")
    db.session.commit()

    again = runner.invoke(args=["seed-scale", "--factor", FACTOR])
    assert again.exit_code != 0
    assert count(Topic) == 500
