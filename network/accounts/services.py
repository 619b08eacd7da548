"""Accounts, organisations, groups and areas: the only code that changes them.

Services take plain arguments and the acting user, change the session and flush; the request
(or CLI command) commits once.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import bindparam, func, select

from network.accounts.models import (
    Area,
    AreaClassification,
    AuditLog,
    ClassificationLevel,
    Group,
    GroupKind,
    GroupRole,
    GroupVisibility,
    Membership,
    NetworkRole,
    Organisation,
    OrganisationType,
    User,
)
from network.accounts.passwords import hash_password, needs_rehash, verify_password
from network.db import utcnow
from network.extensions import db


class AccountError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def audit(actor: User | None, action: str, target: Any = None, **details: Any) -> AuditLog:
    """Record an admin or moderator action. ``target`` is a model instance or None."""
    target_type = type(target).__tablename__ if target is not None else ""
    target_id = None
    if target is not None:
        ident = db.inspect(target).identity if db.inspect(target).identity else None
        target_id = ":".join(str(part) for part in ident) if ident else None
    row = AuditLog(actor_id=actor.id if actor is not None else None, action=action,
                   target_type=target_type, target_id=target_id, details=details)
    db.session.add(row)
    return row


# -- users -------------------------------------------------------------------------------------


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str | None, name: str, *, organisation: Organisation | None = None,
                role: NetworkRole = NetworkRole.MEMBER, title: str = "", phone: str = "") -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError("Det finns redan ett konto med den e-postadressen.")
    user = User(email=email, name=name.strip(), title=title.strip(), phone=phone.strip(),
                organisation=organisation, role=role,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Same work whether or not the email exists."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password and end every existing session of the user."""
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    db.session.flush()


_USER_BY_ID = select(User).where(User.id == bindparam("id"))


def load_user_from_cookie(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, so rotated tokens log out."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    # A prepared statement: this runs on every request, and session.get builds its query anew.
    user = db.session.scalars(_USER_BY_ID, {"id": int(ident)}).first()
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


# -- organisations, groups and areas -----------------------------------------------------------


def create_organisation(actor: User | None, name: str, type: OrganisationType, *,
                        municipality_code: str | None = None,
                        county_code: str | None = None) -> Organisation:
    if municipality_code and not county_code:
        county_code = municipality_code[:2]
    org = Organisation(name=name.strip(), type=type, municipality_code=municipality_code,
                       county_code=county_code)
    db.session.add(org)
    db.session.flush()
    audit(actor, "organisation.create", org, name=org.name)
    return org


def slugify(text: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")
    return slug[:60] or "grupp"


def unique_group_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(func.count()).select_from(Group).where(Group.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_group(actor: User | None, name: str, kind: GroupKind, *,
                 visibility: GroupVisibility = GroupVisibility.MEMBERS, description: str = "",
                 municipality_code: str | None = None) -> Group:
    group = Group(name=name.strip(), slug=unique_group_slug(name), kind=kind,
                  visibility=visibility, description=description,
                  municipality_code=municipality_code)
    db.session.add(group)
    db.session.flush()
    audit(actor, "group.create", group, name=group.name)
    return group


def add_member(actor: User | None, group: Group, user: User,
               role: GroupRole = GroupRole.MEMBER) -> Membership:
    membership = db.session.get(Membership, (group.id, user.id))
    if membership is None:
        membership = Membership(group=group, user=user, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    db.session.flush()
    audit(actor, "group.member.add", group, user_id=user.id, role=str(role))
    from network.permissions import forget_group_roles

    forget_group_roles(user)
    return membership


def remove_member(actor: User | None, group: Group, user: User) -> None:
    membership = db.session.get(Membership, (group.id, user.id))
    if membership is not None:
        db.session.delete(membership)
        db.session.flush()
        audit(actor, "group.member.remove", group, user_id=user.id)
    from network.permissions import forget_group_roles

    forget_group_roles(user)


def create_area(actor: User | None, municipality_code: str, name: str,
                description: str = "") -> Area:
    area = Area(municipality_code=municipality_code, name=name.strip(), description=description)
    db.session.add(area)
    db.session.flush()
    audit(actor, "area.create", area, name=area.name)
    return area


def classify_area(actor: User | None, area: Area, year: int,
                  level: ClassificationLevel) -> AreaClassification:
    row = db.session.scalar(
        select(AreaClassification).where(AreaClassification.area_id == area.id,
                                         AreaClassification.year == year)
    )
    if row is None:
        row = AreaClassification(area=area, year=year, level=level)
        db.session.add(row)
    else:
        row.level = level
    db.session.flush()
    db.session.expire(area, ["classifications"])
    audit(actor, "area.classify", area, year=year, level=str(level))
    return row
