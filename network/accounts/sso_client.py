"""The OpenID Connect protocol for single sign-on, through Authlib's Flask client.

Authlib (a maintained, widely used OAuth/OIDC library) does discovery from the issuer, PKCE
(S256), ``state`` and ``nonce`` (kept in the signed session cookie between the redirect and the
answer), the code exchange, and the ID token's validation: signature against the provider's
JWKS, ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce``. This module adds what Authlib leaves to
the application: the discovered issuer must be the configured one, and every failure becomes an
``SsoRefused`` with a message a person can act on. ``sso.sign_in`` then decides who it is.
"""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError

from network.accounts.sso import SsoRefused, provider
from network.i18n import gettext as _

SCOPE = "openid email profile"
_EXTENSION = "sso_oauth"


def init_app(app: Flask) -> None:
    """One Authlib registry per app, with a client for each configured provider."""
    oauth = OAuth(app)
    for config in app.config.get("OIDC_PROVIDERS") or []:
        oauth.register(
            name=config["key"], client_id=config["client_id"], client_secret=config["client_secret"],
            server_metadata_url=config["issuer"].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "default_timeout": app.config.get("OIDC_HTTP_TIMEOUT", 10)})
    app.extensions[_EXTENSION] = oauth


def _client(key: str):
    config = provider(key)
    if config is None:
        raise SsoRefused(_("Inloggningstjänsten finns inte."))
    return config, current_app.extensions[_EXTENSION].create_client(key)


def _metadata(config: dict, client) -> dict:
    """The provider's discovery document; its issuer must be exactly the configured one."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        current_app.logger.warning("sso: discovery failed for %s", config["key"], exc_info=True)
        raise SsoRefused(_("Det gick inte att nå %(provider)s just nu. Försök igen om en stund.",
                           provider=config["name"])) from None
    if metadata.get("issuer") != config["issuer"]:
        current_app.logger.warning("sso: %s announces issuer %r, configured %r", config["key"],
                                   metadata.get("issuer"), config["issuer"])
        raise SsoRefused(_("%(provider)s svarade som en annan utfärdare än den som är inställd. "
                           "Inloggningen avbröts.", provider=config["name"]))
    return metadata


def begin(key: str, redirect_uri: str):
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier kept)."""
    config, client = _client(key)
    _metadata(config, client)
    return client.authorize_redirect(redirect_uri)


def finish(key: str) -> tuple[dict, str]:
    """The provider's answer to this request: the validated ID token's claims and the token
    itself (for ``remember_for_logout``), or SsoRefused."""
    config, client = _client(key)
    name = config["name"]
    _metadata(config, client)
    try:
        token = client.authorize_access_token(claims_options={
            "iss": {"essential": True, "values": [config["issuer"]]},
            "sub": {"essential": True}})
    except MismatchingStateError:
        raise SsoRefused(_("Svaret från %(provider)s hörde inte till en inloggning som började "
                           "här (saknat eller felaktigt state). Börja om från inloggningssidan.",
                           provider=name)) from None
    except OAuthError as exc:
        current_app.logger.info("sso: %s answered %s", key, exc.error)
        if exc.error in ("access_denied", "login_required", "consent_required"):
            raise SsoRefused(_("Inloggningen avbröts hos %(provider)s.", provider=name)) from None
        raise SsoRefused(_("Inloggningskoden från %(provider)s var ogiltig, för gammal eller redan "
                           "använd. Börja om från inloggningssidan.", provider=name)) from None
    except BadSignatureError:
        raise SsoRefused(_("Svaret från %(provider)s hade en ogiltig signatur. Inloggningen "
                           "avbröts.", provider=name)) from None
    except ExpiredTokenError:
        raise SsoRefused(_("Svaret från %(provider)s var för gammalt. Börja om från "
                           "inloggningssidan.", provider=name)) from None
    except (JoseError, AuthlibBaseError, ValueError) as exc:
        current_app.logger.warning("sso: %s ID token refused: %r", key, exc)
        raise SsoRefused(_("Svaret från %(provider)s kunde inte godkännas. Inloggningen avbröts.",
                           provider=name)) from None
    except requests.RequestException:
        raise SsoRefused(_("Det gick inte att nå %(provider)s just nu. Försök igen om en stund.",
                           provider=name)) from None
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused(_("%(provider)s skickade ingen ID-token. Inloggningen avbröts.",
                           provider=name))
    claims = dict(claims)
    if "email" not in claims:
        claims.update(_userinfo(config, client, token, claims["sub"]))
    return claims, token["id_token"]


def _userinfo(config: dict, client, token: dict, subject: str) -> dict:
    """Email and name from the UserInfo endpoint, for providers that keep them out of the ID
    token (oidc-provider does by default); its ``sub`` must be the ID token's (OIDC Core 5.3.2)."""
    try:
        info = dict(client.userinfo(token=token))
    except (requests.RequestException, AuthlibBaseError, ValueError):
        current_app.logger.warning("sso: userinfo failed for %s", config["key"], exc_info=True)
        info = {}
    if info.get("sub") != subject:
        return {}
    return {k: info[k] for k in ("email", "email_verified", "name") if k in info}


def remember_for_logout(key: str, id_token: str) -> None:
    """After signing in: logging out will also end the session at the provider."""
    session["sso_logout"] = {"provider": key, "id_token": id_token}


def logout_url(post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout), or
    None when this session did not come from a provider or it has no end_session_endpoint."""
    data = session.pop("sso_logout", None)
    if not data or provider(data.get("provider", "")) is None:
        return None
    config, client = _client(data["provider"])
    try:
        if not _metadata(config, client).get("end_session_endpoint"):
            return None
        return client.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                        id_token_hint=data.get("id_token"))["url"]
    except (SsoRefused, AuthlibBaseError, RuntimeError):
        return None
