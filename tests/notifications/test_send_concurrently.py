"""Two ``flask send-mail`` runs at once against a real SMTP server: every message goes out once.

The runs are real processes on the test's database (SQLite file or PostgreSQL). The SMTP server
holds the first message it receives until a second one is being received at the same time, so
the two runs are provably sending side by side, not one after the other.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select, update

from bench.harness import free_port
from network.db import utcnow
from network.extensions import db
from network.outbox import OutboxEmail, queue_email
from tests.notifications.smtp import Inbox, SMTPServer

ROOT = Path(__file__).resolve().parents[2]
COUNT = 200


class OverlappingInbox(Inbox):
    """Keeps the first message waiting until another arrives alongside it."""

    def __init__(self) -> None:
        super().__init__()
        self.receiving = 0
        self.overlapped = False
        self.together: asyncio.Event | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.together is None:
            self.together = asyncio.Event()
        self.receiving += 1
        if self.receiving >= 2:
            self.overlapped = True
            self.together.set()
        try:
            await asyncio.wait_for(self.together.wait(), 120)
        except TimeoutError:
            pass  # the assertion on ``overlapped`` reports it
        finally:
            self.receiving -= 1
        return await super().handle_DATA(server, session, envelope)


def _env(app, tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_DEBUG")}
    env.update(
        NETWORK_ENV="development", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NETWORK_INSTANCE_DIR=str(tmp_path / "instance"), SECRET_KEY="s" * 48,
        STORAGE_DIR=str(tmp_path / "storage"), MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port), SMTP_TIMEOUT="5", MAIL_FROM="natverket@example.se",
    )
    return env


def _run_two_senders(env: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "flask", "--app", "network", "send-mail", "--limit", "1000"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        outputs.append(out.strip())
    return outputs


def _queue(count: int) -> None:
    for number in range(count):
        queue_email(f"person{number}@example.se", f"Meddelande {number}", f"Text {number}\n")
    db.session.commit()


def _rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def _sent_counts(outputs: list[str]) -> list[int]:
    return [int(out.split()[0]) for out in outputs]


def test_two_send_mail_runs_at_once_deliver_each_message_exactly_once(app, tmp_path):
    _queue(COUNT)
    server = SMTPServer()
    server.inbox = OverlappingInbox()
    server.start()
    try:
        outputs = _run_two_senders(_env(app, tmp_path, server.port))
    finally:
        server.stop()

    assert server.inbox.overlapped, "the two runs never sent at the same time"
    assert all(count > 0 for count in _sent_counts(outputs)), outputs
    assert sum(_sent_counts(outputs)) == COUNT
    subjects = Counter(message["Subject"] for message in server.inbox.messages)
    assert subjects == Counter(f"Meddelande {n}" for n in range(COUNT))
    rows = _rows()
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)


def test_smtp_down_for_a_while_loses_nothing_and_doubles_nothing(app, tmp_path):
    _queue(COUNT)
    port = free_port()
    env = _env(app, tmp_path, port)

    outputs = _run_two_senders(env)  # nothing listens on the port
    assert sum(_sent_counts(outputs)) == 0
    rows = _rows()
    assert all(row.sent_at is None and row.attempts == 1 and row.last_error for row in rows)

    # The back-off has passed (set the clock of the rows, not the test's).
    db.session.execute(update(OutboxEmail).values(next_attempt_at=utcnow()))
    db.session.commit()
    server = SMTPServer(port)
    server.inbox = OverlappingInbox()
    server.start()
    try:
        outputs = _run_two_senders(env)
    finally:
        server.stop()

    assert sum(_sent_counts(outputs)) == COUNT
    subjects = Counter(message["Subject"] for message in server.inbox.messages)
    assert subjects == Counter(f"Meddelande {n}" for n in range(COUNT))
    assert all(row.sent_at is not None and row.attempts == 2 and row.last_error == ""
               for row in _rows())
