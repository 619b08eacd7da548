"""Pieces every events module uses: the error shown to users, paths and the feed host."""

from __future__ import annotations

from flask import current_app

from network.events.models import (
    Event,
    EventSeries,
)
from network.events.timeutil import to_local

URL_PREFIX = "/evenemang"


class EventError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


def event_path(event: Event) -> str:
    return f"{URL_PREFIX}/{event.id}"


def series_path(series: EventSeries) -> str:
    return f"{URL_PREFIX}/serie/{series.id}"


def feed_host() -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def when_text(event: Event) -> str:
    """The start as people read it, in the current locale."""
    from network.dates import format_date, format_datetime

    if event.all_day:
        return format_date(to_local(event.start_at).date(), "full")
    return format_datetime(event.start_at, "full")  # "… kl. 14:00" / "… at 14:00"


def render_email(name: str, context: dict) -> str:
    """A mail template (``templates/email/``), without the page's context processors: mail is
    often written with no request (CLI, jobs). Call it inside the recipient's ``force_locale``."""
    return current_app.jinja_env.get_template(name).render(**context)
