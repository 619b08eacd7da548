"""``flask send-mail`` and ``flask send-digests``: what cron or a systemd timer runs."""

from network.accounts.models import GroupVisibility
from network.accounts.services import remove_member
from network.extensions import db
from network.notifications.services import notify
from network.outbox import OutboxEmail, queue_email


def test_send_mail_sends_what_is_queued_and_says_so(app, runner, mail):
    queue_email("anna@example.se", "Hej", "Text\n")
    queue_email("bertil@example.se", "Hej", "Text\n")
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "2 skickade, 0 misslyckade." in result.output
    assert sorted(m["To"] for m in mail.sent) == ["anna@example.se", "bertil@example.se"]
    # Nothing is sent twice.
    assert "0 skickade" in runner.invoke(args=["send-mail"]).output


def test_daily_digest_is_queued_once_even_when_the_command_runs_twice(app, runner, make, mail,
                                                                      group_subjects):
    daily = make.user(email="daglig@example.se")
    daily.email_notifications = "daily"
    hidden_group = make.group(visibility=GroupVisibility.CLOSED, members=[daily])
    notify(daily, "forum.post", "Nytt svar i Grovt våld", url="/forum/1")
    notify(daily, "event.new", "Ny träff i Malmö", url="/traffar/2")
    notify(daily, "forum.post", "Hemligt", subject_type=group_subjects, subject_id=hidden_group.id)
    remove_member(None, hidden_group, daily)
    immediate = make.user(email="direkt@example.se")
    notify(immediate, "forum.post", "Direkt till inkorgen", url="/forum/3")
    db.session.commit()
    queued_before = db.session.query(OutboxEmail).count()  # the immediate one

    first = runner.invoke(args=["send-digests"])
    second = runner.invoke(args=["send-digests"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "1 sammanfattningar köade." in first.output
    assert "0 sammanfattningar köade." in second.output
    assert db.session.query(OutboxEmail).count() == queued_before + 1

    runner.invoke(args=["send-mail"])
    [digest] = [m for m in mail.sent if m["To"] == "daglig@example.se"]
    body = digest.get_body(("plain",)).get_content()
    assert "Nytt svar i Grovt våld" in body and "http://localhost/forum/1" in body
    assert "Ny träff i Malmö" in body
    assert "Hemligt" not in body
