"""Single sign-on against a real OpenID provider (oidc-provider on loopback), driven by the test
client and requests: the login redirect, the answer, and each way an answer is refused."""

from __future__ import annotations

import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from network.accounts.models import AccountRequest, Invitation, User, UserSession
from network.accounts.models_sso import SsoIdentity
from tests.accounts.oidc_provider import path_of, sign_in_at_provider

ANNA = "anna.lind@kommun.example"


@pytest.fixture
def app_config(app_config, oidc_provider):
    app_config["OIDC_PROVIDERS"] = [oidc_provider.settings()]
    return app_config


def sessions_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(UserSession))


def start(client, key: str = "test", **query):
    response = client.get(f"/logga-in/oidc/{key}", query_string=query)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def sso_login(client, account: str):
    """The whole flow; returns the app's answer to the provider's redirect."""
    return client.get(path_of(sign_in_at_provider(start(client), account)))


def refused(response, *phrases: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == 403, text[:500]
    assert "Inloggningen misslyckades" in text
    for phrase in phrases:
        assert phrase in text


def test_login_page_offers_the_configured_provider(client):
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med Kommunens inloggning" in page
    assert "/logga-in/oidc/test" in page


def test_the_redirect_carries_state_nonce_and_a_pkce_challenge(client, provider):
    location = start(client)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(provider.issuer + "/auth")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://localhost/logga-in/oidc/test/svar"]
    assert "openid" in query["scope"][0].split()


def test_an_existing_member_signs_in_by_verified_email_and_the_identity_is_linked(
        client, db, make, provider):
    user = make.user(email=ANNA)
    db.session.commit()
    response = client.get(path_of(sign_in_at_provider(start(client, next="/profil"), "anna")))
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    assert sessions_count(db) == 1
    identity = db.session.scalar(select(SsoIdentity))
    assert (identity.user_id, identity.provider, identity.subject) == (user.id, "test", "anna")
    page = client.get("/profil").get_data(as_text=True)
    assert "Kommunens inloggning" in page and "Ta bort kopplingen" in page


def test_a_linked_identity_signs_in_even_after_the_account_email_changed(client, db, make, provider):
    user = make.user(email="anna.ny@kommun.example")
    db.session.add(SsoIdentity(provider="test", subject="anna", user=user, email=ANNA))
    db.session.commit()
    assert sso_login(client, "anna").status_code == 302
    assert db.session.scalar(select(UserSession.user_id)) == user.id


def test_an_invitation_is_accepted_by_signing_in(client, db, make, invitation, provider):
    group = make.group()
    inv, _token = invitation(email="dan.holm@kommun.example", group=group)
    assert sso_login(client, "dan").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "dan.holm@kommun.example"))
    assert user.name == "Dan Holm" and user.password_hash is None
    assert db.session.get(Invitation, inv.id).used_at is not None
    assert group.id in {m.group_id for m in user.memberships}
    assert sessions_count(db) == 1


def test_an_unknown_person_lands_in_the_request_queue_when_the_provider_may_create_accounts(
        app, client, db, make, provider, login):
    app.config["OIDC_PROVIDERS"] = [provider.settings(create_accounts=True)]
    response = sso_login(client, "dan")
    assert response.status_code == 200 and "Tack för din förfrågan" in response.get_data(as_text=True)
    assert sessions_count(db) == 0
    request = db.session.scalar(select(AccountRequest))
    assert (request.email, request.name, request.status) == ("dan.holm@kommun.example", "Dan Holm",
                                                             "pending")
    # The administrator approves: the invitation goes out, and the next sign-in accepts it.
    admin = login(make.admin())
    assert admin.post(f"/admin/forfragningar/{request.id}/godkann",
                      data={"group_id": "", "group_role": "member"}).status_code == 302
    assert db.session.scalar(select(Invitation.email)) == "dan.holm@kommun.example"
    assert sso_login(app.test_client(), "dan").status_code == 302
    dan = db.session.scalar(select(User).where(User.email == "dan.holm@kommun.example"))
    assert db.session.scalar(select(UserSession.user_id).where(UserSession.user_id == dan.id))


def test_an_unknown_person_is_refused_when_the_provider_may_not_create_accounts(client, db, provider):
    refused(sso_login(client, "dan"), "Det finns inget konto för dan.holm@kommun.example")
    assert sessions_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(AccountRequest)) == 0


def test_an_unverified_email_is_refused(client, db, make, provider):
    make.user(email="bo.berg@kommun.example")
    db.session.commit()
    refused(sso_login(client, "bo"), "inte bekräftad")
    assert sessions_count(db) == 0


def test_a_domain_the_provider_is_not_allowed_for_is_refused(client, db, make, provider):
    make.user(email="cilla.ek@annat.example")
    db.session.commit()
    refused(sso_login(client, "cilla"), "Adresser på annat.example kan inte logga in")
    assert sessions_count(db) == 0


def test_a_deactivated_account_is_refused(client, db, make, provider):
    make.user(email=ANNA).active = False
    db.session.commit()
    refused(sso_login(client, "anna"), "Kontot är avstängt")
    assert sessions_count(db) == 0


def test_a_provider_announcing_another_issuer_is_refused(app, client, db, make, provider):
    make.user(email=ANNA)
    db.session.commit()
    # The same server reached under another name: its discovery document names 127.0.0.1.
    wrong = provider.issuer.replace("127.0.0.1", "localhost")
    app.config["OIDC_PROVIDERS"] = [provider.settings(issuer=wrong)]
    refused(client.get("/logga-in/oidc/test"), "annan utfärdare")
    # ... also when the issuer changes between the redirect and the answer.
    app.config["OIDC_PROVIDERS"] = [provider.settings()]
    callback = sign_in_at_provider(start(client), "anna")
    app.config["OIDC_PROVIDERS"] = [provider.settings(issuer=wrong)]
    refused(client.get(path_of(callback)), "annan utfärdare")
    assert sessions_count(db) == 0


def test_an_id_token_with_a_bad_signature_is_refused(client, db, make, provider):
    make.user(email=ANNA)
    db.session.commit()
    provider.set_mode(badJwks=True)
    refused(sso_login(client, "anna"), "ogiltig signatur")
    assert sessions_count(db) == 0


def test_an_expired_code_is_refused(client, db, make, provider):
    make.user(email=ANNA)
    db.session.commit()
    provider.set_mode(codeTtl=1)
    callback = sign_in_at_provider(start(client), "anna")
    time.sleep(1.5)  # past the code's one second of life (the provider counts whole seconds)
    refused(client.get(path_of(callback)), "Inloggningskoden", "för gammal eller redan använd")
    assert sessions_count(db) == 0


def test_a_replayed_code_is_refused(app, client, db, make, provider):
    make.user(email=ANNA)
    db.session.commit()
    callback = sign_in_at_provider(start(client), "anna")
    assert client.get(path_of(callback)).status_code == 302
    assert sessions_count(db) == 1
    # Someone else replays the code with a login of their own (their own state).
    other = app.test_client()
    own_state = parse_qs(urlsplit(start(other)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    refused(other.get("/logga-in/oidc/test/svar", query_string={"code": code, "state": own_state}),
            "redan använd")
    # ... and the same browser cannot use the answer twice either.
    refused(client.get(path_of(callback)), "state")
    assert sessions_count(db) == 1


@pytest.mark.parametrize("state", [None, "forged-state"])
def test_a_missing_or_forged_state_is_refused(client, db, make, provider, state):
    make.user(email=ANNA)
    db.session.commit()
    callback = sign_in_at_provider(start(client), "anna")
    query = parse_qs(urlsplit(callback).query)
    params = {"code": query["code"][0]} | ({"state": state} if state else {})
    refused(client.get("/logga-in/oidc/test/svar", query_string=params),
            "hörde inte till en inloggning som började här")
    assert sessions_count(db) == 0


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/logga-in/oidc/okand").status_code == 404
    assert client.get("/logga-in/oidc/okand/svar?code=x&state=y").status_code == 404


def test_logout_ends_the_local_session_and_the_providers(client, db, make, provider):
    make.user(email=ANNA)
    db.session.commit()
    assert sso_login(client, "anna").status_code == 302
    response = client.post("/logga-ut")
    assert sessions_count(db) == 0
    # A page that moves on to the provider (a redirect would break the CSP's form-action).
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Du är utloggad" in page
    location = re.search(r'<a href="([^"]+)">Fortsätt till inloggningstjänsten', page).group(1)
    location = html.unescape(location)
    assert f'content="0;url={html.escape(location)}"' in page
    assert location.startswith(provider.issuer + "/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["id_token_hint"][0] and query["post_logout_redirect_uri"] == ["http://localhost/"]
    assert client.get("/profil").status_code == 302  # signed out here


def test_logout_after_a_password_login_stays_local(client, db, make, provider):
    from tests.accounts.conftest import post_login

    make.user(email=ANNA)
    db.session.commit()
    assert post_login(client, ANNA).status_code == 302
    assert client.post("/logga-ut").headers["Location"] == "/"
