"""The library's catalogue as plain rows, for machine readers (the API's resource list).

A page of 100 resources loaded as ORM objects with their themes, organisation, municipalities
and versions costs hundreds of instances and most of the request; a reader of the catalogue needs
none of that machinery. A page costs two narrow queries run on the session's connection: the
resources with their organisation's name and current version number (``ROW_SELECT`` over which
the caller applies ``browse_ids``, the library's own access filter and order, and its paging), and
the themes and municipalities of those resources together. The catalogue's fields are built
directly from the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import String, bindparam, func, literal, literal_column, select, type_coerce, union_all

from network import permissions
from network.accounts.models import Municipality, Organisation
from network.extensions import db
from network.resources import services
from network.resources.models import Resource, ResourceMunicipality, ResourceTheme, ResourceVersion

_COLUMNS = (Resource.id, Resource.title, Resource.summary, Resource.type, Resource.language,
            Resource.licence, Resource.year, Resource.effective_visibility, Resource.group_id,
            Resource.external_url,
            # The stored UTC values as the driver gives them, unconverted (``_iso`` says UTC):
            # SQLite's text, which is nearly the ISO form already, or PostgreSQL's datetimes.
            *(type_coerce(column, String()) for column in (
                Resource.published_at, Resource.created_at, Resource.updated_at)))


def _iso(value: dt.datetime | str | None) -> str | None:
    """What ``UTCDateTime`` then ``isoformat`` give (``…+00:00``), from the stored value."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: naive UTC as text
        # SQLAlchemy writes "YYYY-MM-DD HH:MM:SS.ffffff"; isoformat leaves out zero microseconds.
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            end = 19 if value.endswith("000000") else 26
            return f"{value[:10]}T{value[11:end]}+00:00"
        value = dt.datetime.fromisoformat(value)  # any other stored form, parsed
    if value.tzinfo is None:  # naive UTC
        return value.isoformat() + "+00:00"
    return value.astimezone(dt.UTC).isoformat()


def row_select() -> Any:
    """The columns ``entries_of_rows`` reads, one row per resource, to filter, order and page."""
    return _statements()[0]


def listed(user: Any, filters: Any) -> Any:
    """``row_select`` through the library's access filter, search and order (``browse_ids``).

    Without a search the statement depends only on the user's visibility scope and the filters,
    and the same statement object is returned for all of them: building a fresh one, then having
    SQLAlchemy walk it for its cache key and map its result columns again, cost more than running
    it. A search reads the user's own rights on each match, so it is built afresh."""
    if filters.q:
        return services.browse_ids(user, filters, row_select())
    return _listed_in_scope(permissions.visibility_scope(user), filters)


@lru_cache(maxsize=256)
def _listed_in_scope(scope: tuple, filters: Any) -> Any:
    return services.browse_in_scope(scope, filters, row_select())


@cache
def _statements() -> tuple[Any, Any]:
    """Built once per process (statements are immutable): building them costs more than running
    them on a page of 100."""
    current = (select(func.max(ResourceVersion.number))
               .where(ResourceVersion.resource_id == Resource.id).scalar_subquery())
    resources = (select(*_COLUMNS, Organisation.name, current)
                 .outerjoin(Organisation, Organisation.id == Resource.organisation_id))
    ids = bindparam("ids", expanding=True)
    # One query for both lists: kind 0 the themes by name, kind 1 the municipalities' codes by
    # the municipality's name.
    themes = select(ResourceTheme.resource_id.label("resource_id"), literal(0).label("kind"),
                    ResourceTheme.theme.label("value"), ResourceTheme.theme.label("sort_key")
                    ).where(ResourceTheme.resource_id.in_(ids))
    places = (select(ResourceMunicipality.resource_id, literal(1), Municipality.code,
                     Municipality.name)
              .join(Municipality, Municipality.code == ResourceMunicipality.municipality_code)
              .where(ResourceMunicipality.resource_id.in_(ids)))
    lists = union_all(themes, places).order_by(literal_column("kind"), literal_column("sort_key"))
    return resources, lists


def entries(ids: Sequence[int], base_url: str) -> list[dict[str, Any]]:
    """The catalogue fields of the resources ``ids``, in that order; URLs absolute on ``base_url``.

    The caller has already applied the access filter (``browse_ids``): this reads no access rule.
    """
    if not ids:
        return []
    ids = list(ids)
    rows = db.session.connection().execute(row_select().where(Resource.id.in_(ids))).all()
    by_id = {row[0]: row for row in rows}
    return entries_of_rows([by_id[rid] for rid in ids if rid in by_id], base_url)


def entries_of_rows(rows: Sequence[Any], base_url: str) -> list[dict[str, Any]]:
    """The catalogue fields of rows selected with ``row_select()``, in their order."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    themes: dict[int, list[str]] = defaultdict(list)
    places: dict[int, list[str]] = defaultdict(list)
    for resource_id, kind, value, _sort_key in db.session.connection().execute(
            _statements()[1], {"ids": ids}).all():
        (places if kind else themes)[resource_id].append(value)
    prefix = f"{base_url}/bibliotek/"
    return [{
        "id": rid, "title": title, "summary": summary, "type": str(kind), "language": language,
        "licence": licence, "year": year, "themes": themes.get(rid, []),
        "visibility": visibility, "group_id": group_id, "organisation": organisation,
        "municipalities": places.get(rid, []), "external_url": external_url,
        "current_version": version, "published_at": _iso(published_at),
        "created_at": _iso(created_at), "updated_at": _iso(updated_at),
        "url": f"{prefix}{rid}",
    } for (rid, title, summary, kind, language, licence, year, visibility, group_id, external_url,
           published_at, created_at, updated_at, organisation, version) in rows]
