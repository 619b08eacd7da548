"""Navigation and start-page panels (network/accounts/__init__.py)."""

from __future__ import annotations


def test_nav_has_groups_and_municipalities_for_everyone(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/grupper"' in page and ">Grupper<" in page
    assert '<a href="/kommuner"' in page and ">Kommuner<" in page


def test_start_page_shows_my_groups_with_links(db, make, login):
    user = make.user()
    mine = make.group(name="Samverkansgrupp Borlänge", members=[user])
    make.group(name="Inte min grupp")
    page = login(user).get("/").get_data(as_text=True)
    assert "Mina grupper" in page
    assert f'<a href="/grupper/{mine.id}">Samverkansgrupp Borlänge</a>' in page
    assert "Inte min grupp" not in page


def test_visitors_get_no_my_groups_panel(client):
    assert "Mina grupper" not in client.get("/").get_data(as_text=True)


def test_start_page_in_english_uses_the_accounts_catalog(db, make, login):
    client = login(make.user())
    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "My groups" in page and ">Groups<" in page
