"""The subscription page in a real browser, under the site's strict CSP: copy buttons on every
address and the confirmation before the personal address is replaced."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import app_config, browser, live_server, page  # noqa: F401 - fixtures
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_copy_buttons_and_the_replace_confirmation_work_under_the_csp(page, live_server, make, db):  # noqa: F811
    user = make.user(email="kalle@example.se")
    make.group(members=[user], name="Trygghetsgruppen")
    db.session.commit()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("kalle@example.se")
    page.get_by_label("Lösenord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(live_server + "/evenemang/kalenderprenumeration")

    page.get_by_role("button", name="Skapa kalenderadress").click()
    buttons = page.get_by_role("button", name="Kopiera adressen")
    expect(buttons).to_have_count(3)  # personal, the group, the public calendar
    buttons.nth(1).click()
    expect(page.get_by_role("status").nth(1)).to_have_text("Adressen är kopierad.")

    page.get_by_role("button", name="Skapa ny kalenderadress").click()
    expect(page.get_by_role("heading", name="Ersätta din kalenderadress?")).to_be_visible()
    page.get_by_role("link", name="Avbryt").click()
    expect(page.get_by_role("heading", name="Ersätta din kalenderadress?")).to_have_count(0)
    assert not [p for p in problems if "Content Security Policy" in p], problems
