"""Webhooks: public changes pushed to endpoints an admin registered, signed and retried.

What happens is noticed at the database boundary (``listen``): a flush remembers which public
resources, events and experience reports were created, changed, cancelled or published; the
commit then queues one delivery per subscribed endpoint, with the API's own public JSON of the
object. Only public objects are ever sent: the endpoints are outside the network, so they get what
a visitor may see, never more. ``deliver_due`` (the ``flask api-deliver-webhooks`` job, every
minute) POSTs each due delivery, signed with HMAC-SHA256, and retries failures with exponential
back-off until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from network import jobs
from network.api.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from network.db import utcnow
from network.extensions import db
from network.i18n import lazy_gettext as _l
from network.permissions import Visibility, check_access

MAX_ATTEMPTS = 8
DELIVER_JOB = "api.deliver_webhooks"
_PENDING = "api_webhook_events"


class WebhookError(ValueError):
    """A webhook request that cannot be carried out; the message is for the admin."""


# -- registering -------------------------------------------------------------------------------


def create_webhook(actor: Any, *, url: str, events: Iterable[str]) -> Webhook:
    check_access("api.manage_webhooks", actor)
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if current_app.config["WEBHOOK_ALLOW_HTTP"] else ("https",)
    if parts.scheme not in allowed or not parts.hostname or len(url) > 500:
        raise WebhookError(_l("Adressen måste börja med https:// och ha ett värdnamn."))
    chosen = [e.value for e in WebhookEvent if e.value in set(events)]
    if not chosen:
        raise WebhookError(_l("Välj minst en händelse."))
    hook = Webhook(url=url, events=" ".join(chosen), secret=secrets.token_hex(32),
                   created_by_id=actor.id)
    db.session.add(hook)
    db.session.flush()
    return hook


def deactivate_webhook(actor: Any, hook: Webhook) -> None:
    check_access("api.manage_webhooks", actor)
    hook.active = False
    db.session.flush()


def webhooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).order_by(Webhook.active.desc(), Webhook.id.desc())))


def recent_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(
        select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)))


# -- noticing public changes -------------------------------------------------------------------


def _changed(obj: Any, name: str) -> tuple[list, list]:
    history = inspect(obj).attrs[name].history
    return list(history.added or ()), list(history.deleted or ())


def _events_of(obj: Any, new: bool) -> list[str]:
    from network.events.models import Event, EventStatus
    from network.followup.models import ExperienceReport, ReportStatus
    from network.resources.models import Resource

    public = Visibility.PUBLIC.value
    if isinstance(obj, Resource):
        added, _deleted = _changed(obj, "effective_visibility")
        became = new or public in added
        return [WebhookEvent.RESOURCE_PUBLISHED] if obj.effective_visibility == public and became else []
    if isinstance(obj, Event):
        if obj.visibility != public:
            return []
        if new:
            return [WebhookEvent.EVENT_CREATED]
        added, _deleted = _changed(obj, "status")
        if EventStatus.CANCELLED.value in [str(a) for a in added]:
            return [WebhookEvent.EVENT_CANCELLED]
        return [WebhookEvent.EVENT_CHANGED]
    if isinstance(obj, ExperienceReport):
        added, _deleted = _changed(obj, "status")
        published = ReportStatus.PUBLISHED.value
        if obj.status == published and (new or published in [str(a) for a in added]):
            return [WebhookEvent.REPORT_PUBLISHED]
    return []


def _after_flush(session: Session, _context: Any) -> None:
    found = []
    for obj in session.new:
        found += [(name, type(obj).__name__, obj.id) for name in _events_of(obj, True)]
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            found += [(name, type(obj).__name__, obj.id) for name in _events_of(obj, False)]
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


RANK = {WebhookEvent.EVENT_CREATED: 0, WebhookEvent.EVENT_CANCELLED: 1, WebhookEvent.EVENT_CHANGED: 2}


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit flushes after this hook: see now what that flush would change
    found = session.info.pop(_PENDING, None)
    if not found or not has_app_context() or "network_api_webhooks" not in current_app.extensions:
        return
    # One delivery per object and commit: created outranks cancelled outranks changed.
    chosen: dict[tuple[str, int], str] = {}
    for name, kind, object_id in found:
        key = (kind, object_id)
        if key not in chosen or RANK.get(name, 0) < RANK.get(chosen[key], 0):
            chosen[key] = name
    hooks = [h for h in session.scalars(select(Webhook).where(Webhook.active.is_(True)))]
    if not hooks:
        return
    for (kind, object_id), name in chosen.items():
        payload = _payload(session, kind, object_id)
        if payload is None:
            continue
        body = json.dumps({"event": str(name), "sent_at": utcnow().isoformat(), "data": payload},
                          ensure_ascii=False, separators=(",", ":"))
        for hook in hooks:
            if str(name) in hook.event_set:
                session.add(WebhookDelivery(webhook_id=hook.id, event=str(name), payload=body))
                jobs.enqueue(DELIVER_JOB, _session=session)  # scaled: posted right after the commit


def _payload(session: Session, kind: str, object_id: int) -> dict | None:
    """The API's public JSON of the object, or None when a visitor may not see it (any more)."""
    from network.api.schemas import EventOut, ExperienceReportOut, ResourceOut
    from network.events.models import Event
    from network.followup.models import ExperienceReport, ReportStatus
    from network.resources.models import Resource

    model, schema = {"Resource": (Resource, ResourceOut), "Event": (Event, EventOut),
                     "ExperienceReport": (ExperienceReport, ExperienceReportOut)}[kind]
    obj = session.get(model, object_id)
    if obj is None:
        return None
    public = Visibility.PUBLIC.value
    visible = (obj.effective_visibility == public if model is Resource
               else obj.visibility == public if model is Event
               else obj.status == ReportStatus.PUBLISHED.value)
    return schema().dump(obj) if visible else None


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def listen(app: Any) -> None:
    app.extensions["network_api_webhooks"] = True
    # Without Redis, `flask api-deliver-webhooks` (every minute) is the only sender.
    jobs.register(app, DELIVER_JOB, lambda: deliver_due(), embedded=False)
    if not sa_event.contains(Session, "after_flush", _after_flush):
        sa_event.listen(Session, "after_flush", _after_flush)
        sa_event.listen(Session, "before_commit", _before_commit)
        sa_event.listen(Session, "after_rollback", _after_rollback)


# -- delivering --------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``timestamp.body``: the receiver recomputes it with the shared secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** (attempts - 1), 360))


def _post(hook: Webhook, delivery: WebhookDelivery, timeout: float) -> tuple[int | None, str]:
    body = delivery.payload.encode()
    timestamp = str(int(utcnow().timestamp()))
    # The scheme was checked when the admin registered the URL (https, or http when allowed).
    request = urllib.request.Request(hook.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json", "User-Agent": "network-webhooks/1",
        "X-Network-Event": delivery.event, "X-Network-Delivery": str(delivery.id),
        "X-Network-Timestamp": timestamp, "X-Network-Signature": signature(hook.secret, timestamp, body)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return None, type(error).__name__ + ": " + str(getattr(error, "reason", error))[:200]


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """POST every due delivery once; returns counts of delivered, retrying and failed."""
    now = now or utcnow()
    timeout = current_app.config["WEBHOOK_TIMEOUT"]
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    due = list(db.session.scalars(
        select(WebhookDelivery).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING.value,
               WebhookDelivery.next_attempt_at <= now, Webhook.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
    for delivery in due:
        status, error = _post(delivery.webhook, delivery, timeout)
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = status, error
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED.value, utcnow()
            counts["delivered"] += 1
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED.value
            counts["failed"] += 1
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            counts["retrying"] += 1
        db.session.commit()  # each attempt is recorded even if a later one hangs
    return counts
