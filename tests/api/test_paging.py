"""Keyset pagination: a reused statement is paged once, its position and size as parameters."""

from __future__ import annotations

from sqlalchemy import select

from network.api import paging
from network.resources import services
from network.resources.models import Resource


def test_a_statement_is_paged_once_and_walked_with_parameters(app, make, db):
    admin = make.admin()
    made = [services.create_resource(admin, title=f"Sida {n}", type="metodstod", visibility="members",
                                     external_url=f"https://example.se/{n}").id for n in range(5)]
    db.session.commit()
    stmt = select(Resource.id, Resource.title)
    first = paging._keyset(stmt, Resource.id, True, False)
    assert paging._keyset(stmt, Resource.id, True, False) is first
    assert paging._keyset(stmt, Resource.id, True, True) is not first
    seen, cursor = [], None
    while True:
        rows, cursor = paging.by_key(stmt, Resource.id, {"limit": 2, "cursor": cursor},
                                     descending=True, scalars=False)
        seen += [row.id for row in rows]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)
