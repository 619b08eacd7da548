from __future__ import annotations

import click
from flask import Flask

DIGEST_JOB = "notifications.digests"


def init_app(app: Flask) -> None:
    from network import jobs
    from network.notifications.services import send_daily_digests

    jobs.register(app, DIGEST_JOB, lambda: send_daily_digests())
    @app.cli.command("send-digests")
    def send_digests() -> None:
        """Queue the daily notification digests (run once a day; safe to run twice)."""
        from network import jobs
        from network.extensions import db
        from network.notifications.services import send_daily_digests

        if jobs.queue_instead(DIGEST_JOB):
            click.echo("Lagt i jobbkön.")
            return
        count = send_daily_digests()
        db.session.commit()
        click.echo(f"{count} sammanfattningar köade.")

    @app.cli.command("mail-inbound")
    def mail_inbound() -> None:
        """Read one email (RFC 822) on stdin and act on it: the mail server pipes mail sent to the
        network's address here (e.g. a calendar program's reply declining an invitation)."""
        import sys

        from network.extensions import db
        from network.notifications.inbound import receive

        changed = receive(sys.stdin.buffer.read())
        db.session.commit()
        click.echo(f"{changed} ändringar.")

    @app.cli.command("mail-poll-imap")
    def mail_poll_imap() -> None:
        """Fetch unseen mail from the IMAP mailbox in MAIL_IMAP_* and act on it (run every minute)."""
        from network.extensions import db
        from network.notifications.inbound import poll_imap

        click.echo(f"{poll_imap(db.session.commit)} meddelanden lästa.")
