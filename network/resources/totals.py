"""The library's running totals for the programme's figures (issue 22), each kept in the writing
transaction as one atomic upsert (``network.db.add_to_totals``), so concurrent writers never lose
a step, and each with ``drift``/``rebuild`` for ``flask recount-totals`` and bulk writers.

Downloads so far (``DownloadTotal``): ``record_download`` adds each one and ``delete_resource``
takes away a deleted resource's, so it always equals summing ``Resource.download_count`` and the
overview reads one row. Migration 0023 and ``seed-scale`` call ``rebuild``. Written without
emptying cached pages, like the download counters themselves.

Resources shared per Stockholm day and municipality (``ResourceShareDay``): ``count_shared`` when
a resource is created, ``uncount_shared`` when it is deleted (deletion is the only way a resource
leaves the figures: there is no unpublished state, and a rejected one stays shared with members).
A resource counts for the municipality its sharer's organisation had when it was shared, stored
on it (``Resource.municipality_code``), so a sharer who later changes organisation moves none of
their old resources. Migration 0026 and ``seed-scale`` call ``rebuild_shared``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select

from network.db import add_to_totals
from network.extensions import db
from network.resources.models import DownloadTotal, Resource, ResourceShareDay
from network.totals import Days, local_day, within_days

_ROW = {"id": 1}


def add_downloads(count: int) -> None:
    if count:
        add_to_totals(db.session, DownloadTotal, _ROW, {"downloads": count}, cache_neutral=True)


def remove_resource(resource_id: int) -> None:
    """The resource is being deleted: its downloads leave the total. Its row is locked first
    (PostgreSQL), so a download counted meanwhile is not lost from the total."""
    count = db.session.scalar(select(Resource.download_count)
                              .where(Resource.id == resource_id).with_for_update())
    add_downloads(-(count or 0))


def downloads_total() -> int:
    return int(db.session.scalar(select(DownloadTotal.downloads).where(DownloadTotal.id == 1)) or 0)


def rebuild() -> None:
    """Recount the total from the resources (for bulk writers)."""
    total = db.session.scalar(select(func.coalesce(func.sum(Resource.download_count), 0)))
    db.session.execute(delete(DownloadTotal).execution_options(cache_neutral=True))
    db.session.execute(insert(DownloadTotal).values(**_ROW, downloads=int(total))
                       .execution_options(cache_neutral=True))


def drift() -> int:
    """1 when the stored total differs from summing the resources' counts (or is missing), else 0."""
    total = db.session.scalar(select(func.coalesce(func.sum(Resource.download_count), 0)))
    stored = db.session.scalar(select(DownloadTotal.downloads).where(DownloadTotal.id == 1))
    return int(stored is None or stored != total)


# -- resources shared per day and municipality ------------------------------------------------------

_SCOPES = ("resources",)  # part of the library's data, written with the resource itself


def _step_shared(resource: Resource, step: int) -> None:
    add_to_totals(db.session, ResourceShareDay,
                  {"day": local_day(resource.created_at),
                   "municipality_code": resource.municipality_code or ""},
                  {"shared": step}, cache_scopes=_SCOPES)


def count_shared(resource: Resource) -> None:
    """A resource was created (flushed: its ``created_at`` and ``municipality_code`` are set)."""
    _step_shared(resource, 1)


def uncount_shared(resource: Resource) -> None:
    """A resource is being deleted: it leaves the day and municipality it was counted for."""
    _step_shared(resource, -1)


def shared_counted() -> dict[tuple[dt.date, str], int]:
    """What the share totals should hold, counted from the resources (days in Stockholm time,
    computed here so both databases agree): {(day, municipality or ""): resources}."""
    counts: dict[tuple[dt.date, str], int] = {}
    rows = db.session.execute(select(Resource.created_at, Resource.municipality_code)
                              .execution_options(yield_per=20_000))
    for created_at, code in rows:
        key = (local_day(created_at), code or "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def rebuild_shared() -> None:
    """Recount the share totals from the resources (for bulk writers and ``recount-totals``)."""
    counts = shared_counted()
    db.session.execute(delete(ResourceShareDay).execution_options(cache_scopes=_SCOPES))
    rows = [{"day": d, "municipality_code": c, "shared": n} for (d, c), n in counts.items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(ResourceShareDay).execution_options(cache_scopes=_SCOPES),
                           rows[start:start + 5000])


def shared_drift() -> int:
    """How many (day, municipality) rows differ from counting the resources (missing, extra or
    wrong; rows holding 0 are as good as missing)."""
    expected = shared_counted()
    stored = {(d, c): n for d, c, n in db.session.execute(select(
        ResourceShareDay.day, ResourceShareDay.municipality_code, ResourceShareDay.shared)) if n}
    return sum(1 for key in expected.keys() | stored.keys() if expected.get(key) != stored.get(key))


def shared_in(days: Days) -> int:
    """Resources shared in the whole Stockholm days (None: open)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(ResourceShareDay.shared), 0))
                                 .where(*within_days(ResourceShareDay.day, days))) or 0)


def shared_by_municipality(days: Days) -> dict[str | None, int]:
    """{municipality code (None: none): resources shared in the whole days}, leaving out 0."""
    rows = db.session.execute(
        select(ResourceShareDay.municipality_code, func.sum(ResourceShareDay.shared))
        .where(*within_days(ResourceShareDay.day, days))
        .group_by(ResourceShareDay.municipality_code)).all()
    return {code or None: int(n) for code, n in rows if n}
