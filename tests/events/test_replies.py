"""Declining an invitation in a calendar program cancels the registration; bad replies change nothing."""

from __future__ import annotations

import logging

import pytest

from network.events import registrations
from network.events.models import Invitation
from tests.events.itip import calendar_part, inbound, invitations_to, mail_with, reply


@pytest.fixture
def invited(make_event, group, organiser, make, mail, db):
    """A registered person and the invitation their calendar program received."""
    event = make_event(group, organiser, place="Stadshuset")
    person = make.user(email="Rita.Registrerad@example.se")
    registrations.register(person, event)
    db.session.commit()
    [message] = [m for m in mail.deliver() if m["To"] == person.email]
    return {"event": event, "person": person, "invitation": calendar_part(message).get_payload(decode=True)}


def _still_registered(invited, db) -> bool:
    db.session.expire_all()
    return registrations.registration_for(invited["person"], invited["event"]) is not None


def test_declining_in_the_calendar_cancels_the_registration_once(invited, runner, db, mail, caplog):
    raw = reply(invited["invitation"], sender="rita.registrerad@example.se")
    result = inbound(runner, raw)
    assert result.exit_code == 0 and "1 " in result.output
    assert not _still_registered(invited, db)
    # Their calendar removed the meeting already: no CANCEL comes back, but the record knows.
    assert invitations_to(mail.deliver(), invited["person"].email)[-1]["method"] == "REQUEST"
    row = db.session.scalars(db.select(Invitation)).one()
    assert row.method == "CANCEL"
    with caplog.at_level(logging.INFO):
        again = inbound(runner, raw)
    assert again.exit_code == 0 and "0 " in again.output
    assert "not registered" in caplog.text


def test_accepting_changes_nothing(invited, runner, db):
    inbound(runner, reply(invited["invitation"], sender=invited["person"].email, partstat="ACCEPTED"))
    assert _still_registered(invited, db)


@pytest.mark.parametrize("case, expected_log", [
    ("unknown uid", "unknown UID"),
    ("other host", "unknown UID"),
    ("missing event", "no event"),
    ("forged organizer", "ORGANIZER"),
    ("someone else", "not the sender"),
    ("registered attendee, other sender", "not the sender"),
    ("not registered", "not registered"),
    ("malformed", "unreadable"),
    ("not a reply", "not REPLY"),
])
def test_bad_replies_are_logged_and_change_nothing(invited, runner, db, make, caplog, case, expected_log):
    person, event, invitation = invited["person"], invited["event"], invited["invitation"]
    raw = {
        "unknown uid": lambda: reply(invitation, sender=person.email, uid="abc@localhost"),
        "other host": lambda: reply(invitation, sender=person.email, uid=f"event-{event.id}@evil.example"),
        "missing event": lambda: reply(invitation, sender=person.email, uid="event-99999@localhost"),
        "forged organizer": lambda: reply(invitation, sender=person.email, organizer="boss@evil.example"),
        "someone else": lambda: reply(invitation, sender="mallory@example.se", attendee=person.email),
        "registered attendee, other sender": lambda: reply(invitation, sender=person.email,
                                                           attendee="mallory@example.se"),
        "not registered": lambda: reply(invitation, sender=make.user(email="annan@example.se").email),
        "malformed": lambda: mail_with(person.email, b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                                                 b"DTSTART:inte-ett-datum\r\nEND:VCALENDAR\r\n"),
        "not a reply": lambda: reply(invitation, sender=person.email).replace(b"METHOD:REPLY",
                                                                            b"METHOD:COUNTER"),
    }[case]()
    db.session.commit()
    with caplog.at_level(logging.INFO):
        result = inbound(runner, raw)
    assert result.exit_code == 0 and "0 " in result.output
    assert expected_log in caplog.text
    assert _still_registered(invited, db)


def test_mail_that_is_not_a_calendar_reply_is_ignored(invited, runner, db):
    for raw in (b"", b"\x00\xff not mail at all", b"From: a@b.se\r\nSubject: hej\r\n\r\nhej\r\n"):
        result = inbound(runner, raw)
        assert result.exit_code == 0 and "0 " in result.output
    assert _still_registered(invited, db)


@pytest.fixture
def imap_server():
    """A real IMAP server (pymap, in-memory, with its demo account) on a loopback port."""
    import imaplib
    import subprocess
    import sys

    from bench.harness import free_port, listens, wait_until

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-c", "import sys; from pymap.main import main; sys.exit(main())",
         "--host", "127.0.0.1", "--port", str(port), "dict", "--demo-data"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_until(listens(port), process, timeout=10, interval=0.05):
            pytest.fail("pymap exited" if process.poll() is not None else "pymap did not listen")
        imap = imaplib.IMAP4("127.0.0.1", port)
        imap.login("demouser", "demopass")
        yield {"port": port, "imap": imap}
        imap.logout()
    finally:
        process.terminate()
        process.wait()


def test_a_decline_fetched_over_imap_cancels_the_registration(invited, imap_server, runner, app, db):
    imap = imap_server["imap"]
    imap.select("INBOX")
    imap.uid("store", "1:*", "+FLAGS", "(\\Seen)")  # the demo account's own mail is old news
    raw = reply(invited["invitation"], sender=invited["person"].email)
    assert imap.append("INBOX", None, None, raw)[0] == "OK"
    assert imap.append("INBOX", None, None, b"From: x@example.se\r\nSubject: Hej\r\n\r\nHej!\r\n")[0] == "OK"
    app.config.update(MAIL_INBOUND="imap", MAIL_IMAP_HOST="127.0.0.1", MAIL_IMAP_PORT=imap_server["port"],
                      MAIL_IMAP_USER="demouser", MAIL_IMAP_PASSWORD="demopass", MAIL_IMAP_SECURITY="none")
    result = runner.invoke(args=["mail-poll-imap"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 ")
    assert not _still_registered(invited, db)
    imap.select("INBOX")
    assert imap.uid("search", None, "UNSEEN")[1] == [b""]  # both handled and marked seen
    assert runner.invoke(args=["mail-poll-imap"]).output.startswith("0 ")
