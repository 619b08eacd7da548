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


def test_my_groups_are_kept_through_other_writes_and_a_new_membership_shows_at_once(
        app, db, make, login, monkeypatch):
    """The panel is kept for its member (network/fragments.py) while nothing structural
    changes: a post elsewhere leaves it, joining a group shows at once, and another member
    never gets it."""
    from network.accounts import services
    from network.accounts.models import GroupRole
    from network.forums.models import Category
    from network.forums.services import create_topic

    app.config["PAGE_CACHE"] = False
    calls = []
    memberships = services.user_memberships
    monkeypatch.setattr(services, "user_memberships",
                        lambda user: calls.append(user.id) or memberships(user))
    anna, bo = make.user(), make.user()
    make.group(name="Samverkansgrupp Borlänge", members=[anna, bo])
    db.session.commit()
    client = login(anna)
    assert "Samverkansgrupp Borlänge" in client.get("/").get_data(as_text=True)
    category = Category(name="Allmänt", visibility="members")
    db.session.add(category)
    db.session.commit()
    create_topic(bo, category, "Ett ämne", "Text")
    db.session.commit()
    client.get("/")
    assert calls == [anna.id]  # a forum write leaves the member's groups in place
    later = make.group(name="Nya nätverket")
    services.add_member(None, later, anna, GroupRole.MEMBER)
    db.session.commit()
    assert "Nya nätverket" in client.get("/").get_data(as_text=True)
    bos_page = login(bo).get("/").get_data(as_text=True)
    assert "Samverkansgrupp Borlänge" in bos_page and "Nya nätverket" not in bos_page
    assert calls == [anna.id, anna.id, bo.id]
