"""Single sign-on: who an OpenID Connect login is, and who may still use a password.

The protocol (discovery, PKCE, state, nonce, the ID token's signature and claims) is
``sso_client``'s, through Authlib; this module gets the claims of a validated ID token and
decides, like any service, without reading the request:

- a linked identity (provider + ``sub``) signs its account in;
- otherwise a *verified* email of an allowed domain is matched to an active account (and the
  identity is linked) or to a pending invitation (accepted by the login: the account is created
  without a password, into the invited group);
- otherwise, if the provider may create accounts, the person lands in the administrators'
  account-request queue (``account_requests``): approving it sends the normal invitation, which
  their next single sign-on accepts;
- anything else is refused with a message saying why.

An administrator can turn password login off for an email domain that a provider serves
(``PasswordLoginBlock``); the password form then refuses those addresses before any password is
checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select, update

from network.accounts.models import Invitation, User
from network.accounts.models_sso import PasswordLoginBlock, SsoIdentity
from network.accounts.services import AccountError, audit, find_user_by_email, normalise_email
from network.db import utcnow
from network.extensions import db
from network.i18n import gettext as _
from network.permissions import check_access


class SsoRefused(AccountError):
    """A single sign-on that must not sign anyone in; ``str()`` is the message for the person."""


@dataclass(frozen=True)
class Outcome:
    user: User | None = None  # sign this account in
    requested: bool = False  # an account request now waits for an administrator


def providers() -> list[dict]:
    return current_app.config.get("OIDC_PROVIDERS") or []


def provider(key: str) -> dict | None:
    return next((p for p in providers() if p["key"] == key), None)


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def serves_domain(config: dict, domain: str) -> bool:
    return not config["domains"] or domain in config["domains"]


# -- signing in --------------------------------------------------------------------------------


def sign_in(key: str, claims: dict) -> Outcome:
    """The account the validated ID token ``claims`` of provider ``key`` signs in (see module)."""
    config = provider(key)
    if config is None:
        raise SsoRefused(_("Inloggningstjänsten finns inte."))
    name = config["name"]
    subject = str(claims.get("sub") or "")
    email = normalise_email(str(claims.get("email") or ""))
    if not subject or "@" not in email:
        raise SsoRefused(_("%(provider)s lämnade ingen e-postadress, så vi vet inte vem du är.",
                           provider=name))
    if claims.get("email_verified") is not True:
        raise SsoRefused(_("Din e-postadress %(email)s är inte bekräftad hos %(provider)s. Bekräfta "
                           "den där och försök igen, eller logga in med lösenord.",
                           email=email, provider=name))
    if not serves_domain(config, email_domain(email)):
        raise SsoRefused(_("Adresser på %(domain)s kan inte logga in med %(provider)s.",
                           domain=email_domain(email), provider=name))
    identity = db.session.scalar(select(SsoIdentity).where(
        SsoIdentity.provider == key, SsoIdentity.subject == subject))
    user = identity.user if identity is not None else _account_for(config, email, claims)
    if user is None:
        return Outcome(requested=True)
    if not user.is_active:
        raise SsoRefused(_("Kontot är avstängt. Kontakta nätverkets samordnare."))
    now = utcnow()
    if identity is None:
        identity = SsoIdentity(provider=key, subject=subject, user=user, email=email)
        db.session.add(identity)
        db.session.flush()
        audit(user, "sso.link", user, provider=key)
    identity.email = email
    identity.last_login_at = now
    # Shown on no cached page, like a password login's.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now)
                       .execution_options(cache_neutral=True, synchronize_session=False))
    db.session.flush()
    return Outcome(user=user)


def _account_for(config: dict, email: str, claims: dict) -> User | None:
    """An account by verified email: existing, or made from a pending invitation; None when a
    request for one was filed. Refuses when neither is possible."""
    from network.accounts.account_requests import submit_request
    from network.accounts.invitations import accept_invitation

    user = find_user_by_email(email)
    if user is not None:
        return user
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.email == email, Invitation.used_at.is_(None),
                                 Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc()).limit(1))
    name = str(claims.get("name") or "").strip()[:120] or email.partition("@")[0]
    if invitation is not None:
        return accept_invitation(invitation, name=name, password=None)
    if not config["create_accounts"]:
        raise SsoRefused(_("Det finns inget konto för %(email)s. Medlemskap sker genom inbjudan; "
                           "du kan be om ett konto.", email=email))
    with force_locale("sv"):
        reason = _("Loggade in med %(provider)s (bekräftad e-postadress).", provider=config["name"])
    submit_request(name=name, email=email, organisation_name=email_domain(email), role_title="",
                   municipality_code=None, reason=reason)
    return None


# -- password login per domain -----------------------------------------------------------------


def password_login_blocked(email: str) -> bool:
    domain = email_domain(email)
    return bool(domain) and db.session.get(PasswordLoginBlock, domain) is not None


def providers_for(email: str) -> list[dict]:
    """The providers a person with this address can sign in with."""
    domain = email_domain(email)
    return [p for p in providers() if serves_domain(p, domain)]


def blocked_domains() -> list[PasswordLoginBlock]:
    return list(db.session.scalars(select(PasswordLoginBlock).order_by(PasswordLoginBlock.domain)))


def block_password_login(actor: User, domain: str) -> None:
    """Members with addresses on ``domain`` must sign in through a provider that serves it."""
    check_access("accounts.sso.password_login", actor)
    domain = domain.strip().lower().lstrip("@")
    if "." not in domain or "@" in domain or " " in domain:
        raise AccountError(_("Skriv en domän, till exempel malmo.se."))
    if not providers_for("x@" + domain):
        raise AccountError(_("Ingen inloggningstjänst tar emot adresser på %(domain)s; utan "
                             "lösenord kunde de inte logga in alls.", domain=domain))
    if db.session.get(PasswordLoginBlock, domain) is None:
        db.session.add(PasswordLoginBlock(domain=domain, created_by_id=actor.id))
        audit(actor, "sso.password_login.block", None, domain=domain)
        db.session.flush()


def allow_password_login(actor: User, domain: str) -> None:
    check_access("accounts.sso.password_login", actor)
    row = db.session.get(PasswordLoginBlock, domain)
    if row is not None:
        db.session.delete(row)
        audit(actor, "sso.password_login.allow", None, domain=domain)
        db.session.flush()


# -- the member's own identities ---------------------------------------------------------------


def identities(user: User) -> list[SsoIdentity]:
    return list(db.session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user.id)
                                   .order_by(SsoIdentity.created_at, SsoIdentity.id)))


def provider_name(key: str) -> str:
    config = provider(key)
    return config["name"] if config else key


def unlink(actor: User, identity: SsoIdentity) -> None:
    """Remove a linked identity; refused when it is the member's last way to sign in."""
    check_access("accounts.sso.unlink", actor, identity)
    user = identity.user
    others = [i for i in identities(user) if i.id != identity.id]
    if not others and (user.password_hash is None or password_login_blocked(user.email or "")):
        raise AccountError(_("Det här är ditt enda sätt att logga in. Välj först ett lösenord "
                             "(”Glömt lösenordet?”) eller koppla en annan inloggning."))
    db.session.delete(identity)
    audit(actor, "sso.unlink", user, provider=identity.provider)
    db.session.flush()


def export_identities(user: User) -> list[dict]:
    return [{"provider": i.provider, "provider_name": provider_name(i.provider),
             "subject": i.subject, "email": i.email, "linked_at": i.created_at,
             "last_login_at": i.last_login_at} for i in identities(user)]


def erase_identities(user: User) -> None:
    db.session.execute(delete(SsoIdentity).where(SsoIdentity.user_id == user.id)
                       .execution_options(synchronize_session=False))
