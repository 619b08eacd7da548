"""The API's own objects (personal access tokens) mapped onto ``network.permissions``.

Everything the API *reads* is decided by the features' permission modules; this module only
answers who may make and revoke tokens, and which token scope an endpoint needs.
"""

from __future__ import annotations

from typing import Any

from network import permissions
from network.api.models import ApiToken, Scope


def can_create_token(user: Any, scopes: set[str] | None = None) -> bool:
    """Any member; the follow-up scope only for programme staff, who may read that data."""
    if not permissions.is_member(user):
        return False
    return Scope.FOLLOWUP.value not in (scopes or set()) or permissions.is_programme_staff(user)


def can_revoke_token(user: Any, token: ApiToken) -> bool:
    """Its owner, and network admins (anyone's)."""
    return permissions.is_member(user) and (token.user_id == user.id or permissions.is_admin(user))


def can_list_all_tokens(user: Any) -> bool:
    return permissions.is_admin(user)


def can_read_followup(user: Any, scopes: set[str] | None) -> bool:
    """Follow-up data for analysis tools: programme staff, with a token carrying ``followup``
    (``scopes`` None: a signed-in browser session, which needs no token scope)."""
    return permissions.is_programme_staff(user) and (scopes is None or Scope.FOLLOWUP.value in scopes)


def can_manage_webhooks(user: Any) -> bool:
    return permissions.is_admin(user)


permissions.register_auth({
    "api.manage_webhooks": can_manage_webhooks,
    "api.create_token": can_create_token,
    "api.revoke_token": can_revoke_token,
})
