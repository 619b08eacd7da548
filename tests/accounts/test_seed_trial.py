"""``flask seed-demo --trial``: demo data on a production-like installation, next to the
operator's own admin, and never a mail to the demo people."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench.harness import free_port
from network.accounts.models import User
from network.extensions import db
from network.outbox import OutboxEmail, deliver_outbox, queue_email
from tests.notifications.smtp import SMTPServer


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    # Not demo mode (that is development's); real SMTP as in production.
    app_config.update(DEMO_MODE=False, MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1",
                      SMTP_PORT=smtp_port, SMTP_TIMEOUT=5, MAIL_DISCARD_DOMAINS=["example.se"])
    return app_config


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_trial_seeds_next_to_the_admin_and_queues_no_mail_to_demo_people(app, runner, smtp_port):
    made = runner.invoke(args=["create-admin", "--email", "chef@kommun.se", "--name", "Chef",
                               "--password", "ett-langt-losenord"])
    assert made.exit_code == 0, made.output

    result = runner.invoke(args=["seed-demo", "--trial"])
    assert result.exit_code == 0, result.output
    assert _users() == 21
    demo = [u.email for u in db.session.scalars(select(User)) if u.email != "chef@kommun.se"]
    assert not db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                 .where(OutboxEmail.to_addr.in_(demo)))

    # During the trial: mail to a demo person is dropped, the admin's goes out.
    queue_email(demo[0], "Till en demoperson", "Text\n")
    queue_email("chef@kommun.se", "Till administratören", "Text\n")
    db.session.commit()
    server = SMTPServer(smtp_port).start()
    try:
        deliver_outbox()
    finally:
        server.stop()
    assert [m["Subject"] for m in server.inbox.messages] == ["Till administratören"]

    again = runner.invoke(args=["seed-demo", "--trial"])
    assert again.exit_code != 0 and "Demodata finns redan" in again.output


def test_trial_refuses_while_mail_to_the_demo_domain_would_be_sent(app, runner):
    app.config["MAIL_DISCARD_DOMAINS"] = []
    result = runner.invoke(args=["seed-demo", "--trial"])
    assert result.exit_code != 0 and "MAIL_DISCARD_DOMAINS=example.se" in result.output
    assert _users() == 0


def test_without_trial_production_still_refuses(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "--trial" in result.output
    assert _users() == 0
