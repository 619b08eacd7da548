"""Library activity per municipality: resources shared, and downloads by day and municipality
recorded without anything personal, without emptying any cached page."""

import datetime as dt

from sqlalchemy import inspect, select

from network import cache
from network.accounts.models import OrganisationType
from network.extensions import db as _db
from network.resources import activity, services
from network.resources.models import ResourceDownload
from tests.resources.conftest import make_pdf


def _file(db, library):
    r = library.resource(visibility="public", files=[("plan.pdf", make_pdf("Plan"))])
    db.session.commit()
    return r.versions[0].files[0]


def fetch(client, file):
    response = client.get(f"/bibliotek/fil/{file.id}")
    response.get_data()
    response.close()
    return response


def _member(make, municipality_code, type=OrganisationType.KOMMUN):
    return make.user(organisation=make.organisation(type=type, municipality_code=municipality_code))


def test_a_members_download_records_the_day_and_their_organisations_municipality_and_type(
        db, library, make, login):
    file = _file(db, library)
    member = _member(make, "1280", OrganisationType.POLIS)
    db.session.commit()
    assert fetch(login(member), file).status_code == 200
    row = db.session.scalars(select(ResourceDownload)).one()
    assert (row.resource_id, row.municipality_code) == (file.resource_id, "1280")
    assert row.organisation_type == "polis"
    assert row.day == dt.datetime.now(services.STOCKHOLM).date()


def test_a_visitors_download_is_recorded_without_a_municipality(db, client, library):
    file = _file(db, library)
    assert fetch(client, file).status_code == 200
    row = db.session.scalars(select(ResourceDownload)).one()
    assert (row.municipality_code, row.organisation_type) == (None, None)


def test_the_download_record_holds_nothing_personal(db):
    columns = {c.key for c in inspect(ResourceDownload).columns}
    assert columns == {"id", "resource_id", "day", "municipality_code", "organisation_type"}


def test_a_download_keeps_every_cached_page(db, client, library):
    file = _file(db, library)
    before = cache.generation()
    assert fetch(client, file).status_code == 200
    assert cache.generation() == before
    assert db.session.scalar(select(ResourceDownload.id)) is not None


def test_downloads_by_municipality_count_the_days_of_the_period_both_included(db, library, make):
    file = _file(db, library)
    malmo, orebro, visitor = _member(make, "1280"), _member(make, "1880"), None
    for user, day in [(malmo, dt.date(2025, 12, 31)),  # the day before the period
                      (malmo, dt.date(2026, 1, 1)),  # its first day
                      (malmo, dt.date(2026, 6, 30)),  # its last day
                      (orebro, dt.date(2026, 3, 1)),
                      (visitor, dt.date(2026, 3, 1)),
                      (orebro, dt.date(2026, 7, 1))]:  # the day after
        services.record_download(file, user, day=day)
    _db.session.flush()
    assert activity.downloads_by_municipality(dt.date(2026, 1, 1), dt.date(2026, 6, 30)) == {
        "1280": 2, "1880": 1, None: 1}
    assert activity.downloads_by_municipality() == {"1280": 3, "1880": 2, None: 1}


def test_the_programme_stats_count_downloads_in_the_period_and_in_total(db, library, make):
    file = _file(db, library)
    services.record_download(file, None, day=dt.date(2026, 2, 1))
    services.record_download(file, None, day=dt.date(2026, 5, 1))
    db.session.flush()
    since = dt.datetime(2026, 1, 1, tzinfo=services.STOCKHOLM)
    until = dt.datetime(2026, 3, 31, 23, 59, tzinfo=services.STOCKHOLM)
    stats = services.stats(since, until)
    assert (stats["downloads"], stats["downloads_total"]) == (1, 2)


def test_shared_resources_count_for_the_sharers_municipality(db, library, make):
    member = _member(make, "1880")
    library.resource(member, visibility="members")
    db.session.flush()
    assert activity.shared_by_municipality()["1880"] == 1
