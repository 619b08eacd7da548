"""The overview's forum figures kept as running totals on write (issue 22) equal counting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from network.accounts import privacy
from network.accounts import services as accounts
from network.forums import activity, services, tallies
from network.forums.models import ActivityDay, ActivityMonth, AuthorYear, Post
from network.totals import STOCKHOLM, local_day, whole_days


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
    assert whole_days(since, until) == (today, today)
    assert whole_days(None, None) == (None, None)
    assert whole_days(since.astimezone(dt.UTC) + dt.timedelta(hours=1), None) is None
    # Whole days that are not whole years: topics and posts from the totals, authors counted.
    assert services.stats(since, until) == {"topics": 1, "posts": 1, "authors": 1}


def _counted_days(db):
    """The day totals counted afresh from the posts, each where its stored municipality says."""
    counts: dict[tuple, list[int]] = {}
    for created_at, number, code in db.session.execute(select(
            Post.created_at, Post.number, Post.municipality_code).where(Post.deleted_at.is_(None))):
        tally = counts.setdefault((local_day(created_at), code or ""), [0, 0])
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


def _month_rows(db):
    return sorted(tuple(r) for r in db.session.execute(select(
        ActivityMonth.month, ActivityMonth.municipality_code, ActivityMonth.topics,
        ActivityMonth.replies)) if r.topics or r.replies)


def _days(first: dt.date | None, last: dt.date | None):
    """[first, last] as whole Stockholm days, the way the overview asks (None: open)."""
    return (dt.datetime.combine(first, dt.time.min, STOCKHOLM) if first else None,
            dt.datetime.combine(last, dt.time.max, STOCKHOLM) if last else None)


_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def test_months_add_up_the_days_and_periods_with_partial_months_equal_counting(forum, make, db):
    town = make.organisation(municipality_code="0180")
    anna, bertil = make.user(organisation=town), make.user()
    category = forum.topic(author=anna).category
    written = [dt.date(2025, 1, 31), dt.date(2025, 2, 1), dt.date(2025, 2, 28), dt.date(2025, 3, 1),
               dt.date(2025, 3, 15), dt.date(2025, 12, 31), dt.date(2026, 1, 1)]
    for n, day in enumerate(written):
        moment = dt.datetime.combine(day, dt.time(23, 30), STOCKHOLM)  # the UTC date differs
        first, _ = services.create_topic(anna if n % 2 else bertil, category, f"Tråd {n}", "Text",
                                         now=moment)
        services.reply(bertil, first.topic, "Svar", now=moment)
    db.session.commit()

    assert _month_rows(db) == sorted(
        (m, c, t, r) for (m, c), (t, r) in tallies.by_month(
            {(d, c): [t, r] for d, c, t, r in _counted_days(db)}).items())
    assert (dt.date(2025, 2, 1), "", 1, 2) in _month_rows(db)  # 28 Feb 23:30 is still February
    periods = [(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # whole months only
               (dt.date(2025, 1, 31), dt.date(2025, 3, 1)),  # partial months at both ends
               (dt.date(2025, 2, 2), dt.date(2025, 2, 27)),  # inside one month: days only
               (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),  # exactly one month
               (None, dt.date(2025, 3, 14)), (dt.date(2025, 3, 2), None), (None, None)]
    for first, last in periods:
        since, until = _days(first, last)
        assert whole_days(since, until) == (first, last)
        read = activity.posts_by_municipality(since, until)
        # Not whole days (a microsecond past a start long ago for an open one), so counted.
        counted = activity.posts_by_municipality(*_counted(since or _LONG_AGO, until))
        assert read == counted, (first, last)
        assert services.stats(since, until)["posts"] == sum(
            f["topics"] + f["replies"] for f in counted.values()), (first, last)
    assert activity.posts_by_municipality(*_days(dt.date(2025, 1, 31), dt.date(2025, 3, 1))) == {
        "0180": {"topics": 2, "replies": 0}, None: {"topics": 2, "replies": 4}}

    kept = _month_rows(db)
    tallies.rebuild()
    assert _month_rows(db) == kept
    assert tallies.drift() == 0
    db.session.execute(delete(ActivityMonth).where(ActivityMonth.month == dt.date(2025, 2, 1)))
    assert tallies.drift() == 2  # February's two rows are missing
