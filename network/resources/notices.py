"""The group hears about its library: new and updated material notifies the group's members.

Only members who may see the resource (``can_view_resource``) are notified, never the person
who made the change; each title is written in the recipient's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from network.accounts.models import Membership, User
from network.extensions import db
from network.i18n import gettext as _
from network.notifications.emails import recipient_locale
from network.notifications.services import notify
from network.resources.models import Resource
from network.resources.permissions import can_view_resource

SUBJECT_TYPE = "resource"


def tell_group(actor: Any, resource: Resource, *, created: bool, url: str) -> list[User]:
    """Notify the members of the resource's group who may see it; returns who was told."""
    if resource.group_id is None:
        return []
    members = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == resource.group_id, User.deleted_at.is_(None))
        .order_by(User.id)
    ).all()
    told = []
    for user in members:
        if user.id == getattr(actor, "id", None) or not can_view_resource(user, resource):
            continue
        with force_locale(recipient_locale(user)):
            title = (_("Nytt i gruppens bibliotek: %(title)s", title=resource.title) if created
                     else _("Uppdaterat i gruppens bibliotek: %(title)s", title=resource.title))
        notify(user, "resource.new" if created else "resource.updated", title[:300], url=url,
               body=resource.summary[:300], subject_type=SUBJECT_TYPE, subject_id=resource.id)
        told.append(user)
    return told
