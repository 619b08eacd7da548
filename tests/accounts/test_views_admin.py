"""Administration overview and the audit log (network/accounts/views_admin.py)."""

from __future__ import annotations

from network.accounts import services


def test_audit_log_shows_who_did_what_when_newest_first(db, make, login):
    admin = make.admin(name="Karin Admin")
    group = make.group(name="Grovt våld")
    services.audit(admin, "group.update", group, name="Grovt våld")
    services.audit(admin, "forums.topic.lock", group, topic_id=7)
    page = login(admin).get("/admin/logg").get_data(as_text=True)
    assert "Karin Admin" in page
    # Readable labels, not the stored keys.
    assert page.index("Tråd låst") < page.index("Grupp ändrad")
    assert "forums.topic.lock" not in page
    assert "topic_id: 7" in page
    assert "groups " + str(group.id) in page


def test_audit_log_is_paginated(db, make, login, assert_max_queries):
    admin = make.admin()
    for n in range(60):
        services.audit(admin, f"test.action{n:02d}")
    client = login(admin)
    client.get("/admin/logg")
    with assert_max_queries(8):
        first = client.get("/admin/logg").get_data(as_text=True)
    assert "test.action59" in first and "test.action09" not in first
    assert 'rel="next"' in first
    second = client.get("/admin/logg?page=2").get_data(as_text=True)
    assert "test.action09" in second and "test.action59" not in second
    assert login(admin).get("/admin/logg?page=99").status_code == 200


def test_admin_pages_are_refused_to_members_and_visitors(db, make, login, client):
    member = login(make.user())
    for url in ("/admin", "/admin/logg", "/admin/inbjudningar"):
        assert member.get(url).status_code == 403
        assert client.get(url).status_code == 302


def test_admin_nav_entry_and_panel_are_for_admins_only(db, make, login):
    admin_home = login(make.admin()).get("/").get_data(as_text=True)
    member_home = login(make.user()).get("/").get_data(as_text=True)
    assert '<a href="/admin"' in admin_home and 'id="panel-admin"' in admin_home
    assert '<a href="/admin"' not in member_home and 'id="panel-admin"' not in member_home
