"""Invitations and password resets: the two ways a secret link reaches someone's inbox.

Only the SHA-256 of each token is stored (``accounts.tokens``); the token itself exists in the
email alone. Both are single use and expire (``INVITATION_DAYS``, ``PASSWORD_RESET_HOURS``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from network.accounts.models import (
    Group,
    GroupRole,
    Invitation,
    InvitationGroup,
    Membership,
    Organisation,
    PasswordReset,
    User,
)
from network.accounts.services import (
    AccountError,
    audit,
    create_user,
    find_user_by_email,
    normalise_email,
    set_password,
)
from network.accounts.tokens import hash_token, new_token
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access


class TokenState(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def _state(row: Invitation | PasswordReset | None) -> TokenState:
    if row is None:
        return TokenState.UNKNOWN
    if row.used_at is not None:
        return TokenState.USED
    if utcnow() >= row.expires_at:
        return TokenState.EXPIRED
    return TokenState.OK


def _link(endpoint: str, token: str) -> str:
    # Built from PUBLIC_BASE_URL so links are right from the CLI and behind a proxy alike.
    if has_request_context():
        path = url_for(endpoint, token=token)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, token=token)
    return current_app.config["PUBLIC_BASE_URL"] + path


# -- invitations -------------------------------------------------------------------------------


def invite(actor: User | None, email: str, *, organisation: Organisation | None = None,
           group: Group | None = None, group_role: GroupRole = GroupRole.MEMBER,
           more_groups: Sequence[Group] = ()) -> tuple[Invitation, str]:
    """Invite ``email`` to the network (and ``group``, and ``more_groups`` with the same role);
    returns the invitation and its token.

    The caller has checked ``permissions.can_invite(actor, group)``. A new invitation to the same
    address replaces any pending one, so "send again" is just inviting again.
    """
    from network.outbox import queue_email

    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(_("Det finns redan ett konto med den e-postadressen. Lägg till personen "
                             "i gruppen från gruppens sida i stället."))
    more_groups = [g for g in more_groups if g is not group]
    if group is None and more_groups:
        group, more_groups = more_groups[0], more_groups[1:]
    if any(g.archived for g in [group, *more_groups] if g is not None):
        raise AccountError(_("Gruppen är arkiverad."))
    delete_invitations(Invitation.email == email, Invitation.used_at.is_(None))
    token, token_hash = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(email=email, token_hash=token_hash, invited_by=actor,
                            organisation=organisation, group=group, group_role=GroupRole(group_role),
                            expires_at=utcnow() + dt.timedelta(days=days))
    invitation.extra_groups = list(more_groups)
    db.session.add(invitation)
    db.session.flush()
    audit(actor, "invitation.create", invitation, email=email,
          group_id=group.id if group else None, role=str(group_role),
          **({"more_group_ids": [g.id for g in more_groups]} if more_groups else {}))
    link = _link("accounts.accept_invitation", token)
    network = current_app.config["NETWORK_NAME"]
    inviter = actor.display_name if actor else network
    # The invitee has no language preference yet: the network's first language.
    with force_locale("sv"):
        subject = _("Inbjudan till %(network)s", network=network)
        lines = [_("Hej!"), "",
                 _("%(inviter)s bjuder in dig till %(network)s.", inviter=inviter, network=network)]
        if group is not None and not more_groups:
            lines.append(_("Du blir medlem i gruppen %(group)s.", group=group.name))
        elif group is not None:
            lines.append(_("Du blir medlem i grupperna %(groups)s.",
                           groups=", ".join(g.name for g in [group, *more_groups])))
        lines += ["", _("Skapa ditt konto här (länken gäller i %(days)d dagar och kan användas en "
                        "gång):", days=days), link, "",
                  _("Om du inte väntade dig inbjudan kan du bortse från det här mejlet.")]
    queue_email(email, subject, "\n".join(lines) + "\n")
    return invitation, token


def delete_invitations(*conditions: Any) -> None:
    """Delete the invitations matching ``conditions`` with their further groups (SQLite runs
    without enforced foreign keys, so the link rows are removed here, not by cascade)."""
    ids = select(Invitation.id).where(*conditions).scalar_subquery()
    db.session.execute(delete(InvitationGroup).where(InvitationGroup.invitation_id.in_(ids)))
    db.session.execute(delete(Invitation).where(*conditions))


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def invitation_state(invitation: Invitation | None) -> TokenState:
    return _state(invitation)


def accept_invitation(invitation: Invitation, *, name: str, password: str | None, title: str = "",
                      phone: str = "") -> User:
    """Create the invitee's account, join the invited group, and use up the invitation.

    ``password`` is None when single sign-on accepts it (network/accounts/sso.py): the account
    then has no password until the member sets one through "Glömt lösenord".
    """
    state = _state(invitation)
    if state != TokenState.OK:
        raise AccountError(str(state))
    user = create_user(invitation.email, None, name, organisation=invitation.organisation,
                       title=title, phone=phone)
    if password is not None:
        set_password(user, password)
    invitation.used_at = utcnow()
    for group in invitation.groups:
        if not group.archived:
            db.session.add(Membership(group=group, user=user,
                                      role=GroupRole(invitation.group_role)))
    db.session.flush()
    audit(user, "invitation.accept", invitation, email=invitation.email)
    return user


def pending_invitations_query():
    return (select(Invitation)
            .where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
            .options(selectinload(Invitation.invited_by), selectinload(Invitation.group),
                     selectinload(Invitation.extra_groups),
                     selectinload(Invitation.organisation))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()))


def resend_invitation(actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    """Send a pending (or expired) invitation again: a new link, a new expiry; the old link dies."""
    check_access("accounts.invitation.resend", actor, invitation)
    if invitation.used_at is not None:
        raise AccountError(_("Inbjudan har redan använts."))
    return invite(actor, invitation.email, organisation=invitation.organisation,
                  group=invitation.group, group_role=GroupRole(invitation.group_role),
                  more_groups=list(invitation.extra_groups))


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    check_access("accounts.invitation.cancel", actor, invitation)
    if invitation.used_at is not None:
        raise AccountError(_("Inbjudan har redan använts."))
    audit(actor, "invitation.revoke", invitation, email=invitation.email)
    db.session.delete(invitation)
    db.session.flush()


# -- password reset ----------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; silently nothing otherwise.

    The caller answers the same in both cases, so nobody learns which addresses have accounts.
    """
    from network.outbox import queue_email

    user = find_user_by_email(email)
    if user is None or not user.is_active or user.email is None:
        return
    token, token_hash = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(PasswordReset(user=user, token_hash=token_hash,
                                 expires_at=utcnow() + dt.timedelta(hours=hours)))
    db.session.flush()
    link = _link("accounts.reset_password", token)
    with force_locale(user.locale or "sv"):
        subject = _("Återställ ditt lösenord")
        text = "\n".join([
            _("Hej %(name)s!", name=user.name), "",
            _("Någon (förhoppningsvis du) har bett om att få återställa lösenordet till ditt konto. "
              "Välj ett nytt lösenord här (länken gäller i %(hours)d timmar och kan användas en "
              "gång):", hours=hours),
            link, "",
            _("Om du inte bad om detta kan du bortse från mejlet; ditt lösenord är oförändrat."),
        ])
    queue_email(user.email, subject, text + "\n")


def find_password_reset(token: str) -> PasswordReset | None:
    return db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))


def reset_state(reset: PasswordReset | None) -> TokenState:
    state = _state(reset)
    if state == TokenState.OK and not reset.user.is_active:
        return TokenState.UNKNOWN
    return state


def reset_password(reset: PasswordReset, new_password: str) -> User:
    """Set the new password, end every session, and use up this and any other pending link."""
    if reset_state(reset) != TokenState.OK:
        raise AccountError(str(reset_state(reset)))
    user = reset.user
    set_password(user, new_password)
    now = utcnow()
    db.session.execute(update(PasswordReset)
                       .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now))
    db.session.flush()
    db.session.refresh(reset)
    return user
