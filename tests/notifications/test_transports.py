"""The console transport writes readable mail; MAIL_DISCARD_DOMAINS drops mail to a domain."""

from __future__ import annotations

import logging

from network.mailtransport import (
    ConsoleTransport,
    DiscardingTransport,
    MemoryTransport,
    transport_from_config,
)
from network.outbox import OutboxEmail, build_message

LINK = "https://natverket.example.se/aterstall-losenord/" + "x" * 90


def _message(to="anna@kommun.se"):
    row = OutboxEmail(id=7, to_addr=to, subject="Återställ ditt lösenord",
                      body_text=f"Hej Åsa!\n\nÖppna länken:\n{LINK}\n", body_html="<p>Hej</p>",
                      attachments=[])
    return build_message(row, "natverket@example.se")


def test_console_mail_is_decoded_with_links_whole(caplog):
    with caplog.at_level(logging.INFO, logger="network.mailtransport"):
        ConsoleTransport().send(_message())
    text = caplog.text
    assert "Återställ ditt lösenord" in text and "Hej Åsa!" in text
    assert LINK in text  # no quoted-printable soft line breaks
    assert "=\n" not in text and "=C3" not in text


def test_discard_domains_drop_mail_to_the_domain_and_its_subdomains():
    inner = MemoryTransport()
    transport = DiscardingTransport(inner, ["example.se"])
    for address in ("karin@bra.example.se", "per@example.se", "anna@kommun.se",
                    "eva@notexample.se"):
        transport.send(_message(address))
    assert [str(m["To"]) for m in inner.sent] == ["anna@kommun.se", "eva@notexample.se"]


def test_discarding_wraps_the_configured_transport_only_when_asked():
    assert isinstance(transport_from_config({"MAIL_TRANSPORT": "memory"}), MemoryTransport)
    wrapped = transport_from_config({"MAIL_TRANSPORT": "memory", "MAIL_DISCARD_DOMAINS": ["x.se"]})
    assert isinstance(wrapped, DiscardingTransport)
