"""Member administration: finding people, and the actions that change their standing.

Every action starts with ``check_access`` (the registry in ``network.permissions``) and writes an
audit entry. Refusals a person can understand (deactivating yourself, the last administrator, a
group left without facilitator) are ``AccountError``s with a message; being the wrong person
altogether is ``AccessDenied``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from network.accounts.models import (
    AuditLog,
    County,
    Group,
    GroupRole,
    Membership,
    Municipality,
    NetworkRole,
    Organisation,
    User,
    UserExpertise,
)
from network.accounts.services import AccountError, add_member, audit, remove_member
from network.accounts.sessions import end_all_sessions
from network.accounts.signals import notify_access_reduced
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access, forget_group_roles

SORTS = ("name", "email", "organisation", "municipality", "role", "last_login", "created")
LAST_LOGIN_CHOICES = ("never", "30", "90", "older90")


@dataclass
class MemberFilter:
    """What the member list is narrowed to; empty values mean "any"."""

    q: str = ""
    organisation_id: int | None = None
    organisation_type: str = ""
    municipality_code: str = ""
    county_code: str = ""
    group_id: int | None = None
    role: str = ""
    expert: str = ""  # "yes" | "no"
    status: str = ""  # "active" | "deactivated"
    last_login: str = ""  # one of LAST_LOGIN_CHOICES
    sort: str = "name"
    descending: bool = False
    extra: dict = field(default_factory=dict)


def member_query(actor: User, f: MemberFilter) -> Select:
    """The filtered, sorted list of accounts (deleted ones never appear)."""
    check_access("accounts.member.list", actor)
    org_municipality = aliased(Municipality)
    stmt = (select(User)
            .outerjoin(Organisation, User.organisation_id == Organisation.id)
            .outerjoin(org_municipality, Organisation.municipality_code == org_municipality.code)
            .where(User.deleted_at.is_(None))
            .options(selectinload(User.organisation).selectinload(Organisation.municipality),
                     selectinload(User.expertise)))
    if f.q.strip():
        from network.accounts.directory import text_match

        stmt = stmt.where(or_(*(text_match(col, f.q) for col in (User.name, User.email, User.title))))
    if f.organisation_id:
        stmt = stmt.where(User.organisation_id == f.organisation_id)
    if f.organisation_type:
        stmt = stmt.where(Organisation.type == f.organisation_type)
    if f.municipality_code:
        stmt = stmt.where(Organisation.municipality_code == f.municipality_code)
    if f.county_code:
        stmt = stmt.where(or_(Organisation.county_code == f.county_code,
                              org_municipality.county_code == f.county_code,
                              User.county_code == f.county_code))
    if f.group_id:
        stmt = stmt.where(exists().where(Membership.user_id == User.id,
                                         Membership.group_id == f.group_id))
    if f.role:
        stmt = stmt.where(User.role == f.role)
    if f.expert in ("yes", "no"):
        is_expert = exists().where(UserExpertise.user_id == User.id)
        stmt = stmt.where(is_expert if f.expert == "yes" else ~is_expert)
    if f.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif f.status == "deactivated":
        stmt = stmt.where(User.active.is_(False))
    stmt = _last_login_filter(stmt, f.last_login)
    return stmt.order_by(*_order(f, org_municipality))


def _last_login_filter(stmt: Select, choice: str) -> Select:
    if choice == "never":
        return stmt.where(User.last_login_at.is_(None))
    if choice in ("30", "90"):
        return stmt.where(User.last_login_at >= utcnow() - dt.timedelta(days=int(choice)))
    if choice == "older90":
        return stmt.where(User.last_login_at < utcnow() - dt.timedelta(days=90))
    return stmt


def _order(f: MemberFilter, org_municipality) -> list:
    column = {
        "name": func.lower(User.name), "email": User.email, "organisation": Organisation.name,
        "municipality": org_municipality.name, "role": User.role,
        "last_login": User.last_login_at, "created": User.created_at,
    }.get(f.sort, func.lower(User.name))
    primary = column.desc().nulls_last() if f.descending else column.asc().nulls_last()
    return [primary, User.id]


def member_rows(users: list[User]) -> list[list]:
    """The CSV export's rows (header first): what the list shows, one person a row."""
    from network.accounts.models import NETWORK_ROLE_LABELS

    rows: list[list] = [[_("Namn"), _("E-post"), _("Titel"), _("Telefon"), _("Organisation"),
                         _("Organisationstyp"), _("Kommun"), _("Roll i nätverket"), _("Expert"),
                         _("Aktiv"), _("Senast inloggad")]]
    for user in users:
        org = user.organisation
        rows.append([
            user.name, user.email or "", user.title, user.phone, org.name if org else "",
            org.type_label if org else "",
            org.municipality.name if org and org.municipality else "",
            str(NETWORK_ROLE_LABELS[NetworkRole(user.role)]),
            _("ja") if user.expertise else _("nej"), _("ja") if user.active else _("nej"),
            user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "",
        ])
    return rows


# -- one member --------------------------------------------------------------------------------


def member_audit_entries(actor: User, user: User, limit: int = 50) -> list[AuditLog]:
    """Audit entries about ``user``: aimed at the account, or naming it as the person concerned."""
    check_access("accounts.member.view", actor, user)
    about = or_(and_(AuditLog.target_type == "users", AuditLog.target_id == str(user.id)),
                AuditLog.details["user_id"].as_integer() == user.id)
    return list(db.session.scalars(
        select(AuditLog).where(about).options(selectinload(AuditLog.actor))
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)))


def member_activity(actor: User, user: User, limit: int = 30) -> list[AuditLog]:
    """What the person did themselves that the audit log records, most recent first."""
    check_access("accounts.member.view", actor, user)
    return list(db.session.scalars(
        select(AuditLog).where(AuditLog.actor_id == user.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)))


def _active_admin_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == NetworkRole.ADMIN.value, User.active.is_(True), User.deleted_at.is_(None))) or 0


def _refuse_losing_the_last_admin(user: User) -> None:
    if user.role == NetworkRole.ADMIN and user.is_active and _active_admin_count() <= 1:
        raise AccountError(_("%(name)s är den enda aktiva administratören. Gör någon annan till "
                             "administratör först.", name=user.name))


# -- leaving without leaving a group facilitator-less ------------------------------------------


def groups_needing_successor(user: User) -> list[Group]:
    """Groups (not archived) where ``user`` is the only facilitator."""
    other = aliased(Membership)
    others_facilitate = exists().where(other.group_id == Membership.group_id,
                                       other.user_id != user.id,
                                       other.role == GroupRole.FACILITATOR.value)
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.role == GroupRole.FACILITATOR.value,
               Group.archived.is_(False), ~others_facilitate)
        .order_by(Group.name)))


def successor_candidates(group: Group, leaving: User) -> list[User]:
    """Who may take over a group's facilitation: its other active members."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, User.id != leaving.id, User.active.is_(True),
               User.deleted_at.is_(None))
        .order_by(func.lower(User.name))))


class SuccessorNeeded(AccountError):
    """The person is the last facilitator of these groups; someone must take over first."""

    def __init__(self, groups: list[Group]) -> None:
        super().__init__(_("Välj vem som tar över som samordnare för %(groups)s; annars blir "
                           "gruppen utan samordnare.", groups=", ".join(g.name for g in groups)))
        self.groups = groups


def hand_over_groups(actor: User | None, leaving: User, successors: dict[int, int]) -> None:
    """Make the chosen successor facilitator of every group ``leaving`` alone facilitates.

    ``successors`` maps group id to user id; a group without a valid choice refuses the whole
    change (``SuccessorNeeded``), so a group never silently ends up without a facilitator.
    """
    needing = groups_needing_successor(leaving)
    missing = []
    for group in needing:
        chosen = successors.get(group.id)
        candidates = {u.id: u for u in successor_candidates(group, leaving)}
        if chosen not in candidates:
            missing.append(group)
            continue
        add_member(actor, group, candidates[chosen], role=GroupRole.FACILITATOR)
        audit(actor, "group.facilitator.transfer", group, user_id=candidates[chosen].id,
              previous_id=leaving.id)
    if missing:
        raise SuccessorNeeded(missing)


# -- actions -----------------------------------------------------------------------------------


def deactivate(actor: User, user: User, *, successors: dict[int, int] | None = None) -> None:
    """The account stops signing in at once: every session and open chat socket ends."""
    check_access("accounts.member.deactivate", actor, user)
    if user.id == actor.id:
        raise AccountError(_("Du kan inte inaktivera ditt eget konto."))
    if not user.active:
        raise AccountError(_("Kontot är redan inaktiverat."))
    _refuse_losing_the_last_admin(user)
    hand_over_groups(actor, user, successors or {})
    user.active = False
    db.session.flush()
    end_all_sessions(user)
    audit(actor, "user.deactivate", user, email=user.email)
    forget_group_roles(user)
    notify_access_reduced(user.id, everything=True)


def reactivate(actor: User, user: User) -> None:
    check_access("accounts.member.reactivate", actor, user)
    if user.active:
        raise AccountError(_("Kontot är redan aktivt."))
    if user.deleted_at is not None:
        raise AccountError(_("Kontot är borttaget och kan inte aktiveras igen."))
    user.active = True
    db.session.flush()
    audit(actor, "user.reactivate", user, email=user.email)


def set_role(actor: User, user: User, role: NetworkRole, county_code: str | None = None) -> None:
    """Change someone's network role; county-board staff need the county they oversee."""
    check_access("accounts.member.set_role", actor, user)
    role = NetworkRole(role)
    if role == NetworkRole.COUNTY:
        if not county_code or db.session.get(County, county_code) is None:
            raise AccountError(_("Välj vilket län personen arbetar med."))
    else:
        county_code = None
    if user.role == NetworkRole.ADMIN and role != NetworkRole.ADMIN:
        _refuse_losing_the_last_admin(user)
    previous = user.role
    user.role = role.value
    user.county_code = county_code
    db.session.flush()
    audit(actor, "user.role", user, role=role.value, previous=str(previous), county=county_code)
    if previous != role.value:
        notify_access_reduced(user.id)


def set_expertise(actor: User, user: User, themes: list[str], known_themes: set[str]) -> None:
    """Mark (or unmark) someone as an expert on library themes."""
    check_access("accounts.member.set_expertise", actor, user)
    unknown = set(themes) - known_themes
    if unknown:
        raise AccountError(_("Okänt tema: %(themes)s", themes=", ".join(sorted(unknown))))
    wanted = set(themes)
    current = {row.theme: row for row in user.expertise}
    for theme, row in current.items():
        if theme not in wanted:
            user.expertise.remove(row)
    for theme in sorted(wanted - set(current)):
        user.expertise.append(UserExpertise(theme=theme))
    db.session.flush()
    audit(actor, "user.expertise", user, themes=sorted(wanted))


def add_to_group(actor: User, user: User, group: Group, role: GroupRole = GroupRole.MEMBER) -> None:
    check_access("accounts.member.add_to_group", actor, group)
    if group.archived:
        raise AccountError(_("Gruppen är arkiverad."))
    add_member(actor, group, user, role=GroupRole(role))


def remove_from_group(actor: User, user: User, group: Group, *,
                      successor_id: int | None = None) -> None:
    check_access("accounts.member.remove_from_group", actor, group)
    if db.session.get(Membership, (group.id, user.id)) is None:
        raise AccountError(_("%(name)s är inte medlem i gruppen.", name=user.name))
    if group in groups_needing_successor(user):
        hand_over_groups(actor, user, {group.id: successor_id} if successor_id else {})
    remove_member(actor, group, user)


def transfer_facilitator(actor: User, group: Group, leaving: User, successor: User) -> None:
    """Hand a group's facilitation from ``leaving`` to ``successor`` (who stays or becomes a member)."""
    check_access("accounts.group.transfer_facilitator", actor, group)
    membership = db.session.get(Membership, (group.id, leaving.id))
    if membership is None or membership.role != GroupRole.FACILITATOR:
        raise AccountError(_("%(name)s är inte samordnare för gruppen.", name=leaving.name))
    if successor.id == leaving.id or not successor.is_active:
        raise AccountError(_("Välj en annan, aktiv person som tar över."))
    add_member(actor, group, successor, role=GroupRole.FACILITATOR)
    membership.role = GroupRole.MEMBER
    db.session.flush()
    forget_group_roles(leaving)
    audit(actor, "group.facilitator.transfer", group, user_id=successor.id, previous_id=leaving.id)
