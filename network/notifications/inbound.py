"""Mail that arrives at the network's address: parsed once, then handed to the features.

Features register a handler with ``register_inbound_handler`` (events reads calendar replies);
this module knows none of them. Mail arrives either piped to ``flask mail-inbound`` by the mail
server (one RFC 822 message on stdin) or fetched over IMAP by ``flask mail-poll-imap``.
"""

from __future__ import annotations

import email
import imaplib
import logging
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default

from flask import Flask, current_app

log = logging.getLogger(__name__)

# (message) -> how many things it changed; handlers log and ignore what is not for them.
InboundHandler = Callable[[EmailMessage], int]
MAX_BYTES = 5 * 1024 * 1024


def register_inbound_handler(app: Flask, handler: InboundHandler) -> None:
    app.extensions.setdefault("mail_inbound_handlers", []).append(handler)


def replies_enabled() -> bool:
    """Whether mail sent to the network's address is read (by a pipe or by IMAP)."""
    return current_app.config["MAIL_INBOUND"] in ("pipe", "imap")


def receive(raw: bytes) -> int:
    """Give one message to every handler; returns how many changes they made. Never raises on
    bad mail: a message that cannot be read is logged and dropped."""
    if len(raw) > MAX_BYTES:
        log.warning("Inbound mail ignored: %s bytes is over the limit", len(raw))
        return 0
    try:
        message = email.message_from_bytes(raw, policy=default)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is dropped with a log line
        log.warning("Inbound mail ignored: unreadable (%s)", exc)
        return 0
    changed = 0
    for handler in current_app.extensions.get("mail_inbound_handlers", []):
        changed += handler(message)
    return changed


def _connect(host: str, port: int, security: str, timeout: int) -> imaplib.IMAP4:
    """``ssl``: TLS from the start (port 993); ``starttls``: upgraded; ``none``: only for a
    mailbox on the same machine."""
    if security == "ssl":
        return imaplib.IMAP4_SSL(host, port, timeout=timeout)
    imap = imaplib.IMAP4(host, port, timeout=timeout)
    if security == "starttls":
        imap.starttls()
    elif security != "none":
        imap.logout()
        raise RuntimeError(f"MAIL_IMAP_SECURITY must be ssl, starttls or none, not {security!r}")
    return imap


def poll_imap(commit: Callable[[], None]) -> int:
    """Read unseen messages from the configured IMAP folder, hand each to ``receive``, commit,
    then mark it seen (a crash before that reads it again; handlers are idempotent)."""
    config = current_app.config
    host = config["MAIL_IMAP_HOST"]
    if not host:
        raise RuntimeError("MAIL_IMAP_HOST is not set")
    handled = 0
    imap = _connect(host, config["MAIL_IMAP_PORT"], config["MAIL_IMAP_SECURITY"], config["SMTP_TIMEOUT"])
    with imap:
        imap.login(config["MAIL_IMAP_USER"] or "", config["MAIL_IMAP_PASSWORD"] or "")
        imap.select(config["MAIL_IMAP_FOLDER"])
        _status, found = imap.uid("search", None, "UNSEEN")
        for uid in (found[0] or b"").split():
            _status, data = imap.uid("fetch", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
            receive(raw)
            commit()
            imap.uid("store", uid, "+FLAGS", "(\\Seen)")
            handled += 1
    return handled
