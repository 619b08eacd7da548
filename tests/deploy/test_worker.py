"""``flask worker`` as a real process on Redis: it reads an upload's text and reports gone rows.

The worker runs exactly as the systemd unit starts it, on the test's database (SQLite file or
PostgreSQL) and a queue of its own on the test Redis. Waits poll with generous deadlines; nothing
depends on how fast the machine is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from network import create_app, fulltext, jobs
from network.extensions import db
from network.resources import services
from network.resources.models import ResourceFile
from tests import factories
from tests.conftest import redis_names

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 180  # seconds: a loaded machine is slow, never this slow


def _wait_for(check, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) before {what}:\n{log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {DEADLINE} s:\n{log.read_text()}")


@pytest.fixture
def scaled(app_config, redis_url, tmp_path):
    # The run's Redis names, with a tag of this test's own: the queue is read by this worker only.
    names = redis_names(f"worker-{uuid.uuid4().hex[:8]}")
    app = create_app({**app_config, "REDIS_URL": redis_url, **names})
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "DATABASE_URL")}
    env.update(names)
    env.update(NETWORK_ENV="development", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=redis_url,
               NETWORK_INSTANCE_DIR=str(tmp_path / "instance"), SECRET_KEY="s" * 48,
               STORAGE_DIR=str(app.config["STORAGE_DIR"]), LOG_FORMAT="json",
               MAIL_TRANSPORT="console")
    log = tmp_path / "worker.log"
    with app.app_context(), open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "network", "worker"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield app, process, log
        finally:
            process.terminate()  # RQ's warm shutdown: the current job ends first
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            db.session.remove()
            db.engine.dispose()


def test_the_worker_reads_an_upload_s_text_into_the_search_index(scaled):
    app, process, log = scaled
    make = factories.Factory(db.session)
    admin = make.admin()
    resource = services.create_generated_resource(
        admin, title="Anteckningar", filename="anteckningar.txt", visibility="members",
        content="Kvarterslandskapet behöver belysning\n".encode(), content_type="text/plain",
        group_id=None, type="transkript")
    db.session.commit()  # the job goes to Redis now; this process never runs it
    file_id = resource.versions[0].files[0].id
    assert db.session.get(ResourceFile, file_id).text_pending

    def extracted():
        db.session.rollback()  # a fresh snapshot of what the worker committed
        return db.session.scalar(select(ResourceFile.extracted_at).where(ResourceFile.id == file_id))

    _wait_for(extracted, "extracted text", process, log)
    file = db.session.get(ResourceFile, file_id)
    assert "belysning" in file.extracted_text
    assert fulltext.search(admin, "kvarterslandskapet", kinds=["resource"]).hits
    assert jobs.depth(app) == {"queued": 0, "scheduled": 0, "failed": 0}


def test_a_job_for_a_deleted_row_is_logged_with_its_request_id_and_not_retried(scaled):
    app, process, log = scaled
    jobs.dispatch(app, "resources.extract", {"file_id": 10**9}, "req-gone-20261206")

    def reported():
        for line in log.read_text().splitlines():
            if line.startswith("{") and "not retried" in line:
                return json.loads(line)
        return None

    entry = _wait_for(reported, "report of the gone row", process, log)
    assert entry["level"] == "WARNING" and entry["logger"] == "network.jobs"
    assert entry["request_id"] == "req-gone-20261206"
    assert "resource file 1000000000 no longer exists" in entry["message"]
    _wait_for(lambda: jobs.depth(app)["queued"] == 0, "an empty queue", process, log)
    assert jobs.depth(app) == {"queued": 0, "scheduled": 0, "failed": 0}
    assert process.poll() is None  # the worker carries on
