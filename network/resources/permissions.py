"""Library objects mapped onto ``network.permissions``: one function per action."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from network import permissions
from network.accounts.models import Group
from network.db import unindexed
from network.resources.models import Resource, ReviewStatus


def can_view_resource(user: Any, resource: Resource) -> bool:
    """Page, files (every version), feed entry, search hit, "used in" listing."""
    return permissions.can_view_content(user, resource.effective_visibility, resource.group_id)


def visible_resources_filter(user: Any):
    return scoped_resources_filter(permissions.visibility_scope(user))


@lru_cache(maxsize=256)
def scoped_resources_filter(scope: tuple):
    """``visible_resources_filter`` for every user of a ``permissions.visibility_scope``.

    A member's filter ("public or members, or group and one of mine") keeps SQLite off the
    visibility indexes: through them it read and sorted every visible resource for one page
    (185 ms at 100,000 resources); walking the list's order index it stops after the page
    (0.4 ms). A visitor's single value keeps its index (the API's newest-first list)."""
    visibility = Resource.effective_visibility
    if scope[0] not in ("visitor", "admin"):
        visibility = unindexed(visibility)
    return permissions.scope_filter(scope, visibility, Resource.group_id)


def can_create_resource(user: Any, group: Group | None = None) -> bool:
    return permissions.is_member(user) and permissions.can_post_in_group(user, group)


def can_edit_resource(user: Any, resource: Resource) -> bool:
    """Metadata, new versions, visibility. Authors and the group's moderators."""
    return can_view_resource(user, resource) and permissions.can_edit_own(
        user, resource.created_by_id, resource.group_id
    )


def can_delete_resource(user: Any, resource: Resource) -> bool:
    return can_edit_resource(user, resource)


def can_review_resource(user: Any, resource: Resource) -> bool:
    """Approve or refuse a request to publish publicly: the group's facilitators, programme staff
    or admins, and never the resource's own author (review is by someone else)."""
    if permissions.is_member(user) and resource.created_by_id == user.id:
        return False
    return permissions.is_programme_staff(user) or permissions.can_moderate(user, resource.group_id)


def publishes_without_review(user: Any, group_id: int | None) -> bool:
    """A new version from an admin keeps an approved resource public; everyone else's goes back
    to review."""
    return permissions.is_admin(user)


def can_override_review(user: Any, resource: Resource) -> bool:
    """Only admins publish publicly without a review by someone else, and only with a reason
    (``services.override_publish``); a facilitator's own request waits like everyone's."""
    return permissions.is_admin(user)


def can_see_review_queue(user: Any) -> bool:
    return permissions.is_admin(user) or bool(permissions.facilitated_group_ids(user))


def review_queue_filter(user: Any):
    """SQL: pending resources this user may review."""
    from sqlalchemy import false, true

    pending = Resource.review_status == ReviewStatus.PENDING.value
    if permissions.is_admin(user):
        return pending & true()
    groups = permissions.facilitated_group_ids(user)
    return pending & (Resource.group_id.in_(groups) if groups else false())


def can_attach_resource(user: Any, resource: Resource) -> bool:
    """Attaching shows the resource to the other thing's readers only as far as they may see it."""
    return permissions.is_member(user) and can_view_resource(user, resource)


def can_detach_resource(user: Any, resource: Resource) -> bool:
    """Any member may take a file link off a thing they could attach to (the link, not the file)."""
    return permissions.is_member(user)


permissions.register_auth({
    "resources.create_resource": can_create_resource,
    "resources.update_resource": can_edit_resource,
    "resources.add_version": can_edit_resource,
    "resources.approve": can_review_resource,
    "resources.reject": can_review_resource,
    "resources.override_review": can_override_review,
    "resources.delete_resource": can_delete_resource,
    "resources.attach": can_attach_resource,
    "resources.detach": can_detach_resource,
})
