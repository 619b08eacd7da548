"""Accounts, organisations, groups and areas: the only code that changes them.

Services take plain arguments and the acting user, change the session and flush; the request
(or CLI command) commits once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, case, func, select, update
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from network.accounts.models import (
    Area,
    AreaClassification,
    AuditLog,
    ClassificationLevel,
    County,
    EmailPreference,
    Group,
    GroupKind,
    GroupRole,
    GroupVisibility,
    Membership,
    Municipality,
    NetworkRole,
    Organisation,
    OrganisationType,
    User,
)
from network.accounts.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _


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
        raise AccountError(_("Det finns redan ett konto med den e-postadressen."))
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
    # Shown on no cached page: the login does not renew everybody's cached pages.
    now = utcnow()
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now)
                       .execution_options(cache_neutral=True, synchronize_session=False))
    set_committed_value(user, "last_login_at", now)
    db.session.flush()
    return user


def set_password(user: User, password: str, *, keep_session: int | str | None = None) -> None:
    """Set a new password and end every session of the user (but ``keep_session``)."""
    from network.accounts.sessions import end_all_sessions

    if len(password) < MIN_LENGTH:
        raise AccountError(_("Lösenordet måste ha minst %(n)d tecken.", n=MIN_LENGTH))
    user.password_hash = hash_password(password)
    db.session.flush()
    end_all_sessions(user, keep=keep_session)


def change_password(user: User, current_password: str, new_password: str, *,
                    keep_session: int | str | None = None) -> None:
    """The member's own change: the current password proves it is them."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("Det nuvarande lösenordet stämmer inte."))
    set_password(user, new_password, keep_session=keep_session)


def check_password(user: User, password: str) -> bool:
    return verify_password(user.password_hash, password)


def update_profile(user: User, *, name: str, title: str, phone: str, email: str,
                   organisation_id: int | None, email_notifications: str,
                   locale: str | None, show_email: bool | None = None,
                   show_phone: bool | None = None) -> None:
    email = normalise_email(email)
    if email != user.email:
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise AccountError(_("Det finns redan ett konto med den e-postadressen."))
        user.email = email
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise AccountError(_("Organisationen finns inte."))
    user.name = name.strip()
    user.title = title.strip()
    user.phone = phone.strip()
    user.organisation_id = organisation_id
    user.email_notifications = EmailPreference(email_notifications).value
    user.locale = locale or None
    if show_email is not None:
        user.show_email = bool(show_email)
    if show_phone is not None:
        user.show_phone = bool(show_phone)
    db.session.flush()


# One query, built once: the start page asks for this on every visit.
_USER_MEMBERSHIPS = (
    select(Membership).join(Membership.group).options(contains_eager(Membership.group))
    .where(Membership.user_id == bindparam("user_id"), Group.archived.is_(False))
    .order_by(Group.name)
)


def user_municipality(user: User | None) -> str | None:
    """The municipality of ``user``'s organisation now (None without one or without a user): what
    a post or a shared resource counts for in the programme's figures, stored on it when it is
    written so a later change of organisation moves none of the old ones."""
    if user is None or getattr(user, "organisation_id", None) is None:
        return None
    return db.session.scalar(select(Organisation.municipality_code)
                             .where(Organisation.id == user.organisation_id))


def user_memberships(user: User) -> list[Membership]:
    """The member's groups (not archived), with the group loaded, by name."""
    return list(db.session.scalars(_USER_MEMBERSHIPS, {"user_id": user.id}))


# -- organisations, groups and areas -----------------------------------------------------------


def create_organisation(actor: User | None, name: str, type: OrganisationType, *,
                        municipality_code: str | None = None,
                        county_code: str | None = None) -> Organisation:
    county_code = _check_places(municipality_code, county_code)
    org = Organisation(name=name.strip(), type=OrganisationType(type),
                       municipality_code=municipality_code or None, county_code=county_code or None)
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
    municipality_code = _check_group_fields(kind, municipality_code)
    group = Group(name=name.strip(), slug=unique_group_slug(name), kind=GroupKind(kind),
                  visibility=GroupVisibility(visibility), description=description.strip(),
                  municipality_code=municipality_code)
    db.session.add(group)
    db.session.flush()
    audit(actor, "group.create", group, name=group.name)
    return group


def add_member(actor: User | None, group: Group, user: User,
               role: GroupRole = GroupRole.MEMBER) -> Membership:
    if not user.is_active:
        raise AccountError(_("Kontot är inte aktivt."))
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
    from network.accounts.signals import notify_access_reduced
    from network.permissions import forget_group_roles

    forget_group_roles(user)
    notify_access_reduced(user.id)


def classify_area(actor: User | None, area: Area, year: int,
                  level: ClassificationLevel) -> AreaClassification:
    if not 2000 <= year <= utcnow().year + 1:
        raise AccountError(_("Ange ett år mellan 2000 och %(max)d.", max=utcnow().year + 1))
    level = ClassificationLevel(level)
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


# -- organisations -----------------------------------------------------------------------------


def organisations(*, municipality_code: str | None = None) -> list[Organisation]:
    stmt = select(Organisation).order_by(Organisation.name)
    if municipality_code is not None:
        stmt = stmt.where(Organisation.municipality_code == municipality_code)
    return list(db.session.scalars(stmt.options(selectinload(Organisation.municipality),
                                                selectinload(Organisation.county))))


def _check_places(municipality_code: str | None, county_code: str | None) -> str | None:
    """Validate codes against the reference data; returns the county implied by the municipality."""
    if municipality_code:
        municipality = db.session.get(Municipality, municipality_code)
        if municipality is None:
            raise AccountError(_("Kommunen finns inte."))
        return county_code or municipality.county_code
    if county_code and db.session.get(County, county_code) is None:
        raise AccountError(_("Länet finns inte."))
    return county_code


def update_organisation(actor: User | None, org: Organisation, *, name: str,
                        type: OrganisationType, municipality_code: str | None,
                        county_code: str | None) -> None:
    county_code = _check_places(municipality_code, county_code)
    org.name = name.strip()
    org.type = OrganisationType(type)
    org.municipality_code = municipality_code or None
    org.county_code = county_code or None
    db.session.flush()
    audit(actor, "organisation.update", org, name=org.name)


def delete_organisation(actor: User | None, org: Organisation) -> None:
    """Only organisations nobody belongs to may go; people are never left dangling."""
    from network.accounts.models import Invitation

    in_use = db.session.scalar(select(func.count()).select_from(User)
                               .where(User.organisation_id == org.id))
    invited = db.session.scalar(select(func.count()).select_from(Invitation)
                                .where(Invitation.organisation_id == org.id,
                                       Invitation.used_at.is_(None)))
    if in_use or invited:
        raise AccountError(_("Organisationen har medlemmar eller väntande inbjudningar och kan "
                             "inte tas bort."))
    audit(actor, "organisation.delete", org, name=org.name)
    db.session.delete(org)
    db.session.flush()


# -- municipalities and areas ------------------------------------------------------------------


def _priority_expr(level_col: Any) -> Any:
    """ClassificationLevel.priority as SQL, so lists sort in the database."""
    return case({level.value: level.priority for level in ClassificationLevel},
                value=level_col, else_=len(ClassificationLevel))


def current_levels_subquery() -> Any:
    """(area_id, level, priority) of each area's most recent classification."""
    latest = (select(AreaClassification.area_id, func.max(AreaClassification.year).label("year"))
              .group_by(AreaClassification.area_id).subquery())
    return (select(AreaClassification.area_id, AreaClassification.level,
                   _priority_expr(AreaClassification.level).label("priority"))
            .join(latest, and_(latest.c.area_id == AreaClassification.area_id,
                               latest.c.year == AreaClassification.year))
            .subquery())


class MunicipalityRow(NamedTuple):
    code: str
    name: str
    county_name: str
    participating_since: dt.date | None
    priority: int | None  # ClassificationLevel.priority of the worst current area, None if none
    areas: int


def municipality_list(*, county_code: str | None = None, participating_only: bool = False,
                      sort: str = "priority") -> list[MunicipalityRow]:
    """All municipalities (filtered) with their worst current classification, in one query.

    ``sort="priority"`` puts municipalities with särskilt utsatta områden first, then riskområden,
    then utsatta; ``sort="name"`` is alphabetical. Plain rows, not entities: the list has 290.
    """
    current = current_levels_subquery()
    per_municipality = (
        select(Area.municipality_code.label("code"),
               func.min(current.c.priority).label("priority"),
               func.count(Area.id).label("areas"))
        .outerjoin(current, current.c.area_id == Area.id)
        .group_by(Area.municipality_code).subquery()
    )
    stmt = (select(Municipality.code, Municipality.name, County.name,
                   Municipality.participating_since, per_municipality.c.priority,
                   per_municipality.c.areas)
            .join(County, County.code == Municipality.county_code)
            .outerjoin(per_municipality, per_municipality.c.code == Municipality.code))
    if county_code:
        stmt = stmt.where(Municipality.county_code == county_code)
    if participating_only:
        stmt = stmt.where(Municipality.participating_since.is_not(None))
    if sort == "name":
        stmt = stmt.order_by(Municipality.name)
    else:
        none_priority = ClassificationLevel.NONE.priority
        stmt = stmt.order_by(func.coalesce(per_municipality.c.priority, none_priority + 1),
                             Municipality.participating_since.is_(None), Municipality.name)
    classified = ClassificationLevel.NONE.priority
    return [MunicipalityRow(code, name, county, since,
                            priority if priority is not None and priority < classified else None,
                            areas or 0)
            for code, name, county, since, priority, areas in db.session.execute(stmt)]


def counties() -> list[County]:
    return list(db.session.scalars(select(County).order_by(County.code)))


def municipality_areas(municipality: Municipality) -> list[Area]:
    return list(db.session.scalars(
        select(Area).where(Area.municipality_code == municipality.code)
        .options(selectinload(Area.classifications)).order_by(Area.name)
    ))


def set_participating(actor: User | None, municipality: Municipality,
                      since: dt.date | None) -> None:
    municipality.participating_since = since
    db.session.flush()
    audit(actor, "municipality.participation", municipality,
          since=since.isoformat() if since else None)


def _area_name_taken(municipality_code: str, name: str, exclude_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(Area).where(
        Area.municipality_code == municipality_code, func.lower(Area.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Area.id != exclude_id)
    return bool(db.session.scalar(stmt))


def create_area(actor: User | None, municipality_code: str, name: str,
                description: str = "") -> Area:
    name = name.strip()
    if _area_name_taken(municipality_code, name):
        raise AccountError(_("Kommunen har redan ett område med det namnet."))
    area = Area(municipality_code=municipality_code, name=name, description=description.strip())
    db.session.add(area)
    db.session.flush()
    audit(actor, "area.create", area, name=area.name)
    return area


def update_area(actor: User | None, area: Area, *, name: str, description: str) -> None:
    name = name.strip()
    if _area_name_taken(area.municipality_code, name, exclude_id=area.id):
        raise AccountError(_("Kommunen har redan ett område med det namnet."))
    area.name = name
    area.description = description.strip()
    db.session.flush()
    audit(actor, "area.update", area, name=area.name)


# -- groups ------------------------------------------------------------------------------------


def visible_groups(user: Any, *, include_archived: bool = False) -> list[Group]:
    from network.accounts.permissions import visible_groups_filter

    stmt = select(Group).where(visible_groups_filter(user)).options(
        selectinload(Group.municipality))
    if not include_archived:
        stmt = stmt.where(Group.archived.is_(False))
    return list(db.session.scalars(stmt.order_by(Group.kind, Group.name)))


def member_counts(group_ids: list[int]) -> dict[int, int]:
    if not group_ids:
        return {}
    rows = db.session.execute(
        select(Membership.group_id, func.count()).where(Membership.group_id.in_(group_ids))
        .group_by(Membership.group_id)
    ).all()
    return dict(rows)


MEMBERS_PER_PAGE = 100


def group_members(group: Group, page: int = 1, per_page: int = MEMBERS_PER_PAGE):
    """One page of memberships with each person and their organisation: facilitators first,
    then by name. A group of thousands is shown a hundred at a time."""
    stmt = (
        select(Membership).join(Membership.user).where(Membership.group_id == group.id)
        .options(selectinload(Membership.user).selectinload(User.organisation))
        .order_by(case((Membership.role == GroupRole.FACILITATOR.value, 0), else_=1), User.name,
                  User.id)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def _check_group_fields(kind: GroupKind, municipality_code: str | None) -> str | None:
    if GroupKind(kind) == GroupKind.LOCAL:
        if not municipality_code:
            raise AccountError(_("En lokal samverkansgrupp behöver en kommun."))
        if db.session.get(Municipality, municipality_code) is None:
            raise AccountError(_("Kommunen finns inte."))
        return municipality_code
    return municipality_code or None


def update_group(actor: User | None, group: Group, *, name: str, kind: GroupKind,
                 visibility: GroupVisibility, description: str,
                 municipality_code: str | None) -> None:
    group.municipality_code = _check_group_fields(kind, municipality_code)
    group.name = name.strip()
    group.kind = GroupKind(kind)
    group.visibility = GroupVisibility(visibility)
    group.description = description.strip()
    db.session.flush()
    audit(actor, "group.update", group, name=group.name, visibility=str(visibility))


def set_group_archived(actor: User | None, group: Group, archived: bool) -> None:
    group.archived = archived
    db.session.flush()
    audit(actor, "group.archive" if archived else "group.unarchive", group, name=group.name)


def join_group(user: User, group: Group) -> Membership:
    from network.permissions import can_join_group, forget_group_roles

    if not can_join_group(user, group):
        raise AccountError(_("Du kan inte gå med i den här gruppen."))
    membership = Membership(group=group, user=user, role=GroupRole.MEMBER)
    db.session.add(membership)
    db.session.flush()
    forget_group_roles(user)
    return membership


def leave_group(user: User, group: Group) -> None:
    from network.permissions import forget_group_roles

    membership = db.session.get(Membership, (group.id, user.id))
    if membership is None:
        raise AccountError(_("Du är inte medlem i gruppen."))
    db.session.delete(membership)
    db.session.flush()
    forget_group_roles(user)
    from network.accounts.signals import notify_access_reduced

    notify_access_reduced(user.id)


def audit_page(page: int, per_page: int = 50):
    stmt = (select(AuditLog).options(selectinload(AuditLog.actor))
            .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def paginate(stmt: Select, page: int, per_page: int = 50):
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def group_roles_of(user_id: int) -> dict[int, str]:
    """{group id: role} for one person; ``network.permissions`` reads groups through this."""
    rows = db.session.execute(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user_id)).all()
    return {group_id: str(role) for group_id, role in rows}


class SearchPlaces:
    """Groups and municipalities as the search index (``network.fulltext``) needs them."""

    @staticmethod
    def municipality_of_group(group_id: int) -> str | None:
        return db.session.scalar(select(Group.municipality_code).where(Group.id == group_id))

    @staticmethod
    def visible_group_names(user: Any, group_ids: set[int]) -> dict[int, str]:
        from network.accounts.permissions import visible_groups_filter

        return dict(db.session.execute(select(Group.id, Group.name).where(
            Group.id.in_(group_ids), visible_groups_filter(user))).all())

    @staticmethod
    def visible_group_name(user: Any, group_id: Any) -> Any:
        from network.accounts.permissions import visible_groups_filter

        return select(Group.name).where(Group.id == group_id, visible_groups_filter(user)) \
            .scalar_subquery()

    @staticmethod
    def municipality_names(codes: set[str]) -> dict[str, str]:
        return dict(db.session.execute(select(Municipality.code, Municipality.name)
                                       .where(Municipality.code.in_(codes))).all())
