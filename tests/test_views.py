"""Pages that belong to no feature: start page, accessibility statement, privacy, footer."""

import pytest


def test_visitor_start_page_explains_the_network_and_offers_login(client):
    page = client.get("/").get_data(as_text=True)
    assert "<h1" in page and "brottsförebyggande" in page
    assert 'href="/logga-in"' in page


def test_member_start_page_greets_them_by_name(make, login):
    page = login(make.user(name="Anna Andersson")).get("/").get_data(as_text=True)
    assert "Välkommen, Anna Andersson" in page


@pytest.mark.parametrize("path", ["/", "/tillganglighet", "/integritet", "/finns-inte"])
def test_every_page_links_accessibility_statement_and_privacy_in_the_footer(client, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer'):]
    assert 'href="/tillganglighet"' in footer and 'href="/integritet"' in footer
    assert 'href="mailto:' in footer


def test_accessibility_statement_follows_the_swedish_model(client, app):
    response = client.get("/tillganglighet")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for part in ("<h1>Tillgänglighetsredogörelse</h1>", "2018:1937", "Digg", "WCAG 2.1",
                 "Innehåll som inte är tillgängligt", "delvis förenlig",
                 app.config["CONTACT_EMAIL"]):
        assert part in page


def test_privacy_page_says_what_is_collected_why_and_how_to_export_and_delete(client):
    page = client.get("/integritet").get_data(as_text=True)
    for part in ("Vilka uppgifter vi behandlar", "Varför", "Kakor", "Tidigare medlem",
                 "JSON", "Radera", "Integritetsskyddsmyndigheten"):
        assert part in page


def test_long_pages_come_in_english_too(client):
    client.post("/sprak", data={"lang": "en"})
    assert "<h1>Accessibility statement</h1>" in client.get("/tillganglighet").get_data(as_text=True)
    page = client.get("/integritet").get_data(as_text=True)
    assert "<h1>Privacy and personal data</h1>" in page and '<html lang="en">' in page


def test_skip_link_comes_first_and_targets_main(client):
    page = client.get("/").get_data(as_text=True)
    body = page[page.index("<body>"):]
    first_link = body[body.index("<a"):body.index("</a>")]
    assert 'class="skip-link"' in first_link and 'href="#main"' in first_link
    assert '<main id="main"' in page


def _main_menu(page: str) -> str:
    start = page.index('id="main-nav"')
    return page[start:page.index("</nav>", start)]


def test_the_main_menu_marks_the_page_the_reader_is_on(client):
    menu = _main_menu(client.get("/forum/").get_data(as_text=True))
    assert '<a href="/forum/" aria-current="page">Forum</a>' in menu
    assert '<a href="/">Start</a>' in menu  # "/" is a prefix of every path, yet not current
    menu = _main_menu(client.get("/").get_data(as_text=True))
    assert '<a href="/" aria-current="page">Start</a>' in menu
    assert menu.count("aria-current") == 1


def test_the_main_menu_shows_each_reader_their_own_entries(client, make, login):
    """The menu's links are made once per set of entries and language, never per reader: a
    visitor after an admin, or an admin after a member, still gets their own."""
    admin = _main_menu(login(make.admin()).get("/").get_data(as_text=True))
    visitor = _main_menu(client.get("/").get_data(as_text=True))
    member = _main_menu(login(make.user()).get("/").get_data(as_text=True))
    assert ">Administration</a>" in admin and ">Medlemmar</a>" in admin
    assert ">Medlemmar</a>" in member and ">Administration</a>" not in member
    assert ">Medlemmar</a>" not in visitor and ">Bibliotek</a>" in visitor
    client.post("/sprak", data={"lang": "en"})
    english = _main_menu(client.get("/bibliotek/").get_data(as_text=True))
    assert '<a href="/bibliotek/" aria-current="page">Library</a>' in english
    assert ">Bibliotek</a>" in _main_menu(login(make.user()).get("/").get_data(as_text=True))
