"""An invitation through a real SMTP server on loopback, read back as a mail program would."""

from __future__ import annotations

import pytest

from bench.harness import free_port
from network.events import registrations, services
from network.outbox import deliver_outbox
from tests.events.itip import read
from tests.notifications.smtp import SMTPServer


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    app_config.update(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port, SMTP_TIMEOUT=5,
                      MAIL_FROM="Nätverket <natverket@example.se>", MAIL_INBOUND="pipe")
    return app_config


@pytest.fixture
def smtp(smtp_port):
    server = SMTPServer(smtp_port).start()
    yield server
    server.stop()


def test_the_invitation_arrives_as_a_calendar_alternative_in_utf8_with_folded_lines(
        app, smtp, make_event, group, organiser, make, db):
    long_place = "Rådhuset, Stora sessionssalen på plan 3, ingång från Östra Ågatan – följ skyltarna"
    event = make_event(group, organiser, title="Workshop: trygghetsvandring i Årsta", place=long_place,
                       agenda=[services.AgendaLine("09:00", "Välkommen och genomgång av kartan", "Åsa")])
    person = make.user(name="Örjan Ängström")
    registrations.register(person, event)
    db.session.commit()
    assert deliver_outbox()[1] == 0

    [message] = [m for m in smtp.inbox.messages if m["To"] == person.email]
    assert message.get_content_type() == "multipart/alternative"
    plain, html, calendar = message.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST" and calendar.get_content_charset() == "utf-8"
    data = calendar.get_payload(decode=True)
    text = data.decode("utf-8")
    assert long_place not in text  # too long for one line: folded ...
    lines = data.split(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends, as RFC 5545 writes them
    assert all(len(line) <= 75 for line in lines) and any(line.startswith(b" ") for line in lines)
    found = read(data)  # ... and unfolded again by both parsers
    assert found["location"] == long_place and found["method"] == "REQUEST"
    assert found["organizer"] == "mailto:natverket@example.se"
    assert "Tacka nej i din kalender" in plain.get_content()  # replies are read (MAIL_INBOUND=pipe)
    assert found["vevent"]["ATTENDEE"].params["RSVP"] == "TRUE"
