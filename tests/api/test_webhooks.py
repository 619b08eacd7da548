"""Webhooks: public changes reach registered endpoints, signed; failures are retried with back-off;
closed-group content is never sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from network.api import webhooks
from network.api.models import DeliveryStatus, Webhook, WebhookDelivery
from network.permissions import AccessDenied
from tests.api.conftest import SECRET, _event, _resource


@pytest.fixture
def app_config(app_config):
    app_config["WEBHOOK_ALLOW_HTTP"] = True
    app_config["WEBHOOK_TIMEOUT"] = 1
    return app_config


class Receiver:
    """A local endpoint answering ``status`` (or hanging past the timeout); keeps what it got."""

    def __init__(self) -> None:
        self.status, self.hang, self.received = 200, False, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                if receiver.hang:
                    threading.Event().wait(2.5)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def hook(world, receiver, db):
    found = webhooks.create_webhook(world.admin, url=receiver.url, events=[
        "resource.published", "event.created", "event.changed", "event.cancelled"])
    db.session.commit()
    return found


def deliveries(db):
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_new_public_resource_is_delivered_signed(world, hook, receiver, db):
    resource = _resource(world.admin, "Ny öppen rapport", "public")
    db.session.commit()
    assert webhooks.deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0}
    [(headers, body)] = receiver.received
    expected = "sha256=" + hmac.new(hook.secret.encode(), headers["X-Network-Timestamp"].encode() + b"."
                                    + body, hashlib.sha256).hexdigest()
    assert headers["X-Network-Signature"] == expected
    payload = json.loads(body)
    assert payload["event"] == "resource.published" and payload["data"]["id"] == resource.id
    assert deliveries(db)[0].status == DeliveryStatus.DELIVERED


def test_closed_group_and_members_content_is_never_sent(world, hook, receiver, db):
    _resource(world.insider, f"Hemligt {SECRET}", "group", world.closed_group)
    _resource(world.admin, "Bara medlemmar", "members")
    _event(world.facilitator, world.closed_group, f"Slutet {SECRET}", "group")
    db.session.commit()
    assert deliveries(db) == []
    webhooks.deliver_due()
    assert receiver.received == []


def test_event_created_changed_and_cancelled(world, hook, db):
    from network.events import services as events

    event = _event(world.facilitator, world.open_group, "Öppet seminarium", "public")
    db.session.commit()
    event.title = "Öppet seminarium (ny lokal)"
    db.session.commit()
    events.cancel_event(world.facilitator, event)
    db.session.commit()
    assert [d.event for d in deliveries(db)] == ["event.created", "event.changed", "event.cancelled"]


def test_failures_are_retried_with_back_off_and_then_given_up(world, hook, receiver, db):
    receiver.status = 500
    _resource(world.admin, "Öppen", "public")
    db.session.commit()
    now = dt.datetime.now(dt.UTC)
    assert webhooks.deliver_due(now=now)["retrying"] == 1
    [delivery] = deliveries(db)
    assert (delivery.attempts, delivery.last_status) == (1, 500)
    assert delivery.next_attempt_at > now
    assert webhooks.deliver_due(now=now) == {"delivered": 0, "retrying": 0, "failed": 0}  # not due yet
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        now += dt.timedelta(hours=7)
        webhooks.deliver_due(now=now)
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == webhooks.MAX_ATTEMPTS


def test_an_endpoint_that_times_out_is_retried(world, hook, receiver, db):
    receiver.hang = True
    _resource(world.admin, "Öppen", "public")
    db.session.commit()
    assert webhooks.deliver_due()["retrying"] == 1
    [delivery] = deliveries(db)
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status is None
    assert "timed out" in delivery.last_error.lower() or "timeout" in delivery.last_error.lower()


def test_only_admins_register_and_only_https(world, db, app, login):
    with pytest.raises(AccessDenied):
        webhooks.create_webhook(world.outsider, url="https://example.org/hook", events=["event.created"])
    app.config["WEBHOOK_ALLOW_HTTP"] = False
    with pytest.raises(webhooks.WebhookError):
        webhooks.create_webhook(world.admin, url="http://example.org/hook", events=["event.created"])
    page = login(world.admin).post("/api/webhooks", data={"url": "ftp://x", "events": ["event.created"]})
    assert page.status_code == 200 and db.session.scalar(select(func.count()).select_from(Webhook)) == 0
    assert login(world.outsider).get("/api/webhooks").status_code == 403


def test_the_admin_page_registers_and_lists_deliveries(world, db, login, receiver):
    admin = login(world.admin)
    page = admin.post("/api/webhooks", data={"url": "https://example.org/hook",
                                             "events": ["resource.published"]})
    assert page.status_code == 200 and "example.org/hook" in page.get_data(as_text=True)
    _resource(world.admin, "Öppen", "public")
    db.session.commit()
    assert "Väntar" in admin.get("/api/webhooks").get_data(as_text=True)


def test_an_experience_report_is_delivered_when_published_and_never_as_a_draft(
        world, receiver, db, make):
    """Written, submitted and approved: nothing leaves. Published by someone else: one delivery with
    the public JSON the API shows visitors."""
    from network.followup import review
    from network.followup import services as followup
    from tests.followup.conftest import build_world

    webhooks.create_webhook(world.admin, url=receiver.url, events=["experience_report.published"])
    db.session.commit()
    local = build_world(make, db)
    report = followup.create_report_from_measure(local.member, local.measure)
    report.title = "Trygghetsvandringar som fungerade"
    db.session.commit()
    review.submit_report(local.member, report)
    db.session.commit()
    review.approve_report(local.facilitator, report)
    db.session.commit()
    assert deliveries(db) == []
    review.publish_report(local.facilitator, report)
    db.session.commit()
    assert webhooks.deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0}
    [(_headers, body)] = receiver.received
    payload = json.loads(body)
    assert payload["event"] == "experience_report.published"
    assert payload["data"]["id"] == report.id
    assert payload["data"]["title"] == "Trygghetsvandringar som fungerade"
