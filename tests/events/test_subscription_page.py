"""The subscription page: copy fields for every address, a confirmation before replacing the
personal address, and the choice between invitations and a plain calendar file."""

from __future__ import annotations

import re

from network.events import invitations, tokens


def _token(page: str) -> str:
    return page.split("webcal://localhost/evenemang/kalender/")[1].split("/")[0]


def test_every_feed_address_has_a_copy_field(login, make, db):
    user = make.user()
    group = make.group(members=[user], name="Trygghetsgruppen")
    client = login(user)
    page = client.post("/evenemang/kalenderprenumeration/ny").get_data(as_text=True)
    pattern = r'<input id="([\w-]+)" type="text" readonly value="([^"]+)"[^>]*data-copy-label'
    fields = re.findall(pattern, page)
    ids = {field_id: value for field_id, value in fields}
    assert ids["personal-url"].endswith("/min.ics")
    assert ids[f"group-url-{group.id}"].endswith(f"/grupp/{group.id}.ics")
    assert ids["public-url"] == "webcal://localhost/evenemang/kalender/offentlig.ics"
    for field_id in ids:
        assert f'<label for="{field_id}">' in page
    assert "js/events.js" in page  # the copy buttons: a same-origin script, as the CSP allows


def test_a_new_personal_address_replaces_the_old_one_only_after_confirmation(login, make, db):
    user = make.user()
    client = login(user)
    old = _token(client.post("/evenemang/kalenderprenumeration/ny").get_data(as_text=True))
    asked = client.post("/evenemang/kalenderprenumeration/ny").get_data(as_text=True)
    assert "Ersätta din kalenderadress?" in asked and 'name="confirm" value="1"' in asked
    assert client.get(f"/evenemang/kalender/{old}/min.ics").status_code == 200  # still works
    new = _token(client.post("/evenemang/kalenderprenumeration/ny", data={"confirm": "1"})
                 .get_data(as_text=True))
    assert new != old
    assert client.get(f"/evenemang/kalender/{old}/min.ics").status_code == 404
    assert client.get(f"/evenemang/kalender/{new}/min.ics").status_code == 200
    assert tokens.user_for_token(new) == user


def test_a_member_turns_invitations_off_and_on(login, make, db):
    user = make.user()
    client = login(user)
    page = client.get("/evenemang/kalenderprenumeration").get_data(as_text=True)
    assert 'id="invitations-on" name="invitations" value="1" checked' in page
    client.post("/evenemang/kalenderprenumeration/inbjudningar", data={})
    assert not invitations.wants_invitations(user)
    page = client.get("/evenemang/kalenderprenumeration").get_data(as_text=True)
    assert 'value="1" checked' not in page
    client.post("/evenemang/kalenderprenumeration/inbjudningar", data={"invitations": "1"})
    assert invitations.wants_invitations(user)


def test_the_invitation_setting_needs_a_login(client):
    response = client.post("/evenemang/kalenderprenumeration/inbjudningar", data={"invitations": "1"})
    assert response.status_code in (302, 401)
