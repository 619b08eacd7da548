"""Library activity per municipality, for the programme's follow-up. A resource counts for the
municipality of the organisation of the person who shared it, when they shared it; a download for
the municipality of the downloader's organisation, as recorded at the time (``ResourceDownload``:
nothing personal). Downloads by visitors and by members without a municipality count under
``None``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from network.extensions import db
from network.resources import totals
from network.resources.models import Resource, ResourceDownload
from network.totals import whole_days


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
    """{municipality code (None: none): resources created in [since, until]}.

    A resource counts for the municipality of its sharer's organisation *when it was shared*
    (``Resource.municipality_code``), as forum posts do: a sharer who later changes organisation,
    or is deleted, moves none of their old resources (until 0026 the municipality was their
    organisation's at reading time, and a resource without a sharer was left out; it now counts
    under None, as in ``services.stats``). Whole Stockholm days (the overview's and
    county view's periods) read the running totals (totals.py); other periods count the
    resources by the same stored municipality, so the two agree."""
    days = whole_days(since, until)
    if days is not None:
        return totals.shared_by_municipality(days)
    rows = db.session.execute(
        select(Resource.municipality_code, func.count(Resource.id))
        .where(*_within(Resource.created_at, since, until))
        .group_by(Resource.municipality_code)).all()
    return {code: int(n) for code, n in rows}


def downloads_by_municipality(since: dt.date | None = None,
                              until: dt.date | None = None) -> dict[str | None, int]:
    """{municipality code: downloads on the days [since, until] (both included)}."""
    where = _within(ResourceDownload.day, since, until)
    rows = db.session.execute(
        select(ResourceDownload.municipality_code, func.count(ResourceDownload.id))
        .where(*where).group_by(ResourceDownload.municipality_code)).all()
    return dict(rows)
