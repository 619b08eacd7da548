"""Chat services: persist first, then emit; system messages from application code."""

from __future__ import annotations

import pytest

from network.chat import services
from network.chat.services import ChatError


def test_a_system_message_reaches_the_room_only_once_committed(chat, make, make_room, db):
    fac, anna = make.user(), make.user()
    group = make.group(facilitators=[fac], members=[anna])
    room = make_room(group=group, facilitator=fac)
    client = chat(anna)
    client.join(room)
    client.received()
    services.post_system_message(room, "Eventet är inställt")
    assert client.received("message") == []
    db.session.commit()
    got = client.received("message")
    assert [(e["args"]["kind"], e["args"]["body"]) for e in got] == [("system", "Eventet är inställt")]


def test_nothing_is_emitted_for_a_rolled_back_message(chat, make, make_room, db):
    fac, anna = make.user(), make.user()
    group = make.group(facilitators=[fac], members=[anna])
    room = make_room(group=group, facilitator=fac)
    client = chat(anna)
    client.join(room)
    client.received()
    services.post_system_message(room, "Aldrig sparat")
    db.session.rollback()
    db.session.commit()
    assert client.received("message") == []


def test_the_cli_posts_a_system_message(runner, make, make_room, db):
    room = make_room()
    result = runner.invoke(args=["chat-say", str(room.id), "Paus i tio minuter"])
    assert result.exit_code == 0, result.output
    assert [m.body for m in services.history(room)] == ["Paus i tio minuter"]
    assert runner.invoke(args=["chat-say", "424242", "x"]).exit_code != 0
    assert runner.invoke(args=["chat-say", str(room.id), "  "]).exit_code != 0


def test_system_messages_are_checked_like_any_text(make_room):
    with pytest.raises(ChatError):
        services.post_system_message(make_room(), "x" * 4001)


def test_the_transcript_text_has_polls_and_messages_but_no_removed_text(app, make, make_room, db):
    import uuid

    from network.chat.export import transcript_text

    fac, anna = make.user(name="Fia"), make.user(name="Anna")
    group = make.group(name="Trygg stadsdel", facilitators=[fac], members=[anna])
    room = make_room(group=group, facilitator=fac, title="Belysning")
    services.post_message(anna, room, "Mer ljus vid\ntunneln", str(uuid.uuid4()))
    gone, _created = services.post_message(anna, room, "Hemligt", str(uuid.uuid4()))
    services.remove_message(fac, room, gone.id)
    poll = services.create_poll(fac, room, "Först?", ["Ljus", "Vakter"])
    services.vote(anna, room, poll.id, poll.options[0].id)
    db.session.commit()
    with app.test_request_context():
        text = transcript_text(services.transcript(room))
    assert text.startswith("Belysning\n=========\n\nGrupp: Trygg stadsdel")
    assert "Omröstning: Först?\n  - Ljus: 1 röster\n  - Vakter: 0 röster\n  Totalt: 1" in text
    assert "Anna:\n  Mer ljus vid\n  tunneln" in text
    assert "Hemligt" not in text


def test_post_message_refuses_a_client_id_reused_with_another_text(make, make_room, db):
    import uuid

    fac, anna = make.user(), make.user()
    room = make_room(group=make.group(facilitators=[fac], members=[anna]), facilitator=fac)
    key = str(uuid.uuid4())
    first, created = services.post_message(anna, room, "Första", key)
    assert created
    again, created = services.post_message(anna, room, "Första", key)
    assert again.id == first.id and created is False
    with pytest.raises(ChatError) as refused:
        services.post_message(anna, room, "Andra", key)
    assert refused.value.code == "reused_id"
    assert [m.body for m in services.history(room)] == ["Första"]
