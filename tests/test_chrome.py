"""The site's header and footer, rendered once per language and kind of reader with slots filled
in per response (network/chrome.py)."""

from __future__ import annotations

import re

from network import chrome


def _header(page: str) -> str:
    return page[page.index('class="skip-link"'):page.index("</header>")]


def test_each_member_sees_their_own_name_and_token_in_one_shared_header(app, make, login):
    anna = login(make.user(name="Anna <b>Andersson</b>"))
    bo = login(make.user(name="Bo Berg"))
    first, second = (_header(c.get("/tillganglighet").get_data(as_text=True)) for c in (anna, bo))
    assert "<bdi>Anna &lt;b&gt;Andersson&lt;/b&gt;</bdi>" in first and "Bo Berg" not in first
    assert "<bdi>Bo Berg</bdi>" in second and "Anna" not in second
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', h)) for h in (first, second)]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]  # each session's own
    assert "\ue002" not in first + second  # every slot filled
    assert len(app.extensions["network_chrome_parts"]) == 2  # header and footer, for members


def test_the_language_form_and_login_link_return_to_this_very_page(client):
    header = _header(client.get("/bibliotek/?q=a&tema=<x>").get_data(as_text=True))
    assert 'name="next" value="/bibliotek/?q=a&amp;tema=&lt;x&gt;"' in header
    assert 'href="/logga-in?next=/bibliotek/"' in header
    assert 'aria-current="page">Bibliotek</a>' in header


def test_the_header_comes_in_the_readers_language(client, make, login):
    member = login(make.user())
    assert ">Logga ut</button>" in _header(member.get("/").get_data(as_text=True))
    member.post("/sprak", data={"lang": "en"})
    english = member.get("/").get_data(as_text=True)
    assert ">Log out</button>" in _header(english) and '<html lang="en">' in english
    assert ">Svenska</button>" in _header(english)
    assert ">Logga in</a>" in _header(client.get("/").get_data(as_text=True))


def test_a_name_cannot_forge_a_slot(make, login):
    """Slots carry a secret of the process: a name made to look like one stays text."""
    forged = "\ue002" + "0" * 32 + "csrf\ue003"
    page = login(make.user(name=f"Eva {forged}")).get("/tillganglighet").get_data(as_text=True)
    assert f"<bdi>Eva {forged}</bdi>" in page
    assert chrome.SLOTS  # the slots the header may hold
