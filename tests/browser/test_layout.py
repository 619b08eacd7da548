"""Every page type at a phone's and a desk's width: no horizontal scrolling, and axe finds nothing
serious or critical; logged out, as a member and as an admin, in Swedish and English. The
narrowest phone (320 px) and a tablet (768 px) are checked for overflow too.

One app and one browser serve the whole module: the demo network (``seed-demo``) plus the bad
input the layout must survive (a very long unbroken word, a 200-character group name, text
written right to left, events across midnight and across months).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from network import create_app
from network.extensions import db
from tests.browser.server import serving
from tests.conftest import IN_CI, backend, make_config

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)  # overflow and axe
NARROW_AND_TABLET = (320, 768)  # overflow only
LONG_WORD = "Brottsförebyggande" * 15  # 270 letters, no break opportunity
LONG_NAME = ("Lokal samverkansgrupp för trygghet i centrum och bostadsområden " * 4)[:200]
RTL_NAME = "مريم العلي"


def _bad_input(ctx, member) -> dict:
    """Bad input on top of the demo network; returns the ids the pages need."""
    from network.accounts.models import Group, Membership, Municipality
    from network.events.models import Event
    from network.followup.models import ActionPlan, ExperienceReport, Measure, ReportStatus
    from network.forums import services as forums
    from network.forums.models import Category, Topic
    from network.resources.models import Resource

    topic = db.session.scalars(
        select(Topic).join(Category).where(Category.visibility == "public").order_by(Topic.id)).first()
    topic.title = f"Om {LONG_WORD} i praktiken"
    forums.reply(topic.author, topic, f"Ett mycket långt ord: {LONG_WORD}. Och en adress utan "
                 f"mellanslag: https://example.se/{LONG_WORD.lower()}")
    topic.author.name = RTL_NAME
    group = db.session.scalars(select(Group).join(Membership).where(
        Membership.user_id == member.id).order_by(Group.id)).first()
    group.name = LONG_NAME
    resource = db.session.scalars(select(Resource).order_by(Resource.id)).first()
    resource.title = f"{LONG_WORD} metodstöd"
    events = db.session.scalars(select(Event).where(Event.series_id.is_(None))
                                .order_by(Event.id)).all()
    today = dt.date.today()
    midnight = dt.datetime(today.year, today.month, 14, 21, 0, tzinfo=dt.UTC)
    events[0].start_at, events[0].end_at, events[0].all_day = (
        midnight, midnight + dt.timedelta(hours=5), False)
    events[0].title = f"Nattvandring {LONG_WORD}"
    events[0].visibility = events[1].visibility = "public"
    across = dt.datetime(today.year, today.month, 27, 8, 0, tzinfo=dt.UTC)
    events[1].start_at, events[1].end_at, events[1].all_day = (
        across, across + dt.timedelta(days=9), False)
    from network.chat.models import ChatRoom

    report = db.session.scalars(select(ExperienceReport).where(
        ExperienceReport.status == ReportStatus.PUBLISHED)).first()
    return {
        "topic": topic.id, "group": group.id, "resource": resource.id, "event": events[0].id,
        "report": report.id, "plan": db.session.scalars(select(ActionPlan.id)).first(),
        "measure": db.session.scalars(select(Measure.id)).first(),
        "municipality": db.session.scalars(select(Municipality.code).where(
            Municipality.participating_since.is_not(None))).first(),
        "month": f"/evenemang/manad/{today.year}/{today.month}",
        "room": db.session.scalars(select(ChatRoom.id).order_by(ChatRoom.id)).first(),
    }


@pytest.fixture(scope="module")
def site(database_template, tmp_path_factory):
    if backend() == "postgres":
        pytest.skip("browser tests run on SQLite (the PostgreSQL pass runs -m 'not browser')")
    from network.accounts.demo import seed_demo

    tmp = tmp_path_factory.mktemp("layout")
    shutil.copyfile(database_template, tmp / "live.sqlite3")
    app = create_app(make_config(f"sqlite:///{tmp / 'live.sqlite3'}", tmp, WTF_CSRF_ENABLED=True,
                                 RATELIMIT_ENABLED=False, PAGE_CACHE=False))
    with app.app_context():
        ctx = seed_demo()
        admin = ctx.users["admin"]
        member = next(u for u in ctx.users.values() if not u.is_admin)
        ids = _bad_input(ctx, member)
        logins = {"admin": (admin.email, ctx.passwords[admin.email]),
                  "member": (member.email, ctx.passwords[member.email])}
        db.session.commit()
    try:
        with serving(app, "layout-server") as url:
            yield {"url": url, "ids": ids, "logins": logins}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}; `make axe` installs it from npm)"
        if IN_CI:
            pytest.fail(message + "; CI=true requires it", pytrace=False)
        pytest.skip(message)
    return AXE.read_text()


def pages(ids: dict, role: str) -> list[str]:
    public = [
        "/", f"/forum/t/{ids['topic']}", "/forum/", "/bibliotek/", f"/bibliotek/{ids['resource']}",
        "/evenemang/", ids["month"], f"/evenemang/{ids['event']}", "/kommuner",
        f"/kommuner/{ids['municipality']}", "/erfarenhetsbank", f"/erfarenhetsbank/{ids['report']}",
        "/sok?q=trygghet", "/logga-in", "/tillganglighet", "/api/v1/docs",
    ]
    if role == "anonymous":
        return public
    member = ["/grupper", f"/grupper/{ids['group']}", "/notiser/", "/profil", "/workshoppar/",
              "/uppfoljning", "/bibliotek/ny", "/evenemang/kalenderprenumeration", "/api/nycklar"]
    if role == "member":
        return public + member
    return public + member + [
        "/uppfoljning/oversikt", "/uppfoljning/oversikt/rapport", f"/uppfoljning/plan/{ids['plan']}",
        f"/uppfoljning/atgard/{ids['measure']}", "/admin", "/admin/logg", "/admin/inbjudningar",
        "/admin/organisationer", "/bibliotek/granskning", "/forum/moderering",
        f"/workshoppar/{ids['room']}", f"/workshoppar/{ids['room']}/logg", "/api/webhooks",
        "/api/nycklar/alla",
    ]


def _log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/logga-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/logga-in" not in page.url, "login failed"


def _overflow(page, width: int) -> list[str]:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                         && !e.closest('.table-scroll'))
            .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
        return [f"{width}px: scrollWidth {scroll} > {inner} ({wide})"]
    return []


def _check(page, axe_source: str, width: int) -> list[str]:
    problems = _overflow(page, width)
    if page.evaluate("typeof axe") == "undefined":
        page.add_script_tag(content=axe_source)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '));
    }""")
    problems += [f"{width}px axe {f}" for f in found]
    return problems


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("role", ["anonymous", "member", "admin"])
def test_every_page_type_fits_phone_and_desk_and_passes_axe(browser, site, axe_source, role, lang):
    # bypass_csp: axe is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(locale="sv-SE" if lang == "sv" else "en-GB",
                                  timezone_id="Europe/Stockholm", bypass_csp=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = []
    try:
        if role != "anonymous":
            _log_in(page, site["url"], *site["logins"][role])
        page.goto(site["url"] + "/")
        if page.evaluate("document.documentElement.lang") != lang:
            page.click(f"button[name=lang][value={lang}]")
            page.wait_for_load_state()
        for path in pages(site["ids"], role):
            for width in NARROW_AND_TABLET:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(site["url"] + path)
                problems += [f"{path} {p}" for p in _overflow(page, width)]
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(site["url"] + path)
                assert response.status == 200, (path, response.status)
                assert page.evaluate("document.documentElement.lang") == lang
                if lang == "en":  # English dates say "at 14:00", never the Swedish "kl."
                    assert " kl. " not in page.inner_text("main"), path
                problems += [f"{path} {p}" for p in _check(page, axe_source, width)]
    finally:
        context.close()
    assert problems == []


def test_phone_menu_folds_behind_a_button_that_the_keyboard_opens(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto(site["url"] + "/")
        button = page.get_by_role("button", name="Meny")
        assert button.get_attribute("aria-expanded") == "false"
        assert not page.get_by_role("navigation", name="Huvudmeny").is_visible()
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Forum", exact=True).is_visible()
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        # Wide screens show the menus and no button.
        page.set_viewport_size({"width": 1280, "height": 800})
        assert page.get_by_role("navigation", name="Huvudmeny").is_visible()
        assert not button.is_visible()
    finally:
        context.close()


def test_without_scripts_the_phone_menu_stays_open(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="sv-SE",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site["url"] + "/")
        assert page.get_by_role("navigation", name="Huvudmeny").is_visible()
        assert not page.get_by_role("button", name="Meny").is_visible()
    finally:
        context.close()


def test_month_view_is_a_list_of_days_on_a_phone_and_keeps_long_events(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="sv-SE")
    page = context.new_page()
    try:
        _log_in(page, site["url"], *site["logins"]["member"])
        page.goto(site["url"] + site["ids"]["month"])
        assert not page.locator("table.month thead").is_visible()
        days = page.locator("table.month td:visible")
        assert days.count() >= 2  # the days with events (and today), one under the other
        boxes = [days.nth(i).bounding_box() for i in range(days.count())]
        assert all(b["width"] > 300 for b in boxes)
        assert all(a["y"] < b["y"] for a, b in zip(boxes, boxes[1:], strict=False))
        night = page.get_by_role("link", name="Nattvandring", exact=False)
        assert night.count() == 2  # the evening it starts and the morning it ends
        assert night.nth(0).inner_text().startswith("22:00") or night.nth(0).inner_text().startswith("23:00")
        assert night.nth(1).inner_text().startswith("forts.")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_hidden_older_messages_button_stays_hidden(browser, site, width):
    """``[hidden]`` wins over the button style: a short workshop chat shows no "Visa äldre
    meddelanden" (it used to, since ``button:not(.link-button)`` set ``display``)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="sv-SE")
    page = context.new_page()
    try:
        _log_in(page, site["url"], *site["logins"]["admin"])
        assert page.goto(f"{site['url']}/workshoppar/{site['ids']['room']}").status == 200
        older = page.locator("#chat-older")
        assert older.count() == 1 and older.get_attribute("hidden") is not None
        assert not older.is_visible()
    finally:
        context.close()


SHOTS = Path(tempfile.gettempdir()) / "ui-shots"


def test_screenshots_of_the_main_pages(browser, site):
    """Screenshots for a person to look at (outside the repository); the check is the overflow."""
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    try:
        _log_in(page, site["url"], *site["logins"]["admin"])
        for name, path in (("start", "/"), ("topic", f"/forum/t/{site['ids']['topic']}"),
                           ("month", site["ids"]["month"]), ("programme", "/uppfoljning/oversikt")):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(site["url"] + path)
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
                assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    finally:
        context.close()
