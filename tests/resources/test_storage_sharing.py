"""Stored files carry STORAGE_GROUP and STORAGE_*_MODE, so nginx running as another user can send
them (X-Accel-Redirect) while everybody else is kept out."""

from __future__ import annotations

import grp
import io
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from network.extensions import db
from network.resources import storage

WEB_USER = "www-data"


def _web_group_exists() -> bool:
    try:
        grp.getgrnam(WEB_USER)
    except KeyError:
        return False
    return True


@pytest.fixture
def shared_root():
    # Under /tmp/pytest-of-<user> (mode 0700) no other user could reach the files at all.
    base = Path(tempfile.mkdtemp(prefix="network-storage-"))
    base.chmod(0o711)
    yield base / "storage"
    shutil.rmtree(base)


@pytest.fixture
def app_config(app_config, shared_root):
    if not _web_group_exists():
        pytest.skip(f"the group {WEB_USER} does not exist on this machine")
    app_config.update(STORAGE_DIR=shared_root, STORAGE_GROUP=WEB_USER)
    return app_config


def _read_as(user: str, path: Path) -> subprocess.CompletedProcess:
    entry = pwd.getpwnam(user)
    return subprocess.run(["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                           "--init-groups", "cat", str(path)], capture_output=True)


def test_stored_files_and_folders_get_the_configured_group_and_modes(app, shared_root):
    stored = storage.save_stream(io.BytesIO(b"Lagesbild 2026\n"), 1000)
    db.session.commit()
    gid = grp.getgrnam(WEB_USER).gr_gid

    info = stored.path.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640 and info.st_gid == gid
    for folder in (stored.path.parent, stored.path.parent.parent, shared_root):
        info = folder.stat()
        assert stat.S_IMODE(info.st_mode) == 0o750 and info.st_gid == gid, folder


def test_the_web_servers_user_reads_a_stored_file_and_others_cannot(app):
    if os.geteuid() != 0:
        pytest.skip("reading as another user needs root (setpriv)")
    stored = storage.save_stream(io.BytesIO(b"Lagesbild 2026\n"), 1000)
    db.session.commit()

    assert _read_as(WEB_USER, stored.path).stdout == b"Lagesbild 2026\n"
    refused = _read_as("nobody", stored.path)
    assert refused.returncode != 0 and b"Permission denied" in refused.stderr
