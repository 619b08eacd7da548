"""Notification emails come from templates/email/ in the recipient's language (emails.py)."""

from network.extensions import db
from network.notifications.services import notify, send_daily_digests


def _parts(message):
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_the_daily_digest_is_in_english_for_an_english_reader(app, make, mail):
    reader = make.user(email="reader@example.se")
    reader.email_notifications, reader.locale = "daily", "en"
    notify(reader, "forum.post", "Nytt svar i Grovt våld", url="/forum/t/1")
    notify(reader, "event.changed", "Träffen är flyttad", url="/evenemang/2")
    db.session.commit()
    assert send_daily_digests() == 1
    db.session.commit()
    [message] = mail.deliver()
    assert message["Subject"] == "Summary: 2 new events"
    text, html = _parts(message)
    assert "This has happened since the last summary:" in text
    assert "Det här har hänt" not in text + html
    assert "http://localhost/forum/t/1" in text and 'href="http://localhost/evenemang/2"' in html
    assert '<html lang="en">' in html


def test_the_daily_digest_is_in_swedish_by_default(app, make, mail):
    reader = make.user(email="lasare@example.se")
    reader.email_notifications = "daily"
    notify(reader, "forum.post", "Nytt svar", url="/forum/t/1")
    db.session.commit()
    send_daily_digests()
    db.session.commit()
    [message] = mail.deliver()
    assert message["Subject"] == "Sammanfattning: 1 ny händelse"
    assert "Det här har hänt sedan förra sammanfattningen:" in _parts(message)[0]


def test_an_immediate_notification_has_text_and_html_with_the_link(app, make, mail):
    reader = make.user(email="direkt@example.se")
    reader.email_notifications = "immediately"
    notify(reader, "forum.reply", "Nytt svar på ditt inlägg", url="/forum/inlagg/7",
           body="Vi provade samma sak i Malmö <och> det fungerade.")
    db.session.commit()
    [message] = mail.deliver()
    text, html = _parts(message)
    assert message["Subject"] == "Nytt svar på ditt inlägg"
    assert "http://localhost/forum/inlagg/7" in text and "<och>" in text
    assert "&lt;och&gt;" in html and 'href="http://localhost/forum/inlagg/7"' in html


def test_never_means_no_email(app, make, mail):
    reader = make.user(email="aldrig@example.se")
    reader.email_notifications = "never"
    notify(reader, "forum.reply", "Nytt svar", url="/forum/inlagg/7")
    db.session.commit()
    assert send_daily_digests() == 0
    db.session.commit()
    assert mail.deliver() == []
