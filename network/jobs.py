"""Background jobs: one ``enqueue(name, **payload)`` for every feature, run after the commit.

Work that need not hold up a request (the text of an uploaded file, mail and webhook delivery,
digests, reminders, purges) is a *job*: a name a feature registers with a function, and a JSON
payload of plain ids. ``enqueue`` only notes the job in the database session; it goes out when
that session commits (and is forgotten on rollback), so a job never runs before the rows it
refers to exist, and never for a change that did not happen.

Where it runs:

- **Scaled** (``REDIS_URL`` set): on a Redis queue read by ``flask worker`` (a systemd unit in
  README's production setup). A job that raises is retried with growing pauses
  (``RETRY_INTERVALS``); the worker also runs the scheduler that brings those retries back.
- **Embedded** (no Redis): in the web process once the response has been sent (``call_on_close``),
  or straight after the commit outside a request (CLI commands, tests with ``JOBS_INLINE``).
  Jobs registered with ``embedded=False`` are left to their CLI command instead (``flask
  send-mail`` every minute sweeps the outbox whether or not a job asked it to).

The engine is RQ (python-rq): it is small, well kept, needs nothing but the Redis the scaled
setup already runs, has retries with a list of intervals, job time limits and a failed-job
registry built in, and takes explicit ``Queue`` objects and connections instead of a process-wide
broker, which fits an app factory that builds many apps (tests). Dramatiq's actors register on a
global broker at import time; Celery brings a framework of its own for what is four job kinds.

A job whose payload refers to a row that is gone (an upload deleted before its text was read)
raises ``Gone``: logged once at WARNING with the job's name and payload, then done, never retried.
The id of the request that queued a job is set as ``g.request_id`` while it runs, so the job's log
lines carry the same id as the request's (``network/deploy/logs.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# Pauses before the 1st..5th retry of a failing job (seconds): a minute, then up to an hour.
RETRY_INTERVALS = (10, 60, 300, 900, 3600)
JOB_TIMEOUT = 600  # seconds one run may take before the worker gives up on it
_PENDING = "network_jobs_pending"
_AFTER_RESPONSE = "network_jobs_after_response"
_process_app: Flask | None = None  # the app of a ``flask worker`` process


class Gone(Exception):  # noqa: N818 - reads as "the row is gone"
    """The row a job's payload refers to no longer exists: nothing to do, nothing to retry."""


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., Any]
    embedded: bool  # run in-process without Redis; False: a CLI command sweeps up instead


def register(app: Flask, name: str, func: Callable[..., Any], *, embedded: bool = True) -> None:
    """Make ``name`` runnable; ``func(**payload)`` runs in an app context and may commit."""
    app.extensions["network_jobs"][name] = Job(name, func, embedded)


def queued_mode(app: Flask) -> bool:
    return bool(app.config.get("REDIS_URL"))


def enqueue(name: str, /, _session: Session | None = None, **payload: Any) -> None:
    """Run job ``name`` with ``payload`` once the database session commits (the app's, or
    ``_session`` from inside a session hook).

    The same job with the same payload noted twice in one transaction runs once.
    """
    from network.extensions import db

    app = current_app._get_current_object()
    if name not in app.extensions["network_jobs"]:
        raise KeyError(f"unknown job {name!r}")
    body = json.dumps(payload, sort_keys=True)  # refuses what JSON cannot carry, here and now
    request_id = getattr(g, "request_id", None) if has_app_context() else None
    session = _session if _session is not None else db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still drops the job
    pending = session.info.setdefault(_PENDING, {})
    pending.setdefault((name, body), (app, request_id))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy also reports a savepoint's release as a commit; the rows it wrote are not
        # visible to anyone else until the enclosing transaction commits.
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        for (name, body), (app, request_id) in pending.items():
            dispatch(app, name, json.loads(body), request_id)


def _after_soft_rollback(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_PENDING, None)


def dispatch(app: Flask, name: str, payload: dict, request_id: str | None = None) -> str:
    """Send a job on its way now: to the queue when scaled, else run it in this process.

    Returns "queued", "ran", "after-response" or "left" (to its CLI command).
    """
    job = app.extensions["network_jobs"][name]
    if queued_mode(app):
        try:
            _queue(app).enqueue(perform, name, payload, request_id, retry=_retry(),
                                job_timeout=JOB_TIMEOUT, failure_ttl=7 * 24 * 3600,
                                result_ttl=3600, description=f"{name} {json.dumps(payload)}")
            return "queued"
        except Exception:  # noqa: BLE001 - Redis away: fall back below rather than lose the job
            log.warning("job %s could not be queued (Redis unreachable); %s", name,
                        "running it here" if job.embedded else "its CLI command will catch up",
                        exc_info=True)
    if not job.embedded:
        return "left"
    if has_request_context() and not app.config.get("JOBS_INLINE"):
        after = g.get(_AFTER_RESPONSE)
        if after is not None:
            after.append((name, payload, request_id))
            return "after-response"
    perform(name, payload, request_id, app=app)
    return "ran"


def queue_instead(name: str) -> bool:
    """For a timer's command: when scaled, put job ``name`` on the queue (where a failure is
    retried) and return True; without Redis return False and let the command do the work."""
    app = current_app._get_current_object()
    return queued_mode(app) and dispatch(app, name, {}) == "queued"


def perform(name: str, payload: dict, request_id: str | None = None, *, app: Flask | None = None,
            reraise: bool = True) -> bool:
    """Run one job in a fresh app context; the entry point RQ calls in the worker.

    Returns False when its row was gone. Other errors propagate (so RQ retries the job) unless
    ``reraise`` is false, as in the web process after a response, where they are logged only.
    """
    app = app or _worker_app()
    with app.app_context():
        from network.extensions import db

        if request_id:
            g.request_id = request_id
        job = app.extensions["network_jobs"].get(name)
        try:
            if job is None:
                raise Gone(f"no job is registered as {name!r}")
            job.func(**payload)
            db.session.commit()
        except Gone as gone:
            db.session.rollback()
            log.warning("job %s %s: %s; nothing done, not retried", name,
                        json.dumps(payload, sort_keys=True), gone)
            return False
        except Exception:
            db.session.rollback()
            log.exception("job %s %s failed", name, json.dumps(payload, sort_keys=True))
            if reraise:
                raise
        return True


def _run_after_response(app: Flask, jobs: list) -> None:
    for name, payload, request_id in jobs:
        perform(name, payload, request_id, app=app, reraise=False)


def _worker_app() -> Flask:
    global _process_app
    if _process_app is None:
        from network import create_app

        _process_app = create_app()
    return _process_app


# -- the queue ---------------------------------------------------------------------------------


def _retry():
    from rq import Retry

    return Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS))


def _queue(app: Flask, *, blocking: bool = False):
    from rq import Queue
    from rq.serializers import JSONSerializer

    from network.redisconn import client

    # Web processes queue and count with the shared client's short timeouts (a hung Redis costs
    # a request seconds, not forever); the worker waits on the queue for minutes at a time, so
    # its reads have no time limit.
    return Queue(app.config["JOBS_QUEUE"], connection=client(app.config["REDIS_URL"], blocking=blocking),
                 serializer=JSONSerializer)


def depth(app: Flask) -> dict[str, int]:
    """Jobs waiting, waiting for a retry, and failed for good (0 each without Redis)."""
    if not queued_mode(app):
        return {"queued": 0, "scheduled": 0, "failed": 0}
    queue = _queue(app)
    return {"queued": queue.count, "scheduled": queue.scheduled_job_registry.count,
            "failed": queue.failed_job_registry.count}


def work(app: Flask, *, burst: bool = False) -> None:
    """Run the worker (and the scheduler that re-queues retries) until stopped."""
    from rq import SimpleWorker

    global _process_app
    _process_app = app
    # SimpleWorker runs each job in this process, where the app and its connection pools already
    # are (a forked horse would have to rebuild both); a job that hangs is still stopped after
    # JOB_TIMEOUT, and text extraction has its own killable process.
    queue = _queue(app, blocking=True)
    worker = SimpleWorker([queue], connection=queue.connection, serializer=queue.serializer)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def init_app(app: Flask) -> None:
    app.extensions["network_jobs"] = {}
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_soft_rollback)

    @app.before_request
    def _collect_after_response() -> None:
        g.setdefault(_AFTER_RESPONSE, [])

    @app.after_request
    def _run_after_the_response(response):
        jobs = g.get(_AFTER_RESPONSE)
        if jobs is not None:
            # The list is read when the server closes the response, so commits made after this
            # hook (none today) would still be included.
            response.call_on_close(lambda: _run_after_response(app, jobs))
        return response

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    def worker(burst: bool) -> None:
        """Run queued background jobs (needs REDIS_URL; one or more per installation)."""
        if not queued_mode(app):
            raise click.ClickException("REDIS_URL är inte satt: utan Redis körs jobben i "
                                       "webbprocessen och av cron-kommandona.")
        work(current_app._get_current_object(), burst=burst)
