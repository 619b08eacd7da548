"""An @mention in a workshop chat notifies the people named who may see the room (chat/mentions.py)."""

import uuid

from network.accounts.services import remove_member
from network.chat import services
from network.notifications.models import Notification
from network.notifications.services import notifications_for


def _titles(db, user):
    return [n.title for n in db.session.query(Notification).filter_by(user_id=user.id)]


def test_a_mention_notifies_the_member_named_with_a_link_to_the_room(db, make, make_room):
    facilitator = make.user(name="Sara Lind")
    anna, bo = make.user(name="Anna-Karin Öberg"), make.user(name="Bo Ek")
    group = make.group(facilitators=[facilitator], members=[anna, bo])
    room = make_room(group=group, facilitator=facilitator, title="Trygghetsvandring")
    services.post_message(facilitator, room, "Vad tycker du, @anna-karin.öberg?", str(uuid.uuid4()))
    db.session.commit()
    [notice] = notifications_for(anna)
    assert notice.title == "Sara Lind nämnde dig i Trygghetsvandring"
    assert notice.url == f"/workshoppar/{room.id}" and notice.kind == "chat.mention"
    assert _titles(db, bo) == [] and _titles(db, facilitator) == []


def test_a_message_without_mentions_notifies_nobody(db, make, make_room):
    facilitator, anna = make.user(), make.user(name="Anna Berg")
    room = make_room(group=make.group(facilitators=[facilitator], members=[anna]),
                     facilitator=facilitator)
    services.post_message(facilitator, room, "Mejla anna.berg@example.se om du vill", str(uuid.uuid4()))
    db.session.commit()
    assert _titles(db, anna) == []


def test_nobody_outside_the_room_is_told_about_it(db, make, make_room):
    facilitator = make.user()
    outsider = make.user(name="Olle Ute")
    former = make.user(name="Frida Gick")
    group = make.group(facilitators=[facilitator], members=[former])
    room = make_room(group=group, facilitator=facilitator)
    remove_member(None, group, former)
    services.post_message(facilitator, room, "Hej @olle.ute och @frida.gick", str(uuid.uuid4()))
    db.session.commit()
    assert _titles(db, outsider) == [] and _titles(db, former) == []


def test_the_title_is_in_the_language_of_the_person_mentioned(db, make, make_room):
    facilitator, english = make.user(name="Sara Lind"), make.user(name="Emma Hill")
    english.locale = "en"
    room = make_room(group=make.group(facilitators=[facilitator], members=[english]),
                     facilitator=facilitator, title="Workshop")
    services.post_message(facilitator, room, "@emma.hill välkommen", str(uuid.uuid4()))
    db.session.commit()
    assert _titles(db, english) == ["Sara Lind mentioned you in Workshop"]


def test_a_mention_over_the_socket_notifies_too(db, make, make_room, chat):
    facilitator, anna = make.user(), make.user(name="Anna Berg")
    room = make_room(group=make.group(facilitators=[facilitator], members=[anna]),
                     facilitator=facilitator)
    client = chat(facilitator)
    assert client.join(room)["ok"]
    assert client.send(room, "Kan du visa bilden, @anna.berg?")["ok"]
    assert len(notifications_for(anna)) == 1
