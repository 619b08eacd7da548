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


def shared_by_municipality(since: dt.datetime | None = None,
                           until: dt.datetime | None = None) -> dict[str | None, int]:
    where = []
    if since is not None:
        where.append(Resource.created_at >= since)
    if until is not None:
        where.append(Resource.created_at <= until)
    rows = db.session.execute(
        select(Organisation.municipality_code, func.count(Resource.id))
        .select_from(Resource).join(User, User.id == Resource.created_by_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*where).group_by(Organisation.municipality_code)).all()
    return dict(rows)


def downloads_by_municipality(since: dt.date | None = None,
                              until: dt.date | None = None) -> dict[str | None, int]:
    """{municipality code: downloads on the days [since, until] (both included)}."""
    where = []
    if since is not None:
        where.append(ResourceDownload.day >= since)
    if until is not None:
        where.append(ResourceDownload.day <= until)
    rows = db.session.execute(
        select(ResourceDownload.municipality_code, func.count(ResourceDownload.id))
        .where(*where).group_by(ResourceDownload.municipality_code)).all()
    return dict(rows)
