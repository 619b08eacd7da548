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
    """Default for laptops: the message is written to the log instead of being sent."""

    def send(self, message: EmailMessage) -> None:
        log.info("E-post till %s: %s\n%s", message["To"], message["Subject"], message.get_body())


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
