"""The member directory, profiles and the experts by theme: members finding each other.

What a profile shows respects group visibility: a closed group's membership is shown only to
that group's members (and administrators), and email and phone only when the member chose so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from network import permissions
from network.accounts.models import Group, Membership, Organisation, User, UserExpertise
from network.extensions import db
from network.permissions import check_access


def _listed() -> Select:
    return (select(User).outerjoin(Organisation, User.organisation_id == Organisation.id)
            .where(User.active.is_(True), User.deleted_at.is_(None))
            .options(selectinload(User.organisation).selectinload(Organisation.municipality),
                     selectinload(User.expertise)))


def directory_query(viewer: Any, *, q: str = "", theme: str = "") -> Select:
    check_access("accounts.directory.view", viewer)
    stmt = _listed()
    if q.strip():
        stmt = stmt.where(or_(*(text_match(col, q) for col in (User.name, User.title,
                                                               Organisation.name))))
    if theme:
        stmt = stmt.where(exists().where(UserExpertise.user_id == User.id,
                                         UserExpertise.theme == theme))
    return stmt.order_by(func.lower(User.name), User.id)


def text_match(column: Any, q: str) -> Any:
    """Case-insensitive "contains", Swedish letters too (SQLite's lower() leaves Å, Ä, Ö alone)."""
    q = q.strip()
    variants = {q.lower(), q.lower().capitalize(), q}
    return or_(*(func.lower(column).like(f"%{v.lower()}%") if v.isascii()
                 else column.like(f"%{v}%") for v in variants))


def profile(viewer: Any, user: User) -> dict:
    """What ``viewer`` may see of ``user``."""
    check_access("accounts.directory.profile", viewer, user)
    memberships = db.session.scalars(
        select(Membership).join(Membership.group)
        .where(Membership.user_id == user.id, Group.archived.is_(False))
        .options(selectinload(Membership.group)).order_by(Group.name)).all()
    visible = [m for m in memberships if permissions.can_view_group(viewer, m.group)]
    mine = permissions.group_ids(viewer)
    return {
        "user": user,
        "email": user.email if user.show_email or user.id == viewer.id else None,
        "phone": user.phone if (user.show_phone or user.id == viewer.id) and user.phone else None,
        "memberships": visible,
        "shared": [m.group for m in visible if m.group_id in mine],
    }


def experts_by_theme(viewer: Any, themes: dict) -> list[tuple[str, str, list[User]]]:
    """(theme key, label, experts) for every theme, in the themes' order."""
    check_access("accounts.directory.view", viewer)
    rows = db.session.execute(
        select(UserExpertise.theme, User).join(User, User.id == UserExpertise.user_id)
        .where(User.active.is_(True), User.deleted_at.is_(None))
        .options(selectinload(User.organisation))
        .order_by(func.lower(User.name))).all()
    by_theme: dict[str, list[User]] = {}
    for theme, user in rows:
        by_theme.setdefault(theme, []).append(user)
    return [(key, str(label), by_theme.get(key, [])) for key, label in themes.items()]


def theme_labels() -> dict:
    """The themes experts are marked with (key -> label), as the library registered them."""
    return current_app.extensions.get("expertise_themes", {})


def experts_on(theme: str) -> Select:
    """The ids of the active experts on ``theme``, as a subquery other features filter with
    (forums routes questions with it; they still check who may read the question)."""
    return (select(UserExpertise.user_id).join(User, User.id == UserExpertise.user_id)
            .where(UserExpertise.theme == theme, User.active.is_(True),
                   User.deleted_at.is_(None)))


def expertise_of(user_ids: Iterable[int | None]) -> dict[int, set[str]]:
    """{user id: their themes} for those of ``user_ids`` who are experts, in one query."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    found: dict[int, set[str]] = {}
    for user_id, theme in db.session.execute(select(UserExpertise.user_id, UserExpertise.theme)
                                             .where(UserExpertise.user_id.in_(ids))):
        found.setdefault(user_id, set()).add(theme)
    return found


def _may_use_directory(user: Any, *_objects: Any) -> bool:
    return permissions.is_member(user)


def profile_open_to_members(target: Any) -> bool:
    """Whether every signed-in member may open ``target``'s profile (active accounts only)."""
    return target is not None and target.is_active


def _may_see_profile(user: Any, target: User) -> bool:
    return permissions.is_member(user) and profile_open_to_members(target)


permissions.register_auth({
    "accounts.directory.view": _may_use_directory,
    "accounts.directory.profile": _may_see_profile,
})
