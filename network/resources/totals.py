"""Downloads so far (``DownloadTotal``) as a running total: ``record_download`` adds each one and
``delete_resource`` takes away a deleted resource's, in their own transaction, as one atomic
upsert (``network.db.add_to_totals``), so it always equals summing ``Resource.download_count``
and the programme overview reads one row (issue 22). Migration 0023 and ``seed-scale`` call
``rebuild``. Written without emptying cached pages, like the download counters themselves."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from network.db import add_to_totals
from network.extensions import db
from network.resources.models import DownloadTotal, Resource

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
