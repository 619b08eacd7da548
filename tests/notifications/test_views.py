"""The notification list, marking read, and the unread count in the header."""

import re

from network.accounts.models import GroupVisibility
from network.accounts.services import remove_member
from network.extensions import db
from network.notifications.models import Notification
from network.notifications.services import notify


def _notify(user, title="Nytt inlägg i Grovt våld", **kw):
    kw.setdefault("url", "/forum/1")
    row = notify(user, "forum.post", title, **kw)
    db.session.commit()
    return row


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/notiser/")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_member_sees_own_notifications_newest_first_with_links(make, login):
    anna, bertil = make.user(name="Anna"), make.user(name="Bertil")
    _notify(anna, "Första", url="/forum/1")
    _notify(anna, "Andra", url="/forum/2")
    _notify(bertil, "Bertils hemliga notis")
    page = login(anna).get("/notiser/").get_data(as_text=True)
    assert page.index("Andra") < page.index("Första")
    assert 'href="/forum/2"' in page
    assert "Bertils hemliga notis" not in page


def test_notification_about_something_no_longer_visible_is_not_listed(make, login, group_subjects):
    anna = make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[anna])
    _notify(anna, "Nytt i den slutna gruppen", subject_type=group_subjects, subject_id=group.id)
    _notify(anna, "Något öppet")
    client = login(anna)
    page = client.get("/notiser/").get_data(as_text=True)
    assert "Nytt i den slutna gruppen" in page

    remove_member(None, group, anna)
    db.session.commit()
    page = client.get("/notiser/").get_data(as_text=True)
    assert "Nytt i den slutna gruppen" not in page
    assert "Något öppet" in page
    # The badge does not count it either, so it cannot hint at what is hidden.
    assert _badge(page) == "1"


def test_notification_with_a_subject_type_nobody_checks_is_not_listed(make, login):
    anna = make.user()
    _notify(anna, "Okänd sorts sak", subject_type="unknown_kind", subject_id=1)
    page = login(anna).get("/notiser/").get_data(as_text=True)
    assert "Okänd sorts sak" not in page
    assert "Du har inga notiser." in page


def test_header_shows_unread_count_and_marking_one_read_lowers_it(make, login):
    anna = make.user()
    first = _notify(anna, "Första")
    _notify(anna, "Andra")
    client = login(anna)
    assert _badge(client.get("/").get_data(as_text=True)) == "2"

    response = client.post(f"/notiser/{first.id}/las")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notiser/")
    db.session.refresh(first)
    assert first.read_at is not None
    assert _badge(client.get("/").get_data(as_text=True)) == "1"


def test_marking_all_read_clears_the_badge(make, login):
    anna = make.user()
    _notify(anna, "Första")
    _notify(anna, "Andra")
    client = login(anna)
    response = client.post("/notiser/las-alla", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Alla notiser är markerade som lästa." in page
    assert _badge(page) is None
    assert all(n.read_at is not None for n in db.session.query(Notification).all())


def test_someone_elses_notification_cannot_be_marked_read(make, login):
    anna, bertil = make.user(), make.user()
    theirs = _notify(bertil, "Bertils")
    response = login(anna).post(f"/notiser/{theirs.id}/las")
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_unknown_notification_is_404(make, login):
    assert login(make.user()).post("/notiser/999999/las").status_code == 404


def test_links_other_than_site_paths_are_not_made_clickable(make, login):
    anna = make.user()
    _notify(anna, "Konstig länk", url="javascript:alert(1)")
    _notify(anna, "Extern länk", url="//evil.example/")
    page = login(anna).get("/notiser/").get_data(as_text=True)
    assert "Konstig länk" in page and "Extern länk" in page
    assert "javascript:" not in page
    assert "evil.example" not in page


def test_list_page_makes_a_bounded_number_of_queries(make, login, assert_max_queries, group_subjects):
    anna = make.user()
    group = make.group(members=[anna])
    for n in range(10):
        _notify(anna, f"Notis {n}", subject_type=group_subjects, subject_id=group.id)
    client = login(anna)
    client.get("/notiser/")
    with assert_max_queries(14):
        assert client.get("/notiser/").status_code == 200


def _badge(page: str) -> str | None:
    match = re.search(r'<span class="badge">(\d+)', page)
    return match.group(1) if match else None


def test_the_newest_notifications_are_listed_across_subject_types(make, group_subjects):
    """Each subject type is read apart (issue 22: an index lookup per type, no scan of every
    visible subject); together they still give the newest ``limit`` in order, hidden ones left out."""
    from network.notifications.services import notifications_for, unread_count

    anna = make.user()
    seen = make.group(members=[anna])
    closed = make.group(visibility=GroupVisibility.CLOSED)
    for n in range(6):
        kind = {0: {}, 1: {"subject_type": group_subjects, "subject_id": seen.id},
                2: {"subject_type": group_subjects, "subject_id": closed.id}}[n % 3]
        _notify(anna, f"Notis {n}", **kind)
    assert [row.title for row in notifications_for(anna, limit=3)] == ["Notis 4", "Notis 3",
                                                                        "Notis 1"]
    assert [row.title for row in notifications_for(anna)] == ["Notis 4", "Notis 3", "Notis 1",
                                                              "Notis 0"]
    assert unread_count(anna) == 4


def test_the_badge_statement_is_built_once_per_reader_and_access_and_never_shared(
        make, login, app, group_subjects):
    """The count's statement is kept per access state (network/permissions.py access_state):
    the same reader reuses it, another reader or the same one with other groups gets its own,
    and each counts only what that reader may see."""
    from network.notifications.services import _count_statement, unread_count

    anna, bertil = make.user(), make.user()
    group = make.group(visibility=GroupVisibility.CLOSED, members=[anna])
    for user in (anna, bertil):
        _notify(user, "Nytt i gruppen", subject_type=group_subjects, subject_id=group.id)
        _notify(user, "Något öppet")
    with app.test_request_context("/"):
        assert _count_statement(anna) is _count_statement(anna)
        assert _count_statement(bertil) is not _count_statement(anna)
        assert (unread_count(anna), unread_count(bertil)) == (2, 1)
        before = _count_statement(anna)
    remove_member(None, group, anna)
    db.session.commit()
    with app.test_request_context("/"):
        assert _count_statement(anna) is not before
    assert _badge(login(anna).get("/").get_data(as_text=True)) == "1"
