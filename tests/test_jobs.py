"""Background jobs (network/jobs.py): after the commit only, once, on Redis when scaled."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from flask import g
from rq import Queue
from rq.serializers import JSONSerializer

from network import create_app, jobs
from network.deploy.logs import RequestIdFilter
from network.extensions import db
from tests.conftest import namespaced


@pytest.fixture
def ran(app):
    """A job ``test.record`` that notes its payload and the request id it ran under."""
    calls: list[tuple[dict, str | None]] = []

    def record(**payload):
        calls.append((payload, g.get("request_id")))

    jobs.register(app, "test.record", record)
    return calls


def test_a_job_runs_after_the_commit_once_and_never_after_a_rollback(app, ran):
    jobs.enqueue("test.record", n=1)
    jobs.enqueue("test.record", n=1)  # the same job twice in one transaction runs once
    jobs.enqueue("test.record", n=2)
    assert ran == []
    db.session.commit()
    assert [payload for payload, _ in ran] == [{"n": 1}, {"n": 2}]

    jobs.enqueue("test.record", n=3)
    db.session.rollback()
    db.session.commit()
    assert len(ran) == 2


def test_a_savepoint_released_inside_a_transaction_does_not_send_its_jobs_early(app, ran, make):
    """SQLAlchemy reports a savepoint's release as a commit too; a forum post with attachments
    releases one after storing its files, whose text job must wait for the real commit."""
    make.user()  # a write: the transaction is open before the savepoint
    db.session.flush()
    jobs.enqueue("test.record", n=1)
    with db.session.begin_nested():
        make.user()
    assert ran == []
    db.session.commit()
    assert [payload for payload, _ in ran] == [{"n": 1}]


def test_unknown_jobs_and_payloads_json_cannot_carry_are_refused_at_once(app, ran):
    with pytest.raises(KeyError):
        jobs.enqueue("test.nothing", n=1)
    with pytest.raises(TypeError):
        jobs.enqueue("test.record", when=object())


def test_the_job_s_log_lines_carry_the_id_of_the_request_that_queued_it(app, ran):
    lines: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("network.test_jobs")
    logger.addHandler(handler)

    def noisy(**_payload):
        logger.warning("in the job")

    jobs.register(app, "test.noisy", noisy)

    def view():
        jobs.enqueue("test.noisy")
        db.session.commit()
        return "ok"

    app.add_url_rule("/test-jobs", "test_jobs", view)
    try:
        response = app.test_client().get("/test-jobs", headers={"X-Request-Id": "req-4711-abcdef"})
    finally:
        logger.removeHandler(handler)
    assert response.headers["X-Request-Id"] == "req-4711-abcdef"
    assert [(r.getMessage(), r.request_id) for r in lines] == [("in the job", "req-4711-abcdef")]


def test_a_job_whose_row_is_gone_is_logged_and_done(app, caplog):
    def gone(file_id):
        raise jobs.Gone(f"file {file_id} no longer exists")

    jobs.register(app, "test.gone", gone)
    with caplog.at_level(logging.WARNING, logger="network.jobs"):
        jobs.enqueue("test.gone", file_id=12)
        db.session.commit()  # no exception reaches the committer
    assert [r.getMessage() for r in caplog.records if r.name == "network.jobs"] == [
        'job test.gone {"file_id": 12}: file 12 no longer exists; nothing done, not retried']


# -- on the Redis queue ------------------------------------------------------------------------


@pytest.fixture
def scaled(app_config, redis_url):
    """An app with a job queue of its own on the test Redis, its context pushed."""
    queued = create_app({**app_config, "REDIS_URL": redis_url,
                         "JOBS_QUEUE": namespaced(f"jobs-{uuid.uuid4().hex[:8]}")})
    calls: list[dict] = []
    jobs.register(queued, "test.record", lambda **payload: calls.append(payload))

    def fail(**_payload):
        raise RuntimeError("the mail server is away")

    jobs.register(queued, "test.fail", fail)
    jobs.register(queued, "test.gone", lambda: (_ for _ in ()).throw(jobs.Gone("row 5 is gone")))
    with queued.app_context():
        yield queued, calls
        db.session.remove()
        db.engine.dispose()
    jobs._process_app = None


def _queue(app) -> Queue:
    from redis import Redis

    return Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]),
                 serializer=JSONSerializer)


def test_when_scaled_jobs_go_to_the_queue_after_the_commit_with_retries(scaled):
    app, calls = scaled
    jobs.enqueue("test.record", n=1)
    db.session.rollback()
    assert _queue(app).count == 0
    jobs.enqueue("test.record", n=2)
    db.session.commit()
    assert calls == []  # not run in this process
    queued = _queue(app).jobs
    assert len(queued) == 1 and queued[0].args[:2] == ["test.record", {"n": 2}]
    assert queued[0].retries_left == len(jobs.RETRY_INTERVALS)
    assert queued[0].retry_intervals == list(jobs.RETRY_INTERVALS)
    assert jobs.depth(app) == {"queued": 1, "scheduled": 0, "failed": 0}

    jobs.work(app, burst=True)
    assert calls == [{"n": 2}]
    assert jobs.depth(app) == {"queued": 0, "scheduled": 0, "failed": 0}


def test_a_failing_job_waits_for_a_retry_and_a_gone_row_is_not_retried(scaled):
    app, _calls = scaled
    jobs.enqueue("test.fail")
    jobs.enqueue("test.gone")
    db.session.commit()
    jobs.work(app, burst=True)
    # The failure is back on the queue's schedule for its first retry; the gone row is finished.
    assert jobs.depth(app) == {"queued": 0, "scheduled": 1, "failed": 0}
    retry = _queue(app).scheduled_job_registry.get_job_ids()
    assert [_queue(app).fetch_job(i).args[0] for i in retry] == ["test.fail"]


def test_metrics_show_the_queue_depth(scaled):
    app, _calls = scaled
    jobs.enqueue("test.record", n=1)
    db.session.commit()
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'network_jobs{state="queued"} 1.0' in text
    assert 'network_jobs{state="failed"} 0.0' in text


def test_with_redis_away_a_job_runs_here_instead_of_being_lost(app_config, caplog):
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    calls: list[dict] = []
    jobs.register(app, "test.record", lambda **payload: calls.append(payload))
    with app.app_context(), caplog.at_level(logging.WARNING, logger="network.jobs"):
        jobs.enqueue("test.record", n=7)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert calls == [{"n": 7}]
    assert any("could not be queued" in r.getMessage() for r in caplog.records)
    assert json.dumps(calls)  # plain data


def test_when_scaled_queued_mail_and_the_timers_work_go_to_the_worker(scaled):
    from network.outbox import queue_email

    app, _calls = scaled
    queue_email("a@example.se", "Ämne", "Text")
    queue_email("b@example.se", "Ämne", "Text")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0 and "Lagt i jobbkön" in result.output
    assert [job.args[0] for job in _queue(app).jobs] == ["outbox.deliver", "notifications.digests"]


def test_without_redis_mail_is_left_to_send_mail_and_timers_do_their_own_work(app, runner):
    from network.outbox import OutboxEmail, queue_email

    queue_email("a@example.se", "Ämne", "Text")
    db.session.commit()
    assert db.session.get(OutboxEmail, 1).sent_at is None  # `flask send-mail` sends it
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0 and "sammanfattningar köade" in result.output
