"""Notification emails rendered from templates in the recipient's language.

The bodies live in ``templates/email/`` (plain text and HTML, like every email the platform
sends should); ``force_locale`` renders them in the language the recipient chose, whoever's
request or command happens to send them.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale

from network.accounts.models import User
from network.i18n import ngettext
from network.notifications.models import Notification


def recipient_locale(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _render(name: str, **context) -> tuple[str, str]:
    """Both bodies, without the page context processors: mail is made outside any request too."""
    env = current_app.jinja_env
    context.update(base=current_app.config["PUBLIC_BASE_URL"],
                   network_name=current_app.config["NETWORK_NAME"])
    return (env.get_template(f"email/{name}.txt").render(context),
            env.get_template(f"email/{name}.html").render(context))


def notification_email(user: User, row: Notification) -> tuple[str, str, str]:
    """(subject, text, html) of one notification sent at once."""
    with force_locale(recipient_locale(user)):
        text, html = _render("notification", user=user, notification=row,
                             lang=recipient_locale(user))
    return row.title, text, html


def digest_email(user: User, rows: Sequence[Notification]) -> tuple[str, str, str]:
    """(subject, text, html) of the daily summary of ``rows``."""
    with force_locale(recipient_locale(user)):
        subject = ngettext("Sammanfattning: %(num)d ny händelse",
                           "Sammanfattning: %(num)d nya händelser", len(rows))
        text, html = _render("digest", user=user, notifications=rows, lang=recipient_locale(user))
    return subject, text, html
