"""Language choice and file sizes (dates: tests/test_dates.py)."""

import datetime as dt

import pytest
from flask import render_template_string

UTC = dt.UTC


def test_switching_to_english_changes_lang_and_navigation_and_back(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Hoppa till innehållet" in page

    response = client.post("/sprak", data={"lang": "en", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to content" in page and 'aria-label="Main menu"' in page
    assert ">Sign in<" in page and ">Home<" in page
    # The switch offers the way back, marked as Swedish for screen readers.
    assert 'lang="sv">Svenska</button>' in page

    client.post("/sprak", data={"lang": "sv", "next": "/"})
    assert '<html lang="sv">' in client.get("/").get_data(as_text=True)


def test_member_language_choice_is_remembered_on_the_account(make, login, db):
    user = make.user()
    client = login(user)
    client.post("/sprak", data={"lang": "en", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_unknown_language_is_a_400_not_a_switch(client):
    assert client.post("/sprak", data={"lang": "de"}).status_code == 400
    assert '<html lang="sv">' in client.get("/").get_data(as_text=True)


def test_language_switch_only_returns_to_paths_on_this_site(client):
    response = client.post("/sprak", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_browser_asking_for_english_only_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    page = client.get("/", headers={"Accept-Language": "en-GB,sv;q=0.5"}).get_data(as_text=True)
    assert '<html lang="sv">' in page


def _render(template: str, **context) -> str:
    return render_template_string(template, **context)


def test_file_sizes_are_swedish_by_default(app):
    with app.test_request_context("/"):
        shown = [_render("{{ n|filesize }}", n=n) for n in
                 (0, 1, 611, 1023, 1024, 1229, 64 * 1024, 3_565_158, 100 * 1024 * 1024,
                  1023.99 * 1024, 5 * 1024 ** 4, 3 * 1024 ** 5)]
        assert _render("{{ none|filesize }}") == ""
    assert shown == ["0 byte", "1 byte", "611 byte", "1\xa0023 byte", "1 kB", "1,2 kB", "64 kB",
                     "3,4 MB", "100 MB", "1 MB", "5 TB", "3\xa0072 TB"]


def test_file_sizes_follow_the_chosen_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        shown = [_render("{{ n|filesize }}", n=n) for n in
                 (1, 611, 1229, 3_565_158, 1536 * 1024 ** 3, 5000 * 1024 ** 4)]
    assert shown == ["1 byte", "611 bytes", "1.2 kB", "3.4 MB", "1.5 TB", "5,000 TB"]


def test_the_cached_catalog_follows_force_locale_within_a_request(app):
    """Templates and lazy labels reuse the request's catalog; a mail rendered for an English
    recipient inside a Swedish request still gets English, and the request's Swedish after."""
    from flask_babel import force_locale

    from network.i18n import gettext, lazy_gettext

    label = lazy_gettext("Logga in")
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert render_template_string("{{ _('Logga in') }}") == "Logga in"
        with force_locale("en"):
            assert render_template_string("{{ _('Logga in') }}") == "Sign in"
            assert gettext("Logga in") == "Sign in" and str(label) == "Sign in"
        assert gettext("Logga in") == "Logga in" and str(label) == "Logga in"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(label) == "Sign in"


@pytest.mark.parametrize(("language", "message"), [("sv", "Inte ett giltigt heltal"),
                                                   ("en", "Not a valid integer value.")])
def test_wtforms_own_messages_come_in_the_requests_language(app, language, message):
    from wtforms import IntegerField

    from network.forms import Form

    class YearForm(Form):
        year = IntegerField()

    with app.test_request_context("/", method="POST", data={"year": "tjugo"},
                                  headers={"Accept-Language": language}):
        form = YearForm(meta={"csrf": False})
        assert not form.validate()
        assert form.year.errors == [message]
