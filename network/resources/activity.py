"""Library activity per municipality, for the programme's follow-up. A resource counts for the
municipality of the organisation of the person who shared it. Downloads are kept only as counters
per file, so they cannot be attributed to a municipality or a period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from network.accounts.models import Organisation, User
from network.extensions import db
from network.resources.models import Resource


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
