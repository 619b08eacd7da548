"""The chat page in headless Chromium against a live server: keyboard sending, announcements,
connection state and catch-up after the connection drops."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from bench.harness import free_port
from tests.chat import live

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = live.base_env(tmp_path, None, [port])
    info = live.prepare_database(env)
    srv = live.Server(env, port, tmp_path / "server.log").start()
    try:
        yield srv, info
    finally:
        srv.stop()


@pytest.fixture
def browser():
    if not CHROMIUM:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed; CI=true requires it")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def open_room(browser, srv, info, email):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Every script, style and socket request must succeed (the browser's own favicon probe aside).
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto(srv.url + "/logga-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "losenord-for-test-1")
    page.keyboard.press("Enter")
    page.wait_for_url(srv.url + "/")
    page.goto(f"{srv.url}/workshoppar/{info['room_id']}")
    expect(page.locator("#chat-connection-text")).to_have_text("Ansluten", timeout=20000)
    return page, errors


def test_enter_sends_others_hear_it_announced_and_nothing_shows_twice(server, browser):
    srv, info = server
    anna, anna_errors = open_room(browser, srv, info, info["users"][0])
    bo, bo_errors = open_room(browser, srv, info, info["users"][1])
    anna.focus("#chat-input")
    anna.keyboard.type("Första raden")
    anna.keyboard.press("Shift+Enter")
    anna.keyboard.type("<b>andra</b>")
    anna.keyboard.press("Enter")
    bo.wait_for_selector("#chat-log .chat-message:not(.chat-pending)")
    text = bo.inner_text("#chat-log .chat-text")
    assert text == "Första raden\n<b>andra</b>"
    assert bo.locator("#chat-log b").count() == 0
    author = bo.locator("#chat-log .chat-meta a.author")  # a real link, in the tab order
    expect(author).to_have_count(1)
    assert re.fullmatch(r"/medlemmar/\d+", author.get_attribute("href"))
    author.focus()
    assert bo.evaluate("document.activeElement.classList.contains('author')")
    expect(bo.locator("#chat-announcer")).to_contain_text("Första raden")
    anna.wait_for_selector("#chat-log .chat-message:not(.chat-pending)")
    assert anna.locator("#chat-log .chat-message").count() == 1
    assert anna.evaluate("document.activeElement.id") == "chat-input"
    assert anna.input_value("#chat-input") == ""
    presence = bo.inner_text("#chat-presence")
    assert "Deltagare 0" in presence and "Deltagare 1" in presence
    assert not anna_errors and not bo_errors


def test_after_a_dropped_connection_the_page_catches_up_without_duplicates(server, browser):
    srv, info = server
    anna, _ = open_room(browser, srv, info, info["users"][0])
    bo, _ = open_room(browser, srv, info, info["users"][1])
    anna.fill("#chat-input", "före")
    anna.click("#chat-send")
    bo.wait_for_selector("#chat-log .chat-message:not(.chat-pending)")
    bo.context.set_offline(True)
    expect(bo.locator("#chat-connection-text")).not_to_have_text("Ansluten", timeout=30000)
    for n in range(3):
        anna.fill("#chat-input", f"under avbrottet {n}")
        anna.click("#chat-send")
    expect(anna.locator("#chat-log .chat-pending")).to_have_count(0)
    bo.context.set_offline(False)
    expect(bo.locator("#chat-log .chat-message")).to_have_count(4, timeout=30000)
    texts = bo.locator("#chat-log .chat-text").all_inner_texts()
    assert texts == ["före", "under avbrottet 0", "under avbrottet 1", "under avbrottet 2"]


def test_a_burst_typed_quickly_is_stored_and_shown_in_typing_order(server, browser):
    srv, info = server
    anna, anna_errors = open_room(browser, srv, info, info["users"][0])
    bo, bo_errors = open_room(browser, srv, info, info["users"][1])
    anna.focus("#chat-input")
    burst = [f"rad {n}" for n in range(12)]
    for line in burst:
        anna.keyboard.type(line)
        anna.keyboard.press("Enter")
    for page in (anna, bo):
        expect(page.locator("#chat-log .chat-message:not(.chat-pending)")).to_have_count(12, timeout=60000)
        assert page.locator("#chat-log .chat-text").all_inner_texts() == burst
    # Ids follow the typing order too: the server stored them in that order.
    ids = bo.eval_on_selector_all("#chat-log .chat-message", "els => els.map(e => +e.dataset.id)")
    assert ids == sorted(ids)
    assert not anna_errors and not bo_errors
