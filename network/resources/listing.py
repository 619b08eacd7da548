"""Which readers see the library's lists alike: their visibility scope, narrowed to what the
lists can tell apart.

The library's list, its filter form and the start page's newest resources are rendered once per
visibility scope and shared (``network/fragments.py``). A member's scope names all their groups,
so under real use nearly every member had a scope, and a rendering, of their own. Only groups
that hold group-only resources make one member's lists differ from another's: ``listing_scope``
keeps those of the member's groups and drops the rest, so members whose groups share nothing
private share the renderings. The set of such groups is read once per change to the library
(``resources``) or to groups (``structural``) and kept per process.

Whatever is rendered for a listing scope is filtered by that scope (never by the reader's own
wider one), so a rendering kept under it shows only what every reader of the scope may see,
even when a resource was added to a group while it was being rendered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from network import cache, permissions
from network.extensions import db
from network.resources.models import Resource

_KEY = ("resources:groups_with_group_resources",)
TTL = 300.0


def listing_scope(user: Any) -> tuple:
    """``permissions.visibility_scope(user)`` with only the groups that hold group-only
    resources: the same lists for every reader of it."""
    scope = permissions.visibility_scope(user)
    if scope[0] != "member" or not scope[1]:
        return scope
    private = groups_with_group_resources()
    return ("member", tuple(group_id for group_id in scope[1] if group_id in private))


def groups_with_group_resources() -> frozenset[int]:
    """The ids of groups with at least one resource only their members may see."""
    store = cache.cache()
    stamp = store.generation.scope_values((cache.STRUCTURAL, "resources"))
    found = store.get(_KEY, stamp)
    if found is None:
        found = frozenset(db.session.scalars(
            select(Resource.group_id).where(
                Resource.effective_visibility == permissions.Visibility.GROUP.value,
                Resource.group_id.is_not(None)).distinct()))
        store.set(_KEY, found, stamp, TTL)
    return found
