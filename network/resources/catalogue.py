"""The library's catalogue as plain rows, for machine readers (the API's resource list).

A page of 100 resources loaded as ORM objects with their themes, organisation, municipalities
and versions costs hundreds of instances and most of the request; a reader of the catalogue needs
none of that machinery. ``entries`` answers with three narrow queries (the resources with their
organisation's name and current version number, their themes, their municipalities) and builds
the catalogue's fields directly. The caller chooses the resources through ``browse_ids``, the same
access filter and order as the library's pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, select

from network.accounts.models import Municipality, Organisation
from network.extensions import db
from network.resources.models import Resource, ResourceMunicipality, ResourceTheme, ResourceVersion

_COLUMNS = (Resource.id, Resource.title, Resource.summary, Resource.type, Resource.language,
            Resource.licence, Resource.year, Resource.effective_visibility, Resource.group_id,
            Resource.external_url, Resource.published_at, Resource.created_at, Resource.updated_at)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@cache
def _statements() -> tuple[Any, Any, Any]:
    """Built once per process (statements are immutable): building them costs more than running
    them on a page of 100."""
    ids = bindparam("ids", expanding=True)
    current = (select(func.max(ResourceVersion.number))
               .where(ResourceVersion.resource_id == Resource.id).scalar_subquery())
    resources = (select(*_COLUMNS, Organisation.name, current)
                 .outerjoin(Organisation, Organisation.id == Resource.organisation_id)
                 .where(Resource.id.in_(ids)))
    themes = (select(ResourceTheme.resource_id, ResourceTheme.theme)
              .where(ResourceTheme.resource_id.in_(ids)).order_by(ResourceTheme.theme))
    places = (select(ResourceMunicipality.resource_id, Municipality.code)
              .join(Municipality, Municipality.code == ResourceMunicipality.municipality_code)
              .where(ResourceMunicipality.resource_id.in_(ids)).order_by(Municipality.name))
    return resources, themes, places


def entries(ids: Sequence[int], base_url: str) -> list[dict[str, Any]]:
    """The catalogue fields of the resources ``ids``, in that order; URLs absolute on ``base_url``.

    The caller has already applied the access filter (``browse_ids``): this reads no access rule.
    """
    if not ids:
        return []
    resources_stmt, themes_stmt, places_stmt = _statements()
    ids = list(ids)
    rows = db.session.execute(resources_stmt, {"ids": ids}).all()
    themes: dict[int, list[str]] = defaultdict(list)
    for resource_id, theme in db.session.execute(themes_stmt, {"ids": ids}):
        themes[resource_id].append(theme)
    places: dict[int, list[str]] = defaultdict(list)
    for resource_id, code in db.session.execute(places_stmt, {"ids": ids}):
        places[resource_id].append(code)
    found = {}
    for (rid, title, summary, kind, language, licence, year, visibility, group_id, external_url,
         published_at, created_at, updated_at, organisation, version) in rows:
        found[rid] = {
            "id": rid, "title": title, "summary": summary, "type": str(kind), "language": language,
            "licence": licence, "year": year, "themes": themes.get(rid, []),
            "visibility": visibility, "group_id": group_id, "organisation": organisation,
            "municipalities": places.get(rid, []), "external_url": external_url,
            "current_version": version, "published_at": _iso(published_at),
            "created_at": _iso(created_at), "updated_at": _iso(updated_at),
            "url": f"{base_url}/bibliotek/{rid}",
        }
    return [found[rid] for rid in ids if rid in found]
