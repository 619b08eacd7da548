"""Library activity per municipality, for the programme's follow-up. A resource counts for the
municipality of the organisation of the person who shared it; a download for the municipality of
the downloader's organisation, as recorded at the time (``ResourceDownload``: nothing personal).
Downloads by visitors and by members without a municipality count under ``None``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from network.accounts.models import Organisation, User
from network.extensions import db
from network.resources.models import Resource, ResourceDownload


def _within(column, since, until) -> list:
    """Conditions keeping ``column`` in [since, until]; an open end is no condition."""
    where = []
    if since is not None:
        where.append(column >= since)
    if until is not None:
        where.append(column <= until)
    return where


def shared_by_municipality(since: dt.datetime | None = None,
                           until: dt.datetime | None = None) -> dict[str | None, int]:
    where = _within(Resource.created_at, since, until)
    rows = db.session.execute(
        select(Organisation.municipality_code, func.count(Resource.id))
        .select_from(Resource).join(User, User.id == Resource.created_by_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*where).group_by(Organisation.municipality_code)).all()
    return dict(rows)


def downloads_by_municipality(since: dt.date | None = None,
                              until: dt.date | None = None) -> dict[str | None, int]:
    """{municipality code: downloads on the days [since, until] (both included)}."""
    where = _within(ResourceDownload.day, since, until)
    rows = db.session.execute(
        select(ResourceDownload.municipality_code, func.count(ResourceDownload.id))
        .where(*where).group_by(ResourceDownload.municipality_code)).all()
    return dict(rows)
