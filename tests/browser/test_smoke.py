"""In a real browser: keyboard entry, logging in, the start page, switching language."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Hoppa till innehållet")
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_be_visible()  # shown when focused, not only to screen readers
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_member_logs_in_sees_their_start_page_and_switches_language(page, live_server, make, db):
    make.user(name="Anna Andersson", email="anna@example.se")
    db.session.commit()

    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role("link", name="Logga in").first.click()
    page.get_by_label("E-postadress").fill("anna@example.se")
    page.get_by_label("Lösenord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Anna Andersson")
    expect(page.get_by_role("link", name="Anna Andersson")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anna Andersson")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()

    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Anna Andersson")

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("link", name="Logga in").first).to_be_visible()
    assert re.match(r"^http://127\.0\.0\.1:\d+/$", page.url)


def test_wrong_password_gives_a_clear_swedish_message(page, live_server, make, db):
    make.user(email="bertil@example.se")
    db.session.commit()
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("bertil@example.se")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Fel e-postadress eller lösenord.").first).to_be_visible()


def test_the_live_server_closes_each_response_before_writing_it():
    """A response's close() runs before the server writes a byte (tests/browser/server.py), so
    a browser that resets the connection leaves no file open for the garbage collector."""
    from tests.browser.server import buffered

    closed = []

    class Body:
        def __iter__(self):
            yield b"ett "
            yield b"svar"

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    body = buffered(app)({}, lambda status, headers: None)
    assert closed == [True] and body == [b"ett svar"]
