"""GDPR: a member's own data as JSON, and deleting the account while their content stays.

Every feature that keeps personal data registers how to export and erase it, in its
``init_app``::

    register_personal_data(app, "forum_posts", export_fn, erase_fn)

``export_fn(user) -> dict | list`` returns JSON-serialisable data (dates as ISO strings are
fine; ``export_user_data`` also converts datetimes and dates). ``erase_fn(user) -> None``
removes or anonymises what must not outlive the account (drafts, watches, registrations...);
content others rely on (posts, documents) stays and is shown as written by "Tidigare medlem"
through ``User.display_name``. Both run before the account itself is anonymised, so they can
still read the user's email and memberships.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, delete, or_, select

from network.accounts import sso
from network.accounts.models import AuditLog, Invitation, Membership, PasswordReset, User
from network.accounts.services import AccountError, audit, check_password
from network.accounts.sessions import end_all_sessions
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _

ExportFn = Callable[[User], "dict | list"]
EraseFn = Callable[[User], None]


def register_personal_data(app: Flask, name: str, export_fn: ExportFn, erase_fn: EraseFn) -> None:
    """Add a feature's personal data to the member's export and to account deletion."""
    registry = app.extensions.setdefault("personal_data", {})
    if name in registry:
        raise ValueError(f"personal data {name!r} is already registered")
    registry[name] = (export_fn, erase_fn)


def _registry() -> dict[str, tuple[ExportFn, EraseFn]]:
    return current_app.extensions.get("personal_data", {})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the network holds about ``user``, keyed by what it is."""
    data: dict[str, Any] = {"exported_at": utcnow()}
    for name, (export_fn, _erase) in sorted(_registry().items()):
        data[name] = export_fn(user)
    return _jsonable(data)


def delete_account(user: User, password: str, *, successors: dict[int, int] | None = None) -> None:
    """Erase the member's personal data; what they wrote stays, attributed to "Tidigare medlem".

    ``password`` confirms it; an account without one (it signs in through single sign-on only)
    confirms with its email address instead.

    A group the member alone facilitates gets the successor they chose first (``successors``:
    group id -> user id); without one the deletion is refused (``members.SuccessorNeeded``).
    """
    from network.accounts.members import hand_over_groups

    if user.password_hash is None:
        # Single sign-on only: the session proves who it is; typing the address proves intent.
        if (password or "").strip().casefold() != (user.email or "").casefold():
            raise AccountError(_("Skriv din e-postadress exakt som den står i din profil."))
    elif not check_password(user, password):
        raise AccountError(_("Lösenordet stämmer inte."))
    hand_over_groups(user, user, successors or {})
    erase_account(user)


def erase_account(user: User) -> None:
    for _name, (_export, erase_fn) in sorted(_registry().items()):
        erase_fn(user)
    audit(user, "user.delete", user)
    user.email = None
    user.name = ""
    user.phone = ""
    user.title = ""
    user.password_hash = None
    user.organisation_id = None
    user.locale = None
    user.last_login_at = None
    user.active = False
    user.deleted_at = utcnow()
    db.session.flush()
    end_all_sessions(user)
    from network.accounts.signals import notify_access_reduced
    from network.permissions import forget_group_roles

    forget_group_roles(user)
    notify_access_reduced(user.id, everything=True)


# -- the accounts feature's own personal data ---------------------------------------------------


def _export_profile(user: User) -> dict:
    org = user.organisation
    return {
        "id": user.id, "email": user.email, "name": user.name, "title": user.title,
        "phone": user.phone, "organisation": org.name if org else None,
        "role": str(user.role), "language": user.locale,
        "email_notifications": user.email_notifications,
        "created_at": user.created_at, "last_login_at": user.last_login_at,
        "county_overseen": user.county_code, "expert_on": [row.theme for row in user.expertise],
        "directory_shows_email": user.show_email, "directory_shows_phone": user.show_phone,
        "active": user.active,
    }


def _export_memberships(user: User) -> list:
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    return [{"group": m.group.name, "group_id": m.group_id, "role": str(m.role),
             "since": m.created_at} for m in rows]


def _erase_memberships(user: User) -> None:
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))


def _export_invitations(user: User) -> list:
    rows = db.session.scalars(select(Invitation).where(Invitation.invited_by_id == user.id)
                              .order_by(Invitation.created_at)).all()
    return [{"email": i.email, "group": i.group.name if i.group else None,
             "more_groups": [g.name for g in i.extra_groups],
             "created_at": i.created_at, "accepted_at": i.used_at} for i in rows]


def _erase_invitations(user: User) -> None:
    # Invitations *to* this person carry their address; those they sent stay for the record,
    # attributed to "Tidigare medlem", but unused ones stop working.
    conditions = [Invitation.invited_by_id == user.id]
    if user.email:
        conditions.append(Invitation.email == user.email)
    from network.accounts.invitations import delete_invitations

    delete_invitations(Invitation.used_at.is_(None), or_(*conditions))
    if user.email:
        delete_invitations(Invitation.email == user.email)
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))


def _export_audit(user: User) -> list:
    rows = db.session.scalars(select(AuditLog).where(AuditLog.actor_id == user.id)
                              .order_by(AuditLog.created_at)).all()
    return [{"action": a.action, "target": f"{a.target_type}:{a.target_id}",
             "details": a.details, "at": a.created_at} for a in rows]


def _export_audit_about(user: User) -> list:
    """What administrators and facilitators did to the person (their account, their groups)."""
    about = or_(and_(AuditLog.target_type == "users", AuditLog.target_id == str(user.id)),
                AuditLog.details["user_id"].as_integer() == user.id)
    rows = db.session.scalars(select(AuditLog).where(about).order_by(AuditLog.created_at)).all()
    return [{"action": a.action, "by": a.actor.display_name if a.actor else None,
             "target": f"{a.target_type}:{a.target_id}", "details": a.details,
             "at": a.created_at} for a in rows]


def _export_sessions(user: User) -> list:
    from network.accounts.sessions import active_sessions, describe_device

    return [{"device": describe_device(s.user_agent).describe(), "user_agent": s.user_agent,
             "signed_in_at": s.created_at, "last_seen_at": s.last_seen_at,
             "expires_at": s.expires_at} for s in active_sessions(user)]


def _keep_audit(user: User) -> None:
    """Audit entries stay: accountability for admin actions outlives the account."""


def _erase_queued_mail(user: User) -> None:
    """Mail not yet sent to the person is not sent once the account is gone."""
    from network.outbox import OutboxEmail

    if user.email:
        db.session.execute(delete(OutboxEmail).where(OutboxEmail.to_addr == user.email))


def init_app(app: Flask) -> None:
    register_personal_data(app, "profile", _export_profile, lambda user: None)
    register_personal_data(app, "memberships", _export_memberships, _erase_memberships)
    register_personal_data(app, "invitations_sent", _export_invitations, _erase_invitations)
    register_personal_data(app, "audit_log", _export_audit, _keep_audit)
    register_personal_data(app, "audit_log_about_me", _export_audit_about, _keep_audit)
    # Sessions end with the account (``erase_account``); nothing more to erase here.
    register_personal_data(app, "sessions", _export_sessions, lambda user: None)
    register_personal_data(app, "sso_identities", sso.export_identities, sso.erase_identities)
    register_personal_data(app, "queued_mail", lambda user: [], _erase_queued_mail)
