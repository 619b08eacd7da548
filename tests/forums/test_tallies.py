"""The overview's forum figures kept as running totals on write (issue 22) equal counting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from network.accounts import privacy
from network.accounts import services as accounts
from network.forums import activity, services, tallies
from network.forums.models import ActivityDay, AuthorYear, Post

STOCKHOLM = tallies.STOCKHOLM


def _year(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The programme year as the overview asks for it: whole Stockholm days."""
    return (dt.datetime(year, 1, 1, tzinfo=STOCKHOLM).astimezone(dt.UTC),
            dt.datetime.combine(dt.date(year, 12, 31), dt.time.max, STOCKHOLM).astimezone(dt.UTC))


def _counted(since, until):
    """The same period, one microsecond narrower at the start: not whole days, so counted."""
    return since + dt.timedelta(microseconds=1), until


def _kept_rows(db):
    return (sorted(tuple(r) for r in db.session.execute(select(
                ActivityDay.day, ActivityDay.municipality_code, ActivityDay.topics,
                ActivityDay.replies)) if r.topics or r.replies),
            sorted(tuple(r) for r in db.session.execute(select(
                AuthorYear.year, AuthorYear.user_id, AuthorYear.posts)) if r.posts))


def test_running_totals_follow_writes_and_equal_counting(forum, make, db):
    this_year = dt.datetime.now(STOCKHOLM).year
    town, elsewhere = make.organisation(municipality_code="0180"), make.organisation(
        municipality_code="1480")
    anna, bertil, cilla = make.user(organisation=town), make.user(organisation=elsewhere), make.user()
    topic = forum.topic(author=anna)
    kept = forum.topic(author=cilla)
    replies = [forum.reply(topic, author=who) for who in (bertil, bertil, cilla, anna)]
    forum.reply(kept, author=anna)
    last_year = dt.datetime(this_year - 1, 12, 31, 23, 30, tzinfo=STOCKHOLM)  # 22:30 UTC
    services.create_topic(bertil, kept.category, "I fjol", "Text", now=last_year)
    services.delete_post(bertil, replies[0])  # a deleted reply
    services.delete_post(anna, db.session.scalar(select(Post).where(  # a deleted topic
        Post.topic_id == topic.id, Post.number == 1)))
    db.session.commit()

    since, until = _year(this_year)
    figures = services.stats(since, until)
    assert figures == services.stats(*_counted(since, until))
    assert figures == {"topics": 1, "posts": 5, "authors": 3}
    assert services.stats(*_year(this_year - 1)) == {"topics": 1, "posts": 1, "authors": 1}
    by_place = activity.posts_by_municipality(since, until)
    assert by_place == activity.posts_by_municipality(*_counted(since, until))
    assert by_place == {"0180": {"topics": 0, "replies": 2}, "1480": {"topics": 0, "replies": 1},
                        None: {"topics": 1, "replies": 1}}

    kept_on_write = _kept_rows(db)
    tallies.rebuild()  # what the migration's backfill and seed-scale compute
    assert _kept_rows(db) == kept_on_write


def test_a_period_of_whole_days_reads_the_totals_and_others_count(forum, make, db):
    forum.topic(author=make.user())
    db.session.commit()
    today = dt.datetime.now(STOCKHOLM).date()
    since = dt.datetime.combine(today, dt.time.min, STOCKHOLM)
    until = dt.datetime.combine(today, dt.time.max, STOCKHOLM)
    assert tallies.whole_days(since, until) == (today, today)
    assert tallies.whole_days(None, None) == (None, None)
    assert tallies.whole_days(since.astimezone(dt.UTC) + dt.timedelta(hours=1), None) is None
    # Whole days that are not whole years: topics and posts from the totals, authors counted.
    assert services.stats(since, until) == {"topics": 1, "posts": 1, "authors": 1}


def _counted_days(db):
    """The day totals counted afresh from the posts, each where its stored municipality says."""
    counts: dict[tuple, list[int]] = {}
    for created_at, number, code in db.session.execute(select(
            Post.created_at, Post.number, Post.municipality_code).where(Post.deleted_at.is_(None))):
        tally = counts.setdefault((tallies.local_day(created_at), code or ""), [0, 0])
        tally[0 if number == 1 else 1] += 1
    return sorted((day, code, t, r) for (day, code), (t, r) in counts.items())


def _lowest_total(db) -> int:
    rows = db.session.execute(select(ActivityDay.topics, ActivityDay.replies)).all()
    return min((min(topics, replies) for topics, replies in rows), default=0)


def _move(user, organisation) -> None:
    accounts.update_profile(user, name=user.name, title=user.title, phone=user.phone,
                            email=user.email, organisation_id=organisation.id if organisation else None,
                            email_notifications=user.email_notifications, locale=user.locale)


def test_a_post_deleted_after_its_author_moved_is_uncounted_where_it_was_written(forum, make, db):
    town, elsewhere = make.organisation(municipality_code="0180"), make.organisation(
        municipality_code="1480")
    anna, bertil = make.user(organisation=town), make.user(organisation=elsewhere)
    topic = forum.topic(author=bertil)
    before = forum.reply(topic, author=anna)
    _move(anna, elsewhere)
    after = forum.reply(topic, author=anna)  # written from the new organisation
    services.delete_post(anna, before)
    db.session.commit()

    assert (before.municipality_code, after.municipality_code) == ("0180", "1480")
    assert _kept_rows(db)[0] == _counted_days(db)
    assert _lowest_total(db) >= 0
    today = dt.datetime.now(STOCKHOLM).date()
    since, until = (dt.datetime.combine(today, t, STOCKHOLM) for t in (dt.time.min, dt.time.max))
    assert activity.posts_by_municipality(since, until) == {"1480": {"topics": 1, "replies": 1}}
    assert activity.posts_by_municipality(*_counted(since, until)) == {
        "1480": {"topics": 1, "replies": 1}}
    _move(anna, town)  # and back: her second post still counts where it was written
    services.delete_post(anna, after)
    db.session.commit()
    assert _kept_rows(db)[0] == _counted_days(db) == [(today, "1480", 1, 0)]


def test_a_deleted_members_post_removed_later_is_uncounted_where_it_was_written(forum, make, db):
    town = make.organisation(municipality_code="0180")
    anna, admin = make.user(organisation=town), make.admin()
    topic = forum.topic(author=admin)
    post = forum.reply(topic, author=anna)
    forum.reply(topic, author=anna)
    privacy.erase_account(anna)  # no organisation any more, the posts stay
    services.delete_post(admin, post)
    db.session.commit()

    today = dt.datetime.now(STOCKHOLM).date()
    assert _kept_rows(db)[0] == _counted_days(db) == [(today, "", 1, 0), (today, "0180", 0, 1)]
    assert _lowest_total(db) >= 0
    kept = _kept_rows(db)
    tallies.rebuild()
    assert _kept_rows(db) == kept


def test_listing_counters_add_to_the_stored_value_not_to_a_stale_one(forum, make, db):
    """Another writer's new topic and reply, committed after this request read the rows, still
    count: the UPDATE adds to what the database holds (``tallies.stepped``)."""
    from sqlalchemy import update

    from network.forums.models import Category, Topic

    topic = forum.topic()
    category = topic.category
    forum.reply(topic)
    db.session.commit()
    assert (category.topic_count, topic.reply_count) == (1, 1)  # loaded into this session
    # Another request's topic and reply, written behind this session's back.
    db.session.execute(update(Category).where(Category.id == category.id)
                       .values(topic_count=Category.topic_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Topic).where(Topic.id == topic.id)
                       .values(reply_count=Topic.reply_count + 1)
                       .execution_options(synchronize_session=False))
    assert (category.topic_count, topic.reply_count) == (1, 1)  # still the stale values

    services.create_topic(topic.author, category, "Ett till", "Text")
    services.reply(topic.author, topic, "Ett svar till")
    db.session.commit()
    assert (category.topic_count, topic.reply_count) == (3, 3)
    services.delete_post(topic.author, db.session.scalar(
        select(Post).where(Post.topic_id == topic.id).order_by(Post.number.desc()).limit(1)))
    db.session.commit()
    assert topic.reply_count == 2
