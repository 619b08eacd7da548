"""Mail leaves through a real SMTP server, and a failing server loses nothing."""

import datetime as dt

import pytest

from bench.harness import free_port
from network.db import utcnow
from network.extensions import db
from network.outbox import MAX_ATTEMPTS, OutboxEmail, deliver_outbox, queue_email
from tests.notifications.smtp import SMTPServer


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    app_config.update(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port,
                      SMTP_TIMEOUT=5, MAIL_FROM="natverket@example.se")
    return app_config


@pytest.fixture
def smtp(smtp_port):
    server = SMTPServer(smtp_port).start()
    yield server
    server.stop()


def test_queued_mail_arrives_with_subject_body_and_attachment(app, smtp):
    queue_email("anna@example.se", "Inbjudan: Nätverksträff i Örebro", "Välkommen på träff!\n",
                body_html="<p>Välkommen på träff!</p>",
                attachments=[("traff.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")])
    db.session.commit()

    assert deliver_outbox() == (1, 0)

    [(sender, recipients)] = smtp.inbox.envelopes
    assert sender == "natverket@example.se" and recipients == ["anna@example.se"]
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Inbjudan: Nätverksträff i Örebro"
    assert message["To"] == "anna@example.se"
    # On the wire lines end in CRLF.
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Välkommen på träff!\n"
    assert "<p>Välkommen på träff!</p>" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "traff.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    row = db.session.scalars(db.select(OutboxEmail)).one()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


def test_failing_server_keeps_the_message_and_a_later_delivery_succeeds(app, smtp_port):
    queue_email("anna@example.se", "Påminnelse", "Glöm inte mötet.\n")
    db.session.commit()
    start = utcnow()

    # Nothing listens on the port: the message stays in the outbox with a back-off.
    assert deliver_outbox(now=start) == (0, 1)
    row = db.session.scalars(db.select(OutboxEmail)).one()
    assert row.sent_at is None and row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    first_retry = row.next_attempt_at
    assert first_retry > start

    # Not due yet: a run a moment later does not hammer the server.
    assert deliver_outbox(now=start + dt.timedelta(seconds=30)) == (0, 0)

    # Still down at the next attempt: the wait grows.
    assert deliver_outbox(now=first_retry) == (0, 1)
    db.session.refresh(row)
    assert row.attempts == 2
    assert row.next_attempt_at - first_retry > first_retry - start

    # The server comes back: the very same message goes out, once.
    server = SMTPServer(smtp_port).start()
    try:
        assert deliver_outbox(now=row.next_attempt_at) == (1, 0)
        assert deliver_outbox(now=row.next_attempt_at + dt.timedelta(days=1)) == (0, 0)
    finally:
        server.stop()
    [message] = server.inbox.messages
    assert message["Subject"] == "Påminnelse"
    db.session.refresh(row)
    assert row.sent_at is not None and row.last_error == ""


def test_a_message_that_keeps_failing_stops_being_retried_but_stays(app):
    queue_email("anna@example.se", "Påminnelse", "Text\n")
    db.session.commit()
    now = utcnow()
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_outbox(now=now)
        now += dt.timedelta(days=30)
    row = db.session.scalars(db.select(OutboxEmail)).one()
    assert row.attempts == MAX_ATTEMPTS
    assert row.sent_at is None and row.last_error


def test_calendar_attachment_goes_out_as_utf8_text_with_its_method(app):
    from network.outbox import build_message

    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Träff i Örebro\r\nEND:VCALENDAR\r\n".encode()
    queue_email("anna@example.se", "Inbjudan", "Hej\n",
                attachments=[("traff.ics", "text/calendar; method=REQUEST", ics),
                             ("data.bin", "application/octet-stream", b"\xff\x00")])
    db.session.commit()
    message = build_message(db.session.scalars(db.select(OutboxEmail)).one(), "natverket@example.se")

    calendar, binary = list(message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_content_charset() == "utf-8" and calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "traff.ics"
    assert "SUMMARY:Träff i Örebro" in calendar.get_content()
    assert binary.get_content_type() == "application/octet-stream" and binary.get_content() == b"\xff\x00"
