"""The chat namespace: who may connect and join, and what each event does and refuses."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from network.accounts import services as accounts
from network.chat import services
from network.chat.models import ChatMessage, ChatPollVote, ChatRaisedHand, RoomStatus


@pytest.fixture
def people(make):
    facilitator = make.user(name="Fia Facilitator")
    anna = make.user(name="Anna Andersson")
    bo = make.user(name="Bo Berg")
    outsider = make.user(name="Olle Utanför")
    group = make.group(members=[anna, bo], facilitators=[facilitator])
    return {"fac": facilitator, "anna": anna, "bo": bo, "outsider": outsider, "group": group}


@pytest.fixture
def room(make_room, people):
    return make_room(group=people["group"], facilitator=people["fac"])


def count(db, model=ChatMessage):
    return db.session.scalar(select(func.count()).select_from(model))


# -- connecting and joining --------------------------------------------------------------------


def test_logged_out_visitors_cannot_connect(chat):
    assert not chat(None).connected


def test_a_deactivated_account_cannot_connect(chat, people, db):
    people["anna"].active = False
    db.session.commit()
    assert not chat(people["anna"]).connected


def test_members_join_and_get_history_presence_and_their_rights(chat, people, room):
    services.post_system_message(room, "Välkomna")
    services.db.session.commit()
    client = chat(people["anna"])
    answer = client.join(room)
    assert answer["ok"] is True
    assert [m["body"] for m in answer["messages"]] == ["Välkomna"]
    assert [u["name"] for u in answer["presence"]] == ["Anna Andersson"]
    assert answer["me"]["can_manage"] is False
    assert answer["room"]["status"] == "open"


def test_people_outside_the_group_cannot_join_and_learn_nothing(chat, people, room):
    client = chat(people["outsider"])
    assert client.connected
    answer = client.join(room)
    assert answer == {"ok": False, "code": "not_found", "room_id": room.id,
                      "message": "Rummet finns inte eller så saknar du behörighet."}
    assert client.received("chat_error")[0]["args"]["code"] == "not_found"
    assert not client.received("presence")


def test_joining_a_room_that_does_not_exist_is_answered_with_an_error(chat, people):
    answer = chat(people["anna"]).call("join", {"room_id": 987654})
    assert answer["code"] == "not_found"


def test_admins_may_join_any_room(chat, make, room):
    assert chat(make.admin()).join(room)["ok"] is True


def test_presence_lists_everyone_in_the_room_and_drops_those_who_leave(chat, people, room):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    last = anna.received("presence")[-1]["args"]
    assert [u["name"] for u in last["users"]] == ["Anna Andersson", "Bo Berg"]
    bo.sio.disconnect("/chat")
    last = anna.received("presence")[-1]["args"]
    assert [u["name"] for u in last["users"]] == ["Anna Andersson"]


def test_presence_changes_in_quick_succession_reach_the_room_as_one_current_list(app, chat, people,
                                                                                 room):
    app.extensions["chat"]["announcer"].interval = 0.5
    anna, bo, fia = chat(people["anna"]), chat(people["bo"]), chat(people["fac"])
    anna.join(room)
    assert [[u["name"] for u in e["args"]["users"]] for e in anna.received("presence")] == [
        ["Anna Andersson"]]  # the first change after a quiet spell goes out at once
    bo.join(room)
    fia.join(room)
    assert not anna.received("presence")  # held back, not lost
    deadline = time.monotonic() + 10
    lists = []
    while not lists and time.monotonic() < deadline:
        time.sleep(0.05)
        lists = [[u["name"] for u in e["args"]["users"]] for e in anna.received("presence")]
    assert lists == [["Anna Andersson", "Bo Berg", "Fia Facilitator"]]


# -- sending -----------------------------------------------------------------------------------


def test_a_message_reaches_everyone_in_the_room_after_it_is_stored(chat, people, room, db):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    answer = anna.send(room, "Hej alla!")
    assert answer["ok"] is True
    stored = db.session.get(ChatMessage, answer["id"])
    assert stored.body == "Hej alla!"
    got = bo.received("message")
    assert [e["args"]["id"] for e in got] == [answer["id"]]
    assert got[0]["args"]["author"]["name"] == "Anna Andersson"


def test_an_author_name_carries_a_profile_link_every_receiver_may_open(
        chat, people, room, db, login):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    anna.send(room, "Hej!")
    (got,) = bo.received("message")
    url = got["args"]["author"]["profile_url"]
    assert url == f"/medlemmar/{people['anna'].id}"
    assert login(people["bo"]).get(url).status_code == 200  # the receiver may open it
    history = chat(people["fac"]).join(room)["messages"]
    assert [m["author"]["profile_url"] for m in history] == [url]


def test_a_deactivated_authors_name_in_the_room_links_nowhere(chat, people, room, db, client):
    anna = chat(people["anna"])
    anna.join(room)
    anna.send(room, "Innan jag slutar")
    people["anna"].active = False
    db.session.commit()
    (message,) = chat(people["bo"]).join(room)["messages"]
    assert message["author"]["name"] == "Anna Andersson"
    assert "profile_url" not in message["author"]
    # Visitors, who may open no profile, get no socket at all (test_logged_out_visitors_...).
    assert client.get(f"/medlemmar/{people['anna'].id}").status_code == 302


def test_message_ids_only_grow(chat, people, room):
    anna = chat(people["anna"])
    anna.join(room)
    ids = [anna.send(room, f"rad {n}")["id"] for n in range(4)]
    assert ids == sorted(ids) and len(set(ids)) == 4


def test_a_retried_send_is_stored_once_and_acknowledged_with_the_original_id(chat, people, room, db):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    key = str(uuid.uuid4())
    first = anna.send(room, "Hej", key)
    second = anna.send(room, "Hej", key)
    assert first["ok"] and second["ok"]
    assert second["id"] == first["id"] and second["duplicate"] is True
    assert count(db) == 1
    assert len(bo.received("message")) == 1


def test_a_message_id_reused_with_another_text_is_refused_not_answered_as_a_duplicate(
        chat, people, room, db):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    key = str(uuid.uuid4())
    first = anna.send(room, "Hej", key)
    anna.received()
    answer = anna.send(room, "Något helt annat", key)
    assert answer["ok"] is False and answer["code"] == "reused_id"
    assert "redan använts" in answer["message"]
    assert [e["args"]["code"] for e in anna.received("chat_error")] == ["reused_id"]
    assert [m.body for m in db.session.scalars(select(ChatMessage))] == ["Hej"]
    # The same id with the same text (cleaned the same way) is still a harmless retry.
    again = anna.send(room, "  Hej\r\n", key)
    assert again["ok"] and again["id"] == first["id"] and again["duplicate"] is True
    assert len(bo.received("message")) == 1


def test_someone_elses_message_uuid_is_refused_and_stores_nothing(chat, people, room, db):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    key = str(uuid.uuid4())
    anna.send(room, "Annas", key)
    answer = bo.send(room, "Bos försök", key)
    assert answer["ok"] is False and answer["code"] == "invalid"
    assert [m.body for m in db.session.scalars(select(ChatMessage))] == ["Annas"]


def test_sending_without_joining_first_is_refused(chat, people, room, db):
    answer = chat(people["anna"]).send(room)
    assert answer["code"] == "not_joined"
    assert count(db) == 0


def test_text_is_stored_as_plain_text_and_control_characters_are_dropped(chat, people, room, db):
    anna = chat(people["anna"])
    anna.join(room)
    answer = anna.send(room, "  <b>fet</b>\r\nrad två\x00\x07  ")
    assert db.session.get(ChatMessage, answer["id"]).body == "<b>fet</b>\nrad två"


@pytest.mark.parametrize(("body", "code"), [
    ("x" * 4001, "too_long"),
    ("x" * 1_000_000, "too_long"),
    ("   \n ", "empty"),
    (12, "invalid"),
    (None, "invalid"),
    (["lista"], "invalid"),
    ({"text": "hej"}, "invalid"),
])
def test_bad_message_bodies_get_a_clear_error_and_store_nothing(chat, people, room, db, body, code):
    anna = chat(people["anna"])
    anna.join(room)
    answer = anna.call("send", {"room_id": room.id, "body": body, "client_uuid": str(uuid.uuid4())})
    assert answer["ok"] is False and answer["code"] == code
    assert answer["message"]
    assert count(db) == 0


def test_a_message_of_exactly_4000_characters_is_accepted(chat, people, room):
    anna = chat(people["anna"])
    anna.join(room)
    assert anna.send(room, "å" * 4000)["ok"] is True


@pytest.mark.parametrize("client_uuid", [None, "", "inte-ett-uuid", 42, "x" * 5000, ["a"]])
def test_sends_without_a_valid_uuid_are_refused(chat, people, room, db, client_uuid):
    anna = chat(people["anna"])
    anna.join(room)
    answer = anna.call("send", {"room_id": room.id, "body": "Hej", "client_uuid": client_uuid})
    assert answer["code"] == "invalid"
    assert count(db) == 0


MALFORMED = [None, "hej", 17, ["room_id", 1], True, {}, {"room_id": "1"}, {"room_id": None},
             {"room_id": 1.5}, {"room_id": True}, {"room_id": -1}, {"room_id": 2**80}]


@pytest.mark.parametrize("event", ["join", "send", "history", "catch_up", "remove", "pin",
                                   "poll_create", "poll_vote", "poll_close", "hand", "hand_lower",
                                   "presence_ping", "leave"])
def test_malformed_payloads_get_an_error_never_a_crash(chat, people, room, db, event):
    anna = chat(people["anna"])
    for payload in MALFORMED:
        answer = anna.call(event, payload)
        assert answer["ok"] is False, payload
        assert answer["code"] in {"invalid", "not_found"}, payload
        assert anna.connected
    assert count(db) == 0


def test_unknown_events_and_extra_arguments_are_ignored(chat, people, room):
    anna = chat(people["anna"])
    anna.join(room)
    assert not anna.call("drop_table", {"room_id": room.id})
    anna.sio.emit("send", {"room_id": room.id}, "extra", 3, namespace="/chat")
    assert anna.connected
    assert anna.send(room, "fortfarande här")["ok"] is True


def test_sending_after_being_removed_from_the_group_is_refused(chat, people, room, db):
    anna = chat(people["anna"])
    anna.join(room)
    accounts.remove_member(None, people["group"], people["anna"])
    db.session.commit()
    # The removal took the socket out of the room as it committed (chat/revocation.py).
    answer = anna.send(room, "Hallå?")
    assert answer["code"] == "not_found"
    assert count(db) == 0


def test_a_socket_the_registry_missed_is_let_go_on_its_next_event(chat, people, room, db):
    from network.chat import revocation

    anna = chat(people["anna"])
    anna.join(room)
    for sid in revocation.registry().sockets_of(people["anna"].id):
        revocation.registry().disconnect(sid)  # as if the registry had lost the entry
    accounts.remove_member(None, people["group"], people["anna"])
    db.session.commit()
    answer = anna.send(room, "Hallå?")
    assert answer["code"] == "removed"
    assert not anna.connected
    assert count(db) == 0


def test_a_rotated_session_token_ends_the_socket_session(chat, people, room, db):
    anna = chat(people["anna"])
    anna.join(room)
    accounts.set_password(people["anna"], "ett-helt-nytt-losenord-2")
    db.session.commit()
    answer = anna.send(room)
    assert answer["code"] == "unauthorized"
    assert not anna.connected


def test_rate_limit_answers_with_a_clear_swedish_error(chat, people, room, db):
    anna = chat(people["anna"])
    anna.join(room)
    answers = [anna.send(room, f"meddelande {n}") for n in range(6)]
    assert [a["ok"] for a in answers] == [True] * 5 + [False]
    assert answers[-1]["code"] == "rate_limited"
    error = anna.received("chat_error")[-1]["args"]
    assert error["message"].startswith("Du skickar meddelanden för snabbt")
    assert count(db) == 5


def test_a_retry_of_a_stored_message_is_not_counted_by_the_rate_limit(chat, people, room):
    anna = chat(people["anna"])
    anna.join(room)
    key = str(uuid.uuid4())
    answers = [anna.send(room, "samma", key) for _n in range(8)]
    assert all(a["ok"] for a in answers)


# -- reading -----------------------------------------------------------------------------------


def test_history_on_join_is_the_latest_hundred_and_older_ones_come_on_request(chat, people, room, db):
    for n in range(130):
        services.post_system_message(room, f"rad {n}")
    db.session.commit()
    anna = chat(people["anna"])
    answer = anna.join(room)
    bodies = [m["body"] for m in answer["messages"]]
    assert bodies[0] == "rad 30" and bodies[-1] == "rad 129" and len(bodies) == 100
    assert answer["more_before"] is True
    older = anna.call("history", {"room_id": room.id, "before_id": answer["messages"][0]["id"],
                                  "limit": 20})
    assert [m["body"] for m in older["messages"]] == [f"rad {n}" for n in range(10, 30)]
    assert older["more_before"] is True


def test_a_reconnecting_client_gets_exactly_what_it_missed(chat, app, login, people, room):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    seen = anna.send(room, "före avbrottet")["id"]
    anna.sio.disconnect("/chat")
    missed = [bo.send(room, f"under avbrottet {n}")["id"] for n in range(3)]
    anna_again = chat(people["anna"])
    answer = anna_again.join(room, last_id=seen)
    # Everything after the last id seen, plus the seconds before it again (see late_commits).
    assert [m["id"] for m in answer["messages"] if m["id"] > seen] == missed
    assert {m["id"] for m in answer["messages"] if m["id"] <= seen} == {seen}
    assert answer["more_after"] is False


def test_replay_covers_a_message_that_committed_after_a_higher_id(chat, people, room, db):
    """Two processes on PostgreSQL: id 1 is taken first but commits after id 2 was seen."""
    anna = chat(people["anna"])
    anna.join(room)
    first = services.post_system_message(room, "tog id först, sparades sist")
    second = services.post_system_message(room, "tog id sedan")
    db.session.commit()
    answer = chat(people["bo"]).join(room, last_id=second.id)
    assert first.id in [m["id"] for m in answer["messages"]]


def test_old_messages_are_not_replayed_to_a_reconnecting_client(chat, people, room, db):
    import datetime as dt

    old = services.post_system_message(room, "för länge sedan")
    old.created_at = old.created_at - dt.timedelta(minutes=5)
    last = services.post_system_message(room, "senaste")
    db.session.commit()
    answer = chat(people["bo"]).join(room, last_id=last.id)
    assert [m["id"] for m in answer["messages"]] == [last.id]


def test_catch_up_pages_through_long_gaps(chat, people, room, db):
    for n in range(services.REPLAY_LIMIT + 20):
        services.post_system_message(room, f"rad {n}")
    db.session.commit()
    anna = chat(people["anna"])
    answer = anna.join(room, last_id=0)
    assert len(answer["messages"]) == services.REPLAY_LIMIT and answer["more_after"] is True
    after = answer["messages"][-1]["id"]
    rest = anna.call("catch_up", {"room_id": room.id, "after_id": after})
    assert len([m for m in rest["messages"] if m["id"] > after]) == 20
    assert rest["more_after"] is False


# -- moderation and the facilitator's tools ----------------------------------------------------


def test_a_facilitator_removes_a_message_for_everyone_and_its_text_is_never_replayed(
        chat, people, room, db):
    fac, anna, bo = chat(people["fac"]), chat(people["anna"]), chat(people["bo"])
    for c in (fac, anna, bo):
        c.join(room)
    bad = anna.send(room, "Olämpligt innehåll")["id"]
    answer = fac.call("remove", {"room_id": room.id, "message_id": bad})
    assert answer["ok"] is True
    for c in (fac, anna, bo):
        assert c.received("removed")[-1]["args"] == {"room_id": room.id, "id": bad}
    assert db.session.get(ChatMessage, bad).removed_at is not None
    replay = chat(people["bo"]).join(room, last_id=0)
    assert replay["messages"][0]["removed"] is True
    assert "Olämpligt" not in str(replay)
    rejoin = chat(people["bo"]).join(room, last_id=bad)
    assert rejoin["removed_ids"] == [bad]


def test_members_cannot_remove_messages(chat, people, room, db):
    anna, bo = chat(people["anna"]), chat(people["bo"])
    anna.join(room)
    bo.join(room)
    message = anna.send(room, "Mitt")["id"]
    answer = bo.call("remove", {"room_id": room.id, "message_id": message})
    assert answer["code"] == "forbidden"
    assert db.session.get(ChatMessage, message).removed_at is None


def test_forged_message_ids_from_another_room_are_refused(chat, people, room, make_room, db):
    other = make_room(group=people["group"], facilitator=people["fac"], title="Annat rum")
    services.post_system_message(other, "annat rum")
    db.session.commit()
    other_id = db.session.scalar(select(ChatMessage.id))
    fac = chat(people["fac"])
    fac.join(room)
    for forged in (other_id, 10**9, -5, "1", None, 1.5):
        answer = fac.call("remove", {"room_id": room.id, "message_id": forged})
        assert answer["ok"] is False and answer["code"] in {"not_found", "invalid"}
    assert db.session.get(ChatMessage, other_id).removed_at is None


def test_the_pinned_prompt_reaches_everyone_and_only_facilitators_set_it(chat, people, room, db):
    fac, anna = chat(people["fac"]), chat(people["anna"])
    fac.join(room)
    anna.join(room)
    assert anna.call("pin", {"room_id": room.id, "text": "Min fråga"})["code"] == "forbidden"
    assert fac.call("pin", {"room_id": room.id, "text": "Vad fungerar i er kommun?"})["ok"]
    assert anna.received("prompt")[-1]["args"]["text"] == "Vad fungerar i er kommun?"
    assert fac.call("pin", {"room_id": room.id, "text": ""})["ok"]
    assert anna.received("prompt")[-1]["args"]["text"] == ""


def test_a_quick_poll_counts_one_vote_per_person_with_live_results(chat, people, room, db):
    fac, anna, bo = chat(people["fac"]), chat(people["anna"]), chat(people["bo"])
    for c in (fac, anna, bo):
        c.join(room)
    created = fac.call("poll_create", {"room_id": room.id, "question": "Vilken insats först?",
                                       "options": ["Belysning", "Fältassistenter", " ", "Trygghetsvandring"]})
    assert created["ok"]
    poll = anna.received("poll")[-1]["args"]
    assert [o["label"] for o in poll["options"]] == ["Belysning", "Fältassistenter", "Trygghetsvandring"]
    first, second = poll["options"][0]["id"], poll["options"][1]["id"]
    assert anna.call("poll_vote", {"room_id": room.id, "poll_id": poll["id"], "option_id": first})["ok"]
    assert anna.call("poll_vote", {"room_id": room.id, "poll_id": poll["id"], "option_id": second})["ok"]
    assert bo.call("poll_vote", {"room_id": room.id, "poll_id": poll["id"], "option_id": second})["ok"]
    live = fac.received("poll")[-1]["args"]
    assert [o["votes"] for o in live["options"]] == [0, 2, 0] and live["total"] == 2
    assert count(db, ChatPollVote) == 2
    assert anna.call("poll_close", {"room_id": room.id, "poll_id": poll["id"]})["code"] == "forbidden"
    assert fac.call("poll_close", {"room_id": room.id, "poll_id": poll["id"]})["ok"]
    late = bo.call("poll_vote", {"room_id": room.id, "poll_id": poll["id"], "option_id": first})
    assert late["code"] == "closed"


@pytest.mark.parametrize("options", [[], ["bara en"], "inte en lista", [1, 2], ["x"] * 11,
                                     ["ok", "y" * 201]])
def test_bad_polls_are_refused(chat, people, room, db, options):
    fac = chat(people["fac"])
    fac.join(room)
    answer = fac.call("poll_create", {"room_id": room.id, "question": "Fråga?", "options": options})
    assert answer["ok"] is False
    assert services.current_poll(room) is None


def test_votes_for_options_of_another_poll_are_refused(chat, people, room, db):
    fac, anna = chat(people["fac"]), chat(people["anna"])
    fac.join(room)
    anna.join(room)
    fac.call("poll_create", {"room_id": room.id, "question": "Första?", "options": ["a", "b"]})
    old = services.current_poll(room)
    fac.call("poll_create", {"room_id": room.id, "question": "Andra?", "options": ["c", "d"]})
    new = services.current_poll(room)
    answer = anna.call("poll_vote", {"room_id": room.id, "poll_id": new.id,
                                     "option_id": old.options[0].id})
    assert answer["code"] == "invalid"
    assert count(db, ChatPollVote) == 0


def test_raised_hands_are_shared_and_facilitators_lower_them(chat, people, room, db):
    fac, anna = chat(people["fac"]), chat(people["anna"])
    fac.join(room)
    anna.join(room)
    assert anna.call("hand", {"room_id": room.id, "raised": True})["ok"]
    assert [h["name"] for h in fac.received("hands")[-1]["args"]["hands"]] == ["Anna Andersson"]
    assert anna.call("hand", {"room_id": room.id, "raised": "ja"})["code"] == "invalid"
    assert anna.call("hand_lower", {"room_id": room.id, "user_id": people["fac"].id})["code"] == "forbidden"
    assert fac.call("hand_lower", {"room_id": room.id, "user_id": people["anna"].id})["ok"]
    assert anna.received("hands")[-1]["args"]["hands"] == []
    assert count(db, ChatRaisedHand) == 0


def test_a_closed_room_can_be_read_but_not_written_in(chat, people, room, db):
    fac, anna = chat(people["fac"]), chat(people["anna"])
    fac.join(room)
    anna.join(room)
    services.set_room_status(people["fac"], room, RoomStatus.CLOSED)
    db.session.commit()
    assert anna.received("room_status")[-1]["args"] == {"room_id": room.id, "status": "closed"}
    answer = anna.send(room, "Hallå?")
    assert answer["code"] == "forbidden"
    assert answer["message"] == "Rummet är stängt. Du kan läsa men inte skriva."
    assert anna.call("hand", {"room_id": room.id, "raised": True})["code"] == "forbidden"
    assert fac.call("pin", {"room_id": room.id, "text": "x"})["code"] == "forbidden"
    later = chat(people["bo"]).join(room)
    assert later["ok"] is True and later["room"]["status"] == "closed"
    assert count(db) == 0


@pytest.mark.parametrize(("event", "payload"), [
    ("history", {"before_id": 10}), ("catch_up", {"after_id": 0}), ("send", {"body": "x"}),
    ("remove", {"message_id": 1}), ("pin", {"text": "x"}),
    ("poll_create", {"question": "q", "options": ["a", "b"]}),
    ("poll_vote", {"poll_id": 1, "option_id": 1}), ("poll_close", {"poll_id": 1}),
    ("hand", {"raised": True}), ("hand_lower", {"user_id": 1}), ("presence_ping", {}),
    ("leave", {}),
])
def test_every_event_refuses_people_outside_the_room(chat, people, room, db, event, payload):
    outsider = chat(people["outsider"])
    payload = {"room_id": room.id, "client_uuid": str(uuid.uuid4()), **payload}
    answer = outsider.call(event, payload)
    assert answer["ok"] is False and answer["code"] == "not_found"
    assert count(db) == 0


@pytest.mark.parametrize(("event", "payload"), [
    ("remove", {"message_id": 1}), ("pin", {"text": "x"}),
    ("poll_create", {"question": "q", "options": ["a", "b"]}), ("poll_close", {"poll_id": 1}),
    ("hand_lower", {"user_id": 1}),
])
def test_facilitator_events_refuse_ordinary_members(chat, people, room, event, payload):
    anna = chat(people["anna"])
    anna.join(room)
    answer = anna.call(event, {"room_id": room.id, **payload})
    assert answer["code"] == "forbidden"
    assert answer["message"] == "Bara samtalsledaren kan göra det."


def test_errors_come_in_the_users_language(chat, people, room, db):
    people["anna"].locale = "en"
    db.session.commit()
    anna = chat(people["anna"])
    answer = anna.call("join", {"room_id": 999999})
    assert answer["message"] == "The room does not exist or you do not have access to it."


def test_with_the_session_store_away_events_get_a_clear_answer_and_store_nothing(
        chat, people, room, db, monkeypatch):
    from network import cache
    from network.accounts import sessions

    anna = chat(people["anna"])
    anna.join(room)

    def away(*_args):
        raise sessions.SessionStoreUnavailable()

    monkeypatch.setattr(sessions.store(), "lookup", away)
    # The store of sessions away is Redis away, and the generations live there too: no process
    # can tell that a session it knows is still live (network/accounts/sessions.py).
    monkeypatch.setattr(cache.cache().generation, "scope_values", lambda _names: None)
    answer = anna.send(room, "Hej")
    assert answer["ok"] is False and answer["code"] == "unavailable"
    assert "tillfälligt otillgänglig" in answer["message"]
    assert not chat(people["bo"]).connected  # whose cookie it is cannot be checked: refused
    monkeypatch.undo()
    assert count(db) == 0
    assert anna.send(room, "Hej")["ok"] is True  # back: the same socket goes on
