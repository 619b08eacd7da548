"""The library's catalogue as plain rows, for machine readers (the API's resource list).

A page of 100 resources loaded as ORM objects with their themes, organisation, municipalities
and versions costs hundreds of instances and most of the request; a reader of the catalogue needs
none of that machinery. A page is one narrow query run on the session's connection: the
resources with their organisation's name, current version number and their themes and
municipalities gathered per row (``ROW_SELECT``, over which the caller applies ``browse_ids``,
the library's own access filter and order, and its paging). The catalogue's fields are built
directly from the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import orjson
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by

from network import permissions
from network.accounts.models import Municipality, Organisation
from network.db import dialect_name
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
    return _row_select(dialect_name())


def listed(user: Any, filters: Any) -> Any:
    """``row_select`` through the library's access filter, search and order (``browse_ids``).

    Without a search the statement depends only on the user's visibility scope and the filters,
    and the same statement object is returned for all of them: building a fresh one, then having
    SQLAlchemy walk it for its cache key and map its result columns again, cost more than running
    it. A search reads the user's own rights on each match, so it is built afresh."""
    if filters.q:
        return services.browse_ids(user, filters, row_select())
    return _listed_in_scope(dialect_name(), permissions.visibility_scope(user), filters)


@lru_cache(maxsize=256)
def _listed_in_scope(dialect: str, scope: tuple, filters: Any) -> Any:
    return services.browse_in_scope(scope, filters, _row_select(dialect))


@cache
def _row_select(dialect: str) -> Any:
    """Built once per process and database kind (statements are immutable): building it costs
    more than running it on a page of 100."""
    current = (select(func.max(ResourceVersion.number))
               .where(ResourceVersion.resource_id == Resource.id).scalar_subquery())
    themes = select(ResourceTheme.theme).where(ResourceTheme.resource_id == Resource.id)
    places = (select(Municipality.name, Municipality.code)
              .join(ResourceMunicipality, ResourceMunicipality.municipality_code == Municipality.code)
              .where(ResourceMunicipality.resource_id == Resource.id))
    if dialect == "postgresql":
        # Ordered in the database, by its collation, as the ORM's relationships order them.
        themes = themes.with_only_columns(func.array_agg(aggregate_order_by(
            ResourceTheme.theme, ResourceTheme.theme)))
        places = places.with_only_columns(func.array_agg(aggregate_order_by(
            Municipality.code, Municipality.name, Municipality.code)))
    else:
        # SQLite (before 3.44) cannot order an aggregate; ``_sqlite_lists`` sorts them as its
        # BINARY collation does (code point order), municipalities by name then code.
        themes = themes.with_only_columns(func.json_group_array(ResourceTheme.theme))
        places = places.with_only_columns(func.json_group_array(
            func.json_array(Municipality.name, Municipality.code)))
    return (select(*_COLUMNS, Organisation.name, current, themes.scalar_subquery(),
                   places.scalar_subquery())
            .outerjoin(Organisation, Organisation.id == Resource.organisation_id))


def _sqlite_lists(themes: str, places: str) -> tuple[list[str], list[str]]:
    """The themes and municipality codes from SQLite's JSON arrays, in the ORM's order."""
    theme_list = orjson.loads(themes) if themes != "[]" else []
    if len(theme_list) > 1:
        theme_list.sort()
    if places == "[]":
        return theme_list, []
    pairs = orjson.loads(places)
    if len(pairs) > 1:
        pairs.sort()
    return theme_list, [code for _name, code in pairs]


def _postgresql_lists(themes: list[str] | None, places: list[str] | None) -> tuple[list[str], list[str]]:
    return themes or [], places or []


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
    lists = _postgresql_lists if dialect_name() == "postgresql" else _sqlite_lists
    prefix = f"{base_url}/bibliotek/"
    entries = []
    for (rid, title, summary, kind, language, licence, year, visibility, group_id, external_url,
         published_at, created_at, updated_at, organisation, version, themes, places) in rows:
        themes, places = lists(themes, places)
        entries.append({
            "id": rid, "title": title, "summary": summary, "type": str(kind), "language": language,
            "licence": licence, "year": year, "themes": themes,
            "visibility": visibility, "group_id": group_id, "organisation": organisation,
            "municipalities": places, "external_url": external_url,
            "current_version": version, "published_at": _iso(published_at),
            "created_at": _iso(created_at), "updated_at": _iso(updated_at),
            "url": f"{prefix}{rid}",
        })
    return entries
