"""The library's running totals (issue 22): downloads so far always equal summing the counters,
and resources shared per Stockholm day and municipality always equal counting the resources."""

import datetime as dt

from sqlalchemy import func, select, update

from network.accounts import services as accounts
from network.extensions import db as _db
from network.resources import activity, services, totals
from network.resources.models import Resource, ResourceShareDay
from network.totals import STOCKHOLM
from tests.resources.conftest import make_pdf


def _counted(db) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Resource.download_count), 0)))


def test_downloads_so_far_follow_downloads_and_deletions_and_equal_the_counters(db, library, make):
    owner = make.user()
    kept, deleted = (library.resource(owner, visibility="public", files=[(name, make_pdf(name))])
                     for name in ("plan.pdf", "rapport.pdf"))
    db.session.commit()
    assert totals.downloads_total() == 0
    for resource, times in ((kept, 2), (deleted, 3)):
        for _ in range(times):
            services.record_download(resource.versions[0].files[0])
    db.session.commit()
    assert services.stats()["downloads_total"] == _counted(db) == 5

    services.delete_resource(owner, deleted)  # its downloads leave the total with it
    services.record_download(kept.versions[0].files[0])
    db.session.commit()
    assert services.stats()["downloads_total"] == _counted(db) == 3
    totals.rebuild()  # what seed-scale computes
    assert totals.downloads_total() == 3


# -- resources shared per day and municipality ------------------------------------------------------


def _share_days(db) -> list[tuple]:
    return sorted(tuple(r) for r in db.session.execute(select(
        ResourceShareDay.day, ResourceShareDay.municipality_code, ResourceShareDay.shared)) if r.shared)


def _today() -> tuple[dt.datetime, dt.datetime]:
    """Today as the overview and county view ask for it: a whole Stockholm day."""
    today = dt.datetime.now(STOCKHOLM).date()
    return (dt.datetime.combine(today, dt.time.min, STOCKHOLM),
            dt.datetime.combine(today, dt.time.max, STOCKHOLM))


def _narrower(since, until):
    """The same period, one microsecond narrower at the start: not whole days, so counted."""
    return since + dt.timedelta(microseconds=1), until


def _move(user, organisation) -> None:
    accounts.update_profile(user, name=user.name, title=user.title, phone=user.phone,
                            email=user.email, organisation_id=organisation.id if organisation else None,
                            email_notifications=user.email_notifications, locale=user.locale)


def test_creating_and_deleting_resources_steps_the_day_and_municipality_they_were_shared_in(
        db, library, make):
    malmo = make.user(organisation=make.organisation(municipality_code="1280"))
    loner = make.user()  # no organisation: counts under none
    first, second = library.resource(malmo), library.resource(malmo, external_url="https://a.se")
    library.resource(loner, external_url="https://b.se")
    db.session.commit()
    today = dt.datetime.now(STOCKHOLM).date()
    assert (first.municipality_code, second.municipality_code) == ("1280", "1280")
    assert _share_days(db) == [(today, "", 1), (today, "1280", 2)]
    assert totals.shared_drift() == 0

    services.delete_resource(malmo, first)
    db.session.commit()
    assert _share_days(db) == [(today, "", 1), (today, "1280", 1)]
    assert totals.shared_drift() == 0
    assert services.stats(*_today())["resources_shared"] == 2


def test_whole_days_read_the_totals_and_give_the_same_figures_as_counting(db, library, make):
    orebro = make.user(organisation=make.organisation(municipality_code="1880"))
    malmo = make.user(organisation=make.organisation(municipality_code="1280"))
    for who in (orebro, orebro, malmo, make.user()):
        library.resource(who, external_url="https://example.se/stod")
    db.session.commit()
    since, until = _today()
    expected = {"1880": 2, "1280": 1, None: 1}
    assert activity.shared_by_municipality(since, until) == expected
    assert activity.shared_by_municipality(*_narrower(since, until)) == expected
    assert activity.shared_by_municipality() == expected  # open at both ends: whole days too
    assert services.stats(since, until)["resources_shared"] == 4
    assert services.stats(*_narrower(since, until))["resources_shared"] == 4

    # The whole-day answer is the totals' (a total changed behind the services' back shows),
    # the narrower period's is counting's.
    db.session.execute(update(ResourceShareDay).where(ResourceShareDay.municipality_code == "1880")
                       .values(shared=7))
    assert activity.shared_by_municipality(since, until)["1880"] == 7
    assert services.stats(since, until)["resources_shared"] == 9
    assert activity.shared_by_municipality(*_narrower(since, until))["1880"] == 2


def test_a_sharer_changing_organisation_moves_none_of_their_earlier_resources(db, library, make):
    town, elsewhere = (make.organisation(municipality_code=code) for code in ("0180", "1480"))
    anna = make.user(organisation=town)
    before = library.resource(anna, external_url="https://example.se/fore")
    _move(anna, elsewhere)
    after = library.resource(anna, external_url="https://example.se/efter")
    db.session.commit()
    since, until = _today()
    assert (before.municipality_code, after.municipality_code) == ("0180", "1480")
    assert activity.shared_by_municipality(since, until) == {"0180": 1, "1480": 1}
    assert activity.shared_by_municipality(*_narrower(since, until)) == {"0180": 1, "1480": 1}

    services.delete_resource(anna, before)  # leaves the municipality it was counted for
    db.session.commit()
    today = since.date()
    assert _share_days(db) == [(today, "1480", 1)]
    assert min(n for *_key, n in db.session.execute(select(
        ResourceShareDay.day, ResourceShareDay.municipality_code, ResourceShareDay.shared))) >= 0
    assert activity.shared_by_municipality(since, until) == {"1480": 1}


def test_drift_finds_share_days_written_around_the_services_and_rebuild_mends_them(db, library, make):
    malmo = make.user(organisation=make.organisation(municipality_code="1280"))
    for _ in range(3):
        library.resource(malmo, external_url="https://example.se/stod")
    db.session.commit()
    kept_on_write = _share_days(db)
    today = kept_on_write[0][0]
    db.session.execute(update(ResourceShareDay).values(shared=ResourceShareDay.shared + 2))  # wrong
    db.session.add(ResourceShareDay(day=today - dt.timedelta(days=1), municipality_code="",
                                    shared=4))  # extra
    db.session.flush()
    assert totals.shared_drift() == 2
    totals.rebuild_shared()  # what migration 0026 and seed-scale compute
    assert totals.shared_drift() == 0
    assert _share_days(db) == kept_on_write == [(today, "1280", 3)]


def test_share_days_add_to_the_stored_value_not_to_one_read_earlier(db, library, make, app):
    """Another writer's resource, committed after this session read the day's row, still counts:
    the upsert adds to what the database holds (``network.db.add_to_totals``)."""
    malmo = make.user(organisation=make.organisation(municipality_code="1280"))
    library.resource(malmo, external_url="https://example.se/ett")
    db.session.commit()
    row = db.session.scalars(select(ResourceShareDay)).one()
    assert row.shared == 1  # loaded into this session
    with _db.engine.begin() as other:  # another request's resource, behind this session's back
        other.execute(update(ResourceShareDay).values(shared=ResourceShareDay.shared + 1))
    library.resource(malmo, external_url="https://example.se/tva")
    db.session.commit()
    assert db.session.scalar(select(ResourceShareDay.shared)) == 3
