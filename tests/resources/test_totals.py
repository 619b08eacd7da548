"""Downloads so far are a running total (issue 22) that always equals summing the counters."""

from sqlalchemy import func, select

from network.resources import services, totals
from network.resources.models import Resource
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
