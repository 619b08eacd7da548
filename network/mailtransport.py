"""Mail transports. The outbox hands finished ``EmailMessage`` objects to one of these."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

log = logging.getLogger(__name__)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleTransport:
    """Default for laptops: the message is written to the log instead of being sent.

    The plain-text part is decoded (no quoted-printable soft breaks), so a reset or invitation
    link in the log can be copied whole; attachments are named, not dumped.
    """

    def send(self, message: EmailMessage) -> None:
        log.info("%s", readable(message))


def readable(message: EmailMessage) -> str:
    body = message.get_body(("plain", "html"))
    text = body.get_content() if body is not None else ""
    lines = [f"E-post till {message['To']}: {message['Subject']}", "", text.rstrip("\n")]
    for part in message.iter_attachments():
        lines.append(f"[bilaga: {part.get_filename()} ({part.get_content_type()})]")
    return "\n".join(lines)


class DiscardingTransport:
    """Wraps a transport: mail to MAIL_DISCARD_DOMAINS (a trial's demo people) is only logged."""

    def __init__(self, inner: Transport, domains: list[str]) -> None:
        self.inner, self.domains = inner, {d.lower() for d in domains}

    def discards(self, address: str) -> bool:
        domain = address.rpartition("@")[2].strip().strip(">").lower()
        return any(domain == d or domain.endswith("." + d) for d in self.domains)

    def send(self, message: EmailMessage) -> None:
        if self.discards(str(message["To"])):
            log.info("E-post till %s kastad (MAIL_DISCARD_DOMAINS): %s",
                     message["To"], message["Subject"])
            return
        self.inner.send(message)


class MemoryTransport:
    """Keeps messages in a list; for tests that do not need a real SMTP server."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class SMTPTransport:
    def __init__(self, host: str, port: int, *, user: str | None, password: str | None,
                 starttls: bool, timeout: int) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def transport_from_config(config: dict) -> Transport:
    transport = _base_transport(config)
    domains = config.get("MAIL_DISCARD_DOMAINS") or []
    return DiscardingTransport(transport, domains) if domains else transport


def _base_transport(config: dict) -> Transport:
    kind = config.get("MAIL_TRANSPORT", "console")
    if kind == "smtp":
        return SMTPTransport(
            config["SMTP_HOST"], config["SMTP_PORT"], user=config.get("SMTP_USER"),
            password=config.get("SMTP_PASSWORD"), starttls=config.get("SMTP_STARTTLS", False),
            timeout=config.get("SMTP_TIMEOUT", 10),
        )
    if kind == "memory":
        return MemoryTransport()
    return ConsoleTransport()
