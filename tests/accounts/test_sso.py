"""Single sign-on's decisions (network/accounts/sso.py) on claims of an already validated ID
token, the per-domain password-login switch, linked identities in the profile and the export,
and the OIDC_PROVIDERS setting. The protocol itself is tested against a real provider in
test_views_sso.py."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from config import InsecureConfigurationError, _oidc_providers
from network.accounts import sso
from network.accounts.models import AccountRequest, AuditLog, User, UserSession
from network.accounts.models_sso import PasswordLoginBlock, SsoIdentity
from network.accounts.services import AccountError
from network.permissions import AccessDenied
from tests.accounts.conftest import post_login

PROVIDER = {"key": "kommun", "issuer": "https://login.kommun.example", "client_id": "network",
            "client_secret": "s", "name": "Kommunens inloggning", "domains": ["kommun.example"],
            "create_accounts": False}


@pytest.fixture
def app_config(app_config):
    app_config["OIDC_PROVIDERS"] = [dict(PROVIDER)]
    return app_config


def claims(email="anna.lind@kommun.example", sub="anna", verified=True, **extra):
    return {"sub": sub, "email": email, "email_verified": verified, "name": "Anna Lind", **extra}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_verified_email_signs_in_its_account_and_links_the_identity(db, make):
    user = make.user(email="Anna.Lind@kommun.example")
    outcome = sso.sign_in("kommun", claims())
    assert outcome.user is user
    identity = db.session.scalar(select(SsoIdentity))
    assert (identity.user_id, identity.subject, identity.last_login_at is not None) == (user.id, "anna", True)
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "sso.link"))


@pytest.mark.parametrize(("changed", "message"), [
    ({"verified": False}, "inte bekräftad"),
    ({"verified": "true"}, "inte bekräftad"),  # only a JSON true counts
    ({"email": "anna@annat.example"}, "kan inte logga in med Kommunens inloggning"),
    ({"email": ""}, "lämnade ingen e-postadress"),
    ({"sub": ""}, "lämnade ingen e-postadress"),
])
def test_refused_claims_change_nothing(db, make, changed, message):
    make.user(email="anna.lind@kommun.example")
    make.user(email="anna@annat.example")
    db.session.commit()
    with pytest.raises(sso.SsoRefused, match=message):
        sso.sign_in("kommun", claims(**changed))
    assert count(db, SsoIdentity) == 0
    assert count(db, AccountRequest) == 0


def test_a_provider_without_domains_accepts_any_verified_address(app, make):
    app.config["OIDC_PROVIDERS"] = [dict(PROVIDER, domains=[])]
    user = make.user(email="anna@annat.example")
    assert sso.sign_in("kommun", claims(email="anna@annat.example")).user is user


def test_a_deactivated_account_is_refused_and_stays_unlinked(db, make):
    make.user(email="anna.lind@kommun.example").active = False
    db.session.commit()
    with pytest.raises(sso.SsoRefused, match="avstängt"):
        sso.sign_in("kommun", claims())
    db.session.rollback()
    assert count(db, SsoIdentity) == 0


def test_an_unknown_address_asks_for_an_account_only_where_the_provider_allows_it(app, db):
    with pytest.raises(sso.SsoRefused, match="inget konto"):
        sso.sign_in("kommun", claims())
    app.config["OIDC_PROVIDERS"] = [dict(PROVIDER, create_accounts=True)]
    outcome = sso.sign_in("kommun", claims())
    assert outcome.user is None and outcome.requested
    request = db.session.scalar(select(AccountRequest))
    assert (request.email, request.organisation_name) == ("anna.lind@kommun.example", "kommun.example")
    assert "Kommunens inloggning" in request.reason
    assert count(db, User) == 0


def test_password_login_is_refused_for_a_blocked_domain_before_the_password_is_checked(
        client, db, make):
    admin = make.admin()
    make.user(email="anna.lind@kommun.example")
    make.user(email="bo@annat.example")
    sso.block_password_login(admin, "Kommun.example")
    db.session.commit()
    response = post_login(client, "anna.lind@kommun.example", password="fel-lösenord")
    text = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Adresser på kommun.example loggar inte in med lösenord" in text
    assert "Logga in med Kommunens inloggning" in text
    assert count(db, UserSession) == 0
    assert post_login(client, "bo@annat.example").status_code == 302  # other domains unaffected
    sso.allow_password_login(admin, "kommun.example")
    db.session.commit()
    assert post_login(client.application.test_client(), "anna.lind@kommun.example").status_code == 302


def test_blocking_a_domain_no_provider_serves_is_refused(db, make):
    admin = make.admin()
    with pytest.raises(AccountError, match="Ingen inloggningstjänst tar emot adresser på annat.example"):
        sso.block_password_login(admin, "annat.example")
    with pytest.raises(AccountError, match="Skriv en domän"):
        sso.block_password_login(admin, "inte en domän")
    assert count(db, PasswordLoginBlock) == 0


def test_only_administrators_switch_password_login(db, make):
    member = make.user()
    with pytest.raises(AccessDenied):
        sso.block_password_login(member, "kommun.example")
    assert count(db, PasswordLoginBlock) == 0


def test_the_admin_page_blocks_and_allows_a_domain(db, make, login):
    client = login(make.admin())
    page = client.get("/admin/inloggning").get_data(as_text=True)
    assert "Kommunens inloggning" in page and "https://login.kommun.example" in page
    assert client.post("/admin/inloggning", data={"domain": "kommun.example"}).status_code == 302
    assert db.session.get(PasswordLoginBlock, "kommun.example") is not None
    refused = client.post("/admin/inloggning", data={"domain": "annat.example"})
    assert refused.status_code == 422 and "Ingen inloggningstjänst" in refused.get_data(as_text=True)
    assert client.post("/admin/inloggning/kommun.example/tillat").status_code == 302
    db.session.expire_all()
    assert count(db, PasswordLoginBlock) == 0
    assert login(make.user()).get("/admin/inloggning").status_code == 403


def test_a_member_unlinks_an_identity_but_not_their_last_way_in(db, make, login):
    with_password = make.user(email="anna.lind@kommun.example")
    without_password = make.user(email="bo.berg@kommun.example", password=None)
    linked = SsoIdentity(provider="kommun", subject="anna", user=with_password, email="x")
    only_way = SsoIdentity(provider="kommun", subject="bo", user=without_password, email="y")
    db.session.add_all([linked, only_way])
    db.session.commit()
    bo = login(without_password)
    page = bo.post(f"/profil/inloggningar/{only_way.id}/ta-bort", follow_redirects=True)
    assert "enda sätt att logga in" in page.get_data(as_text=True)
    assert bo.post(f"/profil/inloggningar/{linked.id}/ta-bort").status_code == 404  # not theirs
    assert count(db, SsoIdentity) == 2
    anna = login(with_password)
    assert anna.post(f"/profil/inloggningar/{linked.id}/ta-bort").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(SsoIdentity.subject)).all() == ["bo"]


def test_linked_identities_are_in_the_personal_data_export_and_erased_with_the_account(db, make, login):
    from network.accounts import privacy

    user = make.user(email="anna.lind@kommun.example")
    db.session.add(SsoIdentity(provider="kommun", subject="anna", user=user, email=user.email))
    db.session.commit()
    export = json.loads(login(user).get("/profil/mina-uppgifter.json").get_data(as_text=True))
    assert export["sso_identities"] == [{
        "provider": "kommun", "provider_name": "Kommunens inloggning", "subject": "anna",
        "email": "anna.lind@kommun.example", "linked_at": export["sso_identities"][0]["linked_at"],
        "last_login_at": None}]
    privacy.erase_account(user)
    db.session.commit()
    assert count(db, SsoIdentity) == 0


def test_oidc_providers_setting_is_parsed_and_checked():
    parsed = _oidc_providers(json.dumps([{"key": "malmo", "issuer": "https://login.malmo.se",
                                          "client_id": "c", "domains": ["@Malmo.se"]}]))
    assert parsed == [{"key": "malmo", "issuer": "https://login.malmo.se", "client_id": "c",
                       "client_secret": "", "name": "malmo", "domains": ["malmo.se"],
                       "create_accounts": False}]
    assert _oidc_providers("") == []
    for bad in ("{", '{"key": "x"}', '[{"key": "Bad Key", "issuer": "i", "client_id": "c"}]',
                '[{"key": "a", "issuer": "i"}]',
                '[{"key": "a", "issuer": "i", "client_id": "c"},'
                ' {"key": "a", "issuer": "j", "client_id": "c"}]'):
        with pytest.raises(InsecureConfigurationError):
            _oidc_providers(bad)
