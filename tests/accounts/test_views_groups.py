"""Groups: list, page, join/leave, members, admin editing (network/accounts/views_groups.py)."""

from __future__ import annotations

from sqlalchemy import select

from network.accounts.models import AuditLog, Group, GroupRole, GroupVisibility, Membership

PUBLIC, MEMBERS, CLOSED = GroupVisibility.PUBLIC, GroupVisibility.MEMBERS, GroupVisibility.CLOSED


def test_visitors_see_only_public_groups(db, make, client):
    make.group(name="Publik grupp", visibility=PUBLIC)
    make.group(name="Öppen grupp", visibility=MEMBERS)
    make.group(name="Sluten grupp", visibility=CLOSED)
    db.session.commit()
    page = client.get("/grupper").get_data(as_text=True)
    assert "Publik grupp" in page
    assert "Öppen grupp" not in page and "Sluten grupp" not in page


def test_members_see_open_groups_and_their_own_closed_ones(db, make, login):
    user = make.user()
    make.group(name="Öppen grupp", visibility=MEMBERS)
    make.group(name="Min slutna grupp", visibility=CLOSED, members=[user])
    make.group(name="Annan sluten grupp", visibility=CLOSED)
    archived = make.group(name="Arkiverad grupp")
    archived.archived = True
    page = login(user).get("/grupper").get_data(as_text=True)
    assert "Öppen grupp" in page and "Min slutna grupp" in page
    assert "Annan sluten grupp" not in page and "Arkiverad grupp" not in page


def test_a_closed_group_is_404_for_outsiders(db, make, login, client):
    group = make.group(visibility=CLOSED)
    db.session.commit()
    assert client.get(f"/grupper/{group.id}").status_code == 404
    assert login(make.user()).get(f"/grupper/{group.id}").status_code == 404


def test_unknown_group_is_404(db, make, login):
    client = login(make.admin())
    assert client.get("/grupper/99999").status_code == 404
    assert client.post("/grupper/99999/ga-med").status_code == 404
    assert client.get("/grupper/99999/redigera").status_code == 404


def test_group_page_shows_members_roles_and_organisations(db, make, login, assert_max_queries):
    org = make.organisation(name="Polisen Örebro")
    facilitator = make.user(name="Fia Samordnare", organisation=org)
    members = [make.user(name=f"Medlem {n}", organisation=make.organisation()) for n in range(8)]
    group = make.group(name="Samverkansgrupp Örebro", description="Vi samverkar i Vivalla.",
                       members=members, facilitators=[facilitator])
    client = login(make.user())
    client.get("/")  # warm up the session
    with assert_max_queries(8):  # the member list is paginated: one count query
        response = client.get(f"/grupper/{group.id}")
    page = response.get_data(as_text=True)
    assert "Vi samverkar i Vivalla." in page
    assert "Fia Samordnare" in page and "Polisen Örebro" in page and "Samordnare" in page
    assert page.index("Fia Samordnare") < page.index("Medlem 0")
    assert all(f"Medlem {n}" in page for n in range(8))


def test_visitors_see_a_public_groups_description_but_not_its_members(db, make, client):
    group = make.group(description="Om trygghet i centrum.", visibility=PUBLIC,
                       members=[make.user(name="Hemlig Person")])
    db.session.commit()
    page = client.get(f"/grupper/{group.id}").get_data(as_text=True)
    assert "Om trygghet i centrum." in page and "Hemlig Person" not in page


def test_member_joins_an_open_group_and_leaves_it(db, make, login):
    user = make.user()
    group = make.group(visibility=MEMBERS)
    client = login(user)
    assert client.post(f"/grupper/{group.id}/ga-med").status_code == 302
    assert db.session.get(Membership, (group.id, user.id)).role == GroupRole.MEMBER
    assert client.post(f"/grupper/{group.id}/lamna").status_code == 302
    assert db.session.get(Membership, (group.id, user.id)) is None


def test_nobody_joins_a_closed_group_uninvited(db, make, login):
    user = make.user()
    group = make.group(visibility=CLOSED)
    client = login(user)
    assert client.post(f"/grupper/{group.id}/ga-med").status_code == 404
    assert db.session.get(Membership, (group.id, user.id)) is None


def test_joining_twice_gives_a_message_not_an_error(db, make, login):
    user = make.user()
    group = make.group(members=[user])
    response = login(user).post(f"/grupper/{group.id}/ga-med", follow_redirects=True)
    assert response.status_code == 200
    assert "Du kan inte gå med i den här gruppen.".encode() in response.data


def test_leaving_a_closed_group_returns_to_the_group_list(db, make, login):
    user = make.user()
    group = make.group(visibility=CLOSED, members=[user])
    response = login(user).post(f"/grupper/{group.id}/lamna")
    assert response.headers["Location"].endswith("/grupper")


def test_facilitator_adds_changes_and_removes_members(db, make, login):
    facilitator, person = make.user(), make.user(email="person@example.se")
    group = make.group(facilitators=[facilitator])
    client = login(facilitator)
    assert client.post(f"/grupper/{group.id}/medlemmar",
                       data={"email": "PERSON@example.se", "role": "member"}).status_code == 302
    assert db.session.get(Membership, (group.id, person.id)).role == GroupRole.MEMBER
    assert client.post(f"/grupper/{group.id}/medlemmar/{person.id}/roll",
                       data={"role": "facilitator"}).status_code == 302
    assert db.session.get(Membership, (group.id, person.id)).role == GroupRole.FACILITATOR
    assert client.post(f"/grupper/{group.id}/medlemmar/{person.id}/ta-bort").status_code == 302
    assert db.session.get(Membership, (group.id, person.id)) is None
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.actor_id == facilitator.id)).all()
    assert actions.count("group.member.add") == 2 and "group.member.remove" in actions


def test_adding_an_unknown_email_tells_the_facilitator_to_invite(db, make, login):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    response = login(facilitator).post(f"/grupper/{group.id}/medlemmar", follow_redirects=True,
                                       data={"email": "okand@example.se", "role": "member"})
    assert "Bjud in personen i stället.".encode() in response.data


def test_adding_a_malformed_email_gives_a_message(db, make, login):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    response = login(facilitator).post(f"/grupper/{group.id}/medlemmar", follow_redirects=True,
                                       data={"email": "trasig", "role": "member"})
    assert b"Det ser inte ut som en giltig e-postadress." in response.data


def test_plain_members_cannot_manage_members(db, make, login):
    member, other = make.user(), make.user()
    group = make.group(members=[member, other])
    client = login(member)
    assert client.post(f"/grupper/{group.id}/medlemmar",
                       data={"email": "x@example.se", "role": "member"}).status_code == 403
    assert client.post(f"/grupper/{group.id}/medlemmar/{other.id}/ta-bort").status_code == 403
    assert client.post(f"/grupper/{group.id}/medlemmar/{other.id}/roll",
                       data={"role": "facilitator"}).status_code == 403


def test_removing_an_unknown_member_is_404(db, make, login):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    client = login(facilitator)
    assert client.post(f"/grupper/{group.id}/medlemmar/99999/ta-bort").status_code == 404
    outsider = make.user()
    db.session.commit()
    assert client.post(f"/grupper/{group.id}/medlemmar/{outsider.id}/ta-bort").status_code == 404


def test_admin_creates_a_local_group_which_needs_a_municipality(db, make, login):
    client = login(make.admin())
    data = {"name": "Samverkansgrupp Vivalla", "kind": "local", "visibility": "closed",
            "description": "Lokal samverkan."}
    missing = client.post("/grupper/ny", data=data)
    assert missing.status_code == 422
    assert "En lokal samverkansgrupp behöver en kommun.".encode() in missing.data
    response = client.post("/grupper/ny", data={**data, "municipality_code": "1880"})
    assert response.status_code == 302
    group = db.session.scalar(select(Group).where(Group.name == "Samverkansgrupp Vivalla"))
    assert (group.kind, group.visibility, group.municipality_code) == ("local", "closed", "1880")


def test_admin_edits_and_archives_a_group(db, make, login):
    admin = make.admin()
    group = make.group(name="Gammalt namn")
    client = login(admin)
    response = client.post(f"/grupper/{group.id}/redigera", data={
        "name": "Nytt namn", "kind": "thematic", "visibility": "public", "description": "Ny text",
        "municipality_code": ""})
    assert response.status_code == 302
    db.session.refresh(group)
    assert (group.name, group.visibility, group.description) == ("Nytt namn", "public", "Ny text")
    assert client.post(f"/grupper/{group.id}/arkivera", data={"archived": "1"}).status_code == 302
    db.session.refresh(group)
    assert group.archived
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.actor_id == admin.id)))
    assert {"group.update", "group.archive"} <= actions


def test_facilitators_cannot_edit_or_archive_groups(db, make, login):
    facilitator = make.user()
    group = make.group(facilitators=[facilitator])
    client = login(facilitator)
    assert client.get(f"/grupper/{group.id}/redigera").status_code == 403
    assert client.post(f"/grupper/{group.id}/arkivera").status_code == 403
    assert client.get("/grupper/ny").status_code == 403


def test_group_page_shows_the_right_actions(db, make, login):
    facilitator, member, outsider = make.user(), make.user(), make.user()
    group = make.group(members=[member], facilitators=[facilitator])
    for user, expected, absent in [
        (outsider, "Gå med i gruppen", "Lämna gruppen"),
        (member, "Lämna gruppen", "Lägg till en medlem"),
        (facilitator, "Lägg till en medlem", "Gå med i gruppen"),
    ]:
        page = login(user).get(f"/grupper/{group.id}").get_data(as_text=True)
        assert expected in page and absent not in page
