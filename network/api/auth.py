"""Who is calling: a personal access token (``Authorization: Bearer``), else the visitor.

A browser session counts for reads (a member trying the API while signed in sees what their
pages show); every write needs a token with the ``write`` scope, so the API needs no CSRF token:
a cross-site page cannot set an ``Authorization`` header. Tokens are refused anywhere but in that
header: a token in a URL ends up in logs, proxies and browser history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, request
from flask_login import AnonymousUserMixin, current_user

from network import permissions
from network.api import tokens
from network.api.models import ApiToken
from network.api.problems import Problem
from network.extensions import db
from network.i18n import lazy_gettext as _l

QUERY_TOKEN_NAMES = ("access_token", "token", "api_key", "apikey", "bearer", "key")
BEARER_CHALLENGE = 'Bearer realm="api"'


@dataclass
class Caller:
    user: Any
    token: ApiToken | None

    @property
    def scopes(self) -> set[str] | None:
        """The token's scopes; None for a browser session or a visitor (no token involved)."""
        return self.token.scope_set if self.token is not None else None

    def rate_key(self) -> str:
        if self.token is not None:
            return f"token:{self.token.id}"
        if permissions.is_member(self.user):
            return f"user:{self.user.id}"
        return f"ip:{request.remote_addr}"


def _refuse_query_tokens() -> None:
    args = request.args  # once: each read of ``request`` goes through its context proxy
    if any(name in args for name in QUERY_TOKEN_NAMES):
        raise Problem("token-in-query", _l("Skicka nyckeln i huvudet Authorization: Bearer, "
                                           "aldrig i adressen."))


def identify() -> Caller:
    """The request's caller, once per request (``g.api_caller``)."""
    found = g.get("api_caller")
    if found is not None:
        return found
    _refuse_query_tokens()
    header = request.headers.get("Authorization")
    if header is None:
        user = current_user if permissions.is_member(current_user) else AnonymousUserMixin()
        caller = Caller(user, None)
    else:
        caller = Caller(*_from_header(header))
    g.api_caller = caller
    return caller


def _invalid(detail: Any) -> Problem:
    return Problem("invalid-token", detail, headers={"WWW-Authenticate": BEARER_CHALLENGE
                                                      + ', error="invalid_token"'})


def _from_header(header: str) -> tuple[Any, ApiToken]:
    scheme, _sep, raw = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise _invalid(_l("Använd Authorization: Bearer följt av en personlig åtkomstnyckel."))
    token = tokens.find(raw.strip())
    if token is None:
        raise _invalid(_l("Nyckeln är okänd."))
    if token.revoked_at is not None:
        raise _invalid(_l("Nyckeln har återkallats."))
    if not token.usable():
        raise _invalid(_l("Nyckeln har gått ut."))
    user = token.user
    if not permissions.is_member(user):
        raise _invalid(_l("Kontot bakom nyckeln är inte aktivt."))
    tokens.note_use(token)
    db.session.commit()  # the request boundary of the last-use write (cache-neutral)
    return user, token


def require_scope(caller: Caller, scope: str | None) -> None:
    """A token must carry ``scope``; a browser session may only read."""
    if scope is None:
        return
    if caller.token is None:
        if scope == "read":
            return
        if permissions.is_member(caller.user):
            raise Problem("insufficient-scope", _l("Skrivande anrop kräver en nyckel med "
                                                   "behörigheten %(scope)s.", scope=scope),
                          headers={"WWW-Authenticate": BEARER_CHALLENGE})
        raise Problem("unauthorized", _l("Det här anropet kräver en personlig åtkomstnyckel."),
                      headers={"WWW-Authenticate": BEARER_CHALLENGE})
    if scope not in caller.token.scope_set:
        raise Problem("insufficient-scope", _l("Nyckeln saknar behörigheten %(scope)s.", scope=scope),
                      headers={"WWW-Authenticate": BEARER_CHALLENGE
                               + f', error="insufficient_scope", scope="{scope}"'})
