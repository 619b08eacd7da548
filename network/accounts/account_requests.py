"""Requests to join from people whose organisation is not in the network yet.

The public form answers the same whatever happens behind it (no account enumeration): a request
from an address that already has an account is not stored, and that address gets a reminder of
how to sign in instead. An administrator approves (the normal invitation goes out, into the
chosen group) or declines (with an optional message); the requester gets an email either way.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select

from network.accounts.invitations import invite
from network.accounts.models import AccountRequest, Group, GroupRole, Municipality, User
from network.accounts.services import AccountError, audit, find_user_by_email, normalise_email
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"


def submit_request(*, name: str, email: str, organisation_name: str, role_title: str,
                   municipality_code: str | None, reason: str) -> None:
    """Store a request (replacing a pending one from the same address); nothing is returned."""
    from network.outbox import queue_email

    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        with force_locale("sv"):
            queue_email(email, _("Du har redan ett konto"), "\n".join([
                _("Hej!"), "",
                _("Någon (förhoppningsvis du) bad om ett konto i %(network)s med den här "
                  "adressen, men du har redan ett. Har du glömt lösenordet kan du välja ett nytt "
                  "här:", network=current_app.config["NETWORK_NAME"]),
                current_app.config["PUBLIC_BASE_URL"] + "/glomt-losenord", ""]))
        return
    if municipality_code and db.session.get(Municipality, municipality_code) is None:
        municipality_code = None
    db.session.execute(delete(AccountRequest).where(AccountRequest.email == email,
                                                    AccountRequest.status == PENDING))
    db.session.add(AccountRequest(
        name=name.strip()[:120], email=email, organisation_name=organisation_name.strip()[:200],
        role_title=role_title.strip()[:120], municipality_code=municipality_code or None,
        reason=reason.strip()[:4000]))
    db.session.flush()


def pending_requests_query():
    return (select(AccountRequest).where(AccountRequest.status == PENDING)
            .order_by(AccountRequest.created_at, AccountRequest.id))


def _decided(actor: User, request: AccountRequest, status: str, message: str = "") -> None:
    if request.status != PENDING:
        raise AccountError(_("Förfrågan är redan hanterad."))
    request.status = status
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.decision_message = message.strip()[:4000]


def approve_request(actor: User, request: AccountRequest, *, group: Group | None = None,
                    group_role: GroupRole = GroupRole.MEMBER) -> None:
    """Send the normal invitation (into ``group``); the invitation email is the answer."""
    check_access("accounts.request.approve", actor, request)
    _decided(actor, request, APPROVED)
    invite(actor, request.email, group=group, group_role=GroupRole(group_role))
    audit(actor, "account_request.approve", request, email=request.email,
          group_id=group.id if group else None)
    db.session.flush()


def decline_request(actor: User, request: AccountRequest, message: str = "") -> None:
    from network.outbox import queue_email

    check_access("accounts.request.decline", actor, request)
    _decided(actor, request, DECLINED, message)
    audit(actor, "account_request.decline", request, email=request.email)
    db.session.flush()
    with force_locale("sv"):
        lines = [_("Hej %(name)s!", name=request.name), "",
                 _("Tack för din förfrågan om ett konto i %(network)s. Vi kan tyvärr inte ge dig "
                   "ett konto just nu.", network=current_app.config["NETWORK_NAME"])]
        if request.decision_message:
            lines += ["", request.decision_message]
        queue_email(request.email, _("Svar på din förfrågan om konto"), "\n".join(lines) + "\n")
