"""The pages around the chat: the list of rooms, a room, its transcript, opening and closing."""

from __future__ import annotations

from network.chat import services
from network.chat.models import ChatRoom, RoomStatus


def setup_room(make, make_room, db):
    fac, anna, outsider = make.user(name="Fia"), make.user(name="Anna"), make.user(name="Olle")
    group = make.group(name="Trygg stadsdel", members=[anna], facilitators=[fac])
    room = make_room(group=group, facilitator=fac, title="Workshop om belysning")
    return fac, anna, outsider, room


def test_the_workshop_list_shows_only_rooms_the_user_may_join(login, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    assert "Workshop om belysning" in login(anna).get("/workshoppar/").get_data(as_text=True)
    page = login(outsider).get("/workshoppar/").get_data(as_text=True)
    assert "Workshop om belysning" not in page
    assert "Det finns inga workshoppar" in page


def test_the_workshop_list_is_for_members_only(client):
    assert client.get("/workshoppar/").status_code == 302


def test_workshops_are_in_the_menu_for_members(login, make):
    assert "Workshoppar" in login(make.user()).get("/").get_data(as_text=True)


def test_the_room_page_loads_the_chat_script_without_inline_code(login, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    response = login(anna).get(f"/workshoppar/{room.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "vendor/socket.io/socket.io.min.js" in page and "js/chat.js" in page
    assert "<script>" not in page
    assert 'data-can-manage="false"' in page


def test_a_room_is_not_found_for_people_outside_its_audience(login, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    assert login(outsider).get(f"/workshoppar/{room.id}").status_code == 404
    assert login(outsider).get(f"/workshoppar/{room.id}/logg").status_code == 404
    assert login(anna).get("/workshoppar/999999").status_code == 404


def test_the_transcript_escapes_text_hides_removed_messages_and_shows_poll_results(
        login, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    import uuid

    services.post_message(anna, room, "<script>alert(1)</script> Hej", str(uuid.uuid4()))
    bad, _created = services.post_message(anna, room, "Något olämpligt", str(uuid.uuid4()))
    services.remove_message(fac, room, bad.id)
    poll = services.create_poll(fac, room, "Vad först?", ["Belysning", "Fältarbete"])
    services.vote(anna, room, poll.id, poll.options[1].id)
    db.session.commit()
    page = login(anna).get(f"/workshoppar/{room.id}/logg").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hej" in page
    assert "<script>alert(1)" not in page
    assert "Något olämpligt" not in page
    assert "Meddelandet har tagits bort av samtalsledaren." in page
    assert "Vad först?" in page and "Fältarbete" in page


def test_facilitators_create_rooms_for_their_groups_only(login, make, db):
    fac, anna = make.user(), make.user()
    group = make.group(facilitators=[fac], members=[anna])
    other = make.group()
    client = login(fac)
    assert "Nytt rum" in client.get("/workshoppar/").get_data(as_text=True)
    response = client.post("/workshoppar/nytt", data={"title": "Ny workshop", "group_id": group.id,
                                                       "join_rule": "group"})
    assert response.status_code == 302
    assert db.session.query(ChatRoom).filter_by(title="Ny workshop").count() == 1
    response = client.post("/workshoppar/nytt", data={"title": "Fel grupp", "group_id": other.id,
                                                       "join_rule": "group"})
    assert response.status_code == 400
    assert login(anna).post("/workshoppar/nytt", data={"title": "x", "group_id": group.id,
                                                        "join_rule": "group"}).status_code == 403
    response = client.post("/workshoppar/nytt", data={"title": "", "group_id": group.id,
                                                       "join_rule": "group"})
    assert response.status_code == 400 and "Ge rummet ett namn." in response.get_data(as_text=True)


def test_only_facilitators_open_and_close_rooms(login, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    assert login(anna).post(f"/workshoppar/{room.id}/status").status_code == 403
    assert login(fac).post(f"/workshoppar/{room.id}/status").status_code == 302
    db.session.refresh(room)
    assert room.status == RoomStatus.CLOSED
    assert login(fac).post(f"/workshoppar/{room.id}/status").status_code == 302
    db.session.refresh(room)
    assert room.status == RoomStatus.OPEN


def test_closing_a_room_tells_everyone_in_it(login, chat, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    member = chat(anna)
    member.join(room)
    login(fac).post(f"/workshoppar/{room.id}/status")
    assert member.received("room_status")[-1]["args"] == {"room_id": room.id, "status": "closed"}


def test_the_list_narrows_to_one_group_for_links_from_the_group_page(login, make, make_room, db):
    fac, anna, outsider, room = setup_room(make, make_room, db)
    other_group = make.group(members=[anna], facilitators=[fac])
    make_room(group=other_group, facilitator=fac, title="Annan grupps rum")
    page = login(anna).get(f"/workshoppar/?grupp={room.group_id}").get_data(as_text=True)
    assert "Workshop om belysning" in page and "Annan grupps rum" not in page


def test_the_facilitator_saves_the_transcript_to_the_library_for_the_rooms_audience(
        login, make, make_room, db):
    import uuid

    from network.resources import services as resources

    fac, anna, outsider, room = setup_room(make, make_room, db)
    services.post_message(anna, room, "Mer belysning vid tunneln", str(uuid.uuid4()))
    poll = services.create_poll(fac, room, "Vad först?", ["Ljus", "Vakter"])
    services.vote(anna, room, poll.id, poll.options[0].id)
    db.session.commit()
    assert login(anna).post(f"/workshoppar/{room.id}/spara-logg").status_code == 403
    response = login(fac).post(f"/workshoppar/{room.id}/spara-logg")
    assert response.status_code == 302
    saved = resources.resources_for(anna, services.LINK_KIND, room.id)
    assert [r.title for r in saved] == ["Logg: Workshop om belysning"]
    assert saved[0].effective_visibility == "group" and saved[0].group_id == room.group_id
    assert resources.resources_for(outsider, services.LINK_KIND, room.id) == []
    content = saved[0].current_version.files[0]
    assert content.filename == f"workshop-{room.id}-logg.txt"
    assert "Mer belysning vid tunneln" in content.extracted_text
    assert "Ljus: 1 röster" in content.extracted_text
    page = login(anna).get(response.headers["Location"]).get_data(as_text=True)
    assert "Workshop: Workshop om belysning" in page
