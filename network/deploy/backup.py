"""``flask backup`` and ``flask restore``: one tar archive with the database, the stored files
and a manifest of their SHA-256 hashes.

The database is copied first, consistently while the app keeps serving (SQLite's online backup
API; ``pg_dump`` for PostgreSQL), then the stored files. A restore checks the whole archive
(readable, every member hashed as the manifest says, nothing missing or extra, a schema this
release knows, the same kind of database) before it touches anything, and only restores into an
empty instance: a database without tables and a storage folder without files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive cannot be written or restored; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg(tool: str, *args: str, url) -> None:
    """Run a PostgreSQL client tool on ``url``; the password goes by environment, not argv."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} saknas (Debian: apt-get install postgresql-client)")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run([program, *args, "--dbname", dsn], capture_output=True, text=True,  # noqa: S603 - our own arguments
                            env=env)
    if result.returncode != 0:
        raise BackupError(f"{tool} misslyckades: {result.stderr.strip()}")


def _schema(app: Flask) -> list[str]:
    from alembic.runtime.migration import MigrationContext

    from network.extensions import db

    with db.engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def _dump_database(app: Flask, target: Path) -> tuple[str, list[str]]:
    """The database copied into ``target``: (file name, the copy's schema revisions)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        name = "database.sqlite3"
        source = sqlite3.connect(url.database, timeout=60)
        copy = sqlite3.connect(target / name)
        try:
            with copy:
                source.backup(copy)  # a consistent snapshot, while others keep writing
            # The snapshot's own revision: reading the live file again could wait on writers.
            schema = sorted(row[0] for row in copy.execute("SELECT version_num FROM alembic_version"))
        finally:
            copy.close()
            source.close()
        return name, schema
    if url.get_backend_name() == "postgresql":
        name = "database.pgdump"
        schema = _schema(app)
        _pg("pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file", str(target / name),
            url=url)
        return name, schema
    raise BackupError(f"databasen {url.get_backend_name()} stöds inte")


def create_backup(app: Flask, archive: Path) -> dict:
    """Write ``archive``; returns its manifest."""
    from network.resources import storage

    with tempfile.TemporaryDirectory(prefix="network-backup-") as work:
        work_dir = Path(work)
        database, schema = _dump_database(app, work_dir)
        files = {database: _sha256(work_dir / database)}
        members = {database: work_dir / database}
        for key, path in storage.iter_files():
            name = "storage/" + storage.relative_path(key)
            try:
                files[name] = _sha256(path)
            except FileNotFoundError:
                continue  # deleted (with its row) after the database copy was taken
            members[name] = path
        manifest = {
            "format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "dialect": make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name(),
            "schema": schema, "database": database, "files": files,
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, archive)
    return manifest


def _read_checked(archive: Path, work_dir: Path) -> dict:
    """Unpack ``archive`` into ``work_dir`` and check it against its manifest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if MANIFEST not in names:
                raise BackupError("arkivet saknar manifest.json")
            manifest = json.loads(tar.extractfile(MANIFEST).read())
            for member in members:
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or member.name not in manifest.get("files", {}):
                    raise BackupError(f"arkivet innehåller {member.name}, som manifestet inte "
                                      f"nämner")
                tar.extract(member, work_dir, filter="data")
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"arkivet är skadat ({type(exc).__name__}: {exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"okänt arkivformat {manifest.get('format')!r}")
    for name, expected in manifest["files"].items():
        path = work_dir / name
        if not path.is_file():
            raise BackupError(f"{name} saknas i arkivet")
        if _sha256(path) != expected:
            raise BackupError(f"{name} stämmer inte med manifestets SHA-256")
    return manifest


def _check_target(app: Flask, manifest: dict) -> None:
    from alembic.script import ScriptDirectory

    from network.extensions import db
    from network.resources import storage

    script = ScriptDirectory(app.extensions["migrate"].directory)
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in manifest.get("schema", []) if rev not in known]
    if unknown or not manifest.get("schema"):
        raise BackupError(f"arkivets databasschema ({', '.join(unknown) or '-'}) är nyare än den "
                          f"här versionen: uppgradera programmet först")
    dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if manifest.get("dialect") != dialect:
        raise BackupError(f"arkivet är från {manifest.get('dialect')}, den här installationen "
                          f"använder {dialect}")
    if inspect(db.engine).get_table_names():
        raise BackupError("databasen är inte tom: återställ bara till en ny, tom databas")
    if any(True for _ in storage.iter_files()):
        raise BackupError("lagringsmappen har redan filer: återställ bara till en tom mapp")


def restore_backup(app: Flask, archive: Path) -> dict:
    """Restore ``archive`` into this (empty) instance; returns its manifest."""
    from network.extensions import db
    from network.resources import storage

    with tempfile.TemporaryDirectory(prefix="network-restore-") as work:
        work_dir = Path(work)
        manifest = _read_checked(archive, work_dir)
        _check_target(app, manifest)
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        dump = work_dir / manifest["database"]
        db.engine.dispose()
        if manifest["dialect"] == "sqlite":
            target = Path(url.database)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".restoring")
            shutil.copyfile(dump, partial)
            os.replace(partial, target)
        else:
            _pg("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", str(dump), url=url)
        for name in manifest["files"]:
            if not name.startswith("storage/"):
                continue
            key = Path(name).name
            final = storage.path_for(key)
            if not final.parent.is_dir():
                storage.make_dirs(final.parent)
            shutil.copyfile(work_dir / name, final)
            storage._share(final, app.config.get("STORAGE_FILE_MODE", 0o640))
    return manifest
