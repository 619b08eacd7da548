"""In a real browser: "Logga in med …" through a real OpenID provider and back, a refusal, and
logging out at both ends."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from network.accounts.models import UserSession
from tests.accounts.oidc_provider import oidc_provider  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config, oidc_provider):  # noqa: F811
    app_config["OIDC_PROVIDERS"] = [oidc_provider.settings()]
    return app_config


def sessions(db) -> int:
    db.session.expire_all()
    try:
        return db.session.scalar(select(func.count()).select_from(UserSession))
    finally:
        db.session.rollback()  # no read transaction left open: the live server writes next


def test_member_signs_in_with_the_provider_and_logs_out_at_both_ends(
        page, live_server, make, db, oidc_provider):  # noqa: F811
    make.user(name="Anna Lind", email="anna.lind@kommun.example")
    db.session.commit()

    page.goto(live_server + "/logga-in")
    page.get_by_role("link", name="Logga in med Kommunens inloggning").click()
    expect(page.get_by_role("heading", name="Logga in hos testleverantören")).to_be_visible()
    assert page.url.startswith(oidc_provider.issuer + "/interaction/")
    page.get_by_label("Konto").fill("anna")
    page.get_by_role("button", name="Fortsätt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Anna Lind")
    assert re.match(r"^http://127\.0\.0\.1:\d+/$", page.url)
    assert sessions(db) == 1

    page.get_by_role("button", name="Logga ut").click()
    # Our session has ended; the page moves on to the provider, which asks (its own page) and
    # ends its session too, then sends the browser home.
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("link", name="Logga in").first).to_be_visible()
    assert re.match(re.escape(live_server) + r"/(\?state=[\w-]+)?$", page.url)  # state echoed
    assert sessions(db) == 0


def test_an_unverified_email_is_refused_with_a_swedish_message(page, live_server, make, db):
    make.user(email="bo.berg@kommun.example")
    db.session.commit()
    page.goto(live_server + "/logga-in")
    page.get_by_role("link", name="Logga in med Kommunens inloggning").click()
    page.get_by_label("Konto").fill("bo")
    page.get_by_role("button", name="Fortsätt").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Inloggningen misslyckades")
    expect(alert).to_contain_text("är inte bekräftad hos Kommunens inloggning")
    expect(page.get_by_role("link", name="Logga in med Kommunens inloggning")).to_be_visible()
    assert sessions(db) == 0
