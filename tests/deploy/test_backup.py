"""``flask backup`` of a seeded instance while it serves writes, ``flask restore`` elsewhere:
every table and file comes back; damaged, mismatched or newer archives change nothing."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from network import create_app
from network.extensions import db
from network.outbox import OutboxEmail, queue_email
from network.resources import services, storage
from tests.conftest import backend, fresh_postgres_database, make_config

WRITES_AROUND_BACKUP = 5


@pytest.fixture
def target_url(tmp_path):
    if backend() != "postgres":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    with fresh_postgres_database("network_restore") as url:
        yield url


@pytest.fixture
def target(target_url, tmp_path):
    app = create_app(make_config(target_url, tmp_path, STORAGE_DIR=tmp_path / "restored-storage"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _seed(make) -> None:
    admin = make.admin()
    for number in range(3):
        member = make.user()
        data = f"Rapport {number}: trygghetsvandring i Vivalla\n".encode() * (number + 1)
        services.create_resource(admin if number % 2 else member, title=f"Rapport {number}",
                                 visibility="members", group_id=None, type="metodstod",
                                 uploads=[services.Upload(io.BytesIO(data), f"rapport{number}.txt")])
    db.session.commit()


def _writer(app, started: threading.Event, stop: threading.Event, counter: list[int]) -> None:
    with app.app_context():
        while not stop.is_set():
            queue_email("lasare@kommun.se", f"Skrivet under backup {counter[0]}", "Text\n")
            db.session.commit()
            counter[0] += 1
            if counter[0] >= WRITES_AROUND_BACKUP:
                started.set()
        db.session.remove()


def _restore(target, archive: Path):
    # The CLI reuses an active app context (the source's, pushed by the ``app`` fixture).
    with target.app_context():
        return target.test_cli_runner().invoke(args=["restore", str(archive)])


def _rows(engine, table: str) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608 - names from the schema
        return sorted((tuple(r) for r in rows), key=repr)


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.glob("??/??/*") if p.is_file()}


def test_backup_while_serving_writes_restores_every_table_and_file(app, make, runner, target,
                                                                   target_url, tmp_path):
    _seed(make)
    archive = tmp_path / "network.tar.gz"
    started, stop, counter = threading.Event(), threading.Event(), [0]
    writer = threading.Thread(target=_writer, args=(app, started, stop, counter))
    writer.start()
    try:
        assert started.wait(60)
        result = runner.invoke(args=["backup", str(archive)])
        after_backup = counter[0]
        while counter[0] < after_backup + WRITES_AROUND_BACKUP and writer.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output

    restored = _restore(target, archive)
    assert restored.exit_code == 0, restored.output

    source_engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    target_engine = create_engine(target_url)
    try:
        tables = set(inspect(source_engine).get_table_names())
        assert tables == set(inspect(target_engine).get_table_names())
        for table in sorted(tables - {"outbox_emails"}):
            assert _rows(source_engine, table) == _rows(target_engine, table), table
        # The outbox kept growing: the copy is the source as it was at one moment.
        with source_engine.connect() as conn:
            source_mail = [tuple(r) for r in conn.execute(text(
                "SELECT * FROM outbox_emails ORDER BY id"))]
        with target_engine.connect() as conn:
            copied_mail = [tuple(r) for r in conn.execute(text(
                "SELECT * FROM outbox_emails ORDER BY id"))]
        assert WRITES_AROUND_BACKUP <= len(copied_mail) < len(source_mail)
        assert copied_mail == source_mail[: len(copied_mail)]
    finally:
        source_engine.dispose()
        target_engine.dispose()
    source_files = _files(Path(app.config["STORAGE_DIR"]))
    assert len(source_files) == 3
    assert _files(Path(target.config["STORAGE_DIR"])) == source_files


def _rewrite(archive: Path, out: Path, change) -> None:
    """Copy ``archive`` to ``out`` with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


@pytest.fixture
def archive(app, make, runner, tmp_path) -> Path:
    _seed(make)
    path = tmp_path / "good.tar.gz"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _assert_nothing_restored(target) -> None:
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []
        assert list(storage.iter_files()) == []


def test_a_truncated_archive_is_refused(archive, target, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = _restore(target, cut)
    assert result.exit_code != 0 and "skadat" in result.output
    _assert_nothing_restored(target)


def test_a_file_whose_hash_differs_is_refused(archive, target, tmp_path):
    changed = tmp_path / "changed.tar.gz"
    _rewrite(archive, changed,
             lambda name, data: data + b"tillagt" if name.startswith("storage/") else data)
    result = _restore(target, changed)
    assert result.exit_code != 0 and "stämmer inte med manifestets SHA-256" in result.output
    _assert_nothing_restored(target)


def test_an_archive_from_a_newer_schema_is_refused(archive, target, tmp_path):
    newer = tmp_path / "newer.tar.gz"

    def future(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema"] = ["0099_future"]
        return json.dumps(manifest).encode()

    _rewrite(archive, newer, future)
    result = _restore(target, newer)
    assert result.exit_code != 0 and "nyare än den här versionen" in result.output
    _assert_nothing_restored(target)


def test_restore_only_into_an_empty_instance(archive, runner, db):
    before = db.session.scalar(select(OutboxEmail.id).limit(1))
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code != 0 and "inte tom" in result.output
    assert db.session.scalar(select(OutboxEmail.id).limit(1)) == before
