"""storage.py keeps a file only if its database row commits, and never writes outside its folder."""

import io
from pathlib import Path

import pytest

from network.resources import storage


def files_under(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()}


def test_a_stored_file_is_kept_after_commit(app, db):
    stored = storage.save_stream(io.BytesIO(b"hej"), 100)
    db.session.commit()
    assert stored.path.read_bytes() == b"hej"
    assert stored.path.is_relative_to(Path(app.config["STORAGE_DIR"]).resolve())
    assert stored.path.relative_to(storage.root()).parts[:2] == (stored.key[:2], stored.key[2:4])


def test_a_stored_file_is_removed_when_the_transaction_rolls_back(app, db):
    stored = storage.save_stream(io.BytesIO(b"hej"), 100)
    assert stored.path.exists()
    db.session.rollback()
    assert not stored.path.exists()


def test_a_stored_file_is_removed_when_the_session_closes_without_commit(app, db):
    stored = storage.save_stream(io.BytesIO(b"hej"), 100)
    db.session.remove()
    assert not stored.path.exists()


def test_sha256_and_size_are_recorded(app):
    import hashlib

    stored = storage.save_stream(io.BytesIO(b"a" * 3000000), 4000000)
    assert stored.size == 3000000
    assert stored.sha256 == hashlib.sha256(b"a" * 3000000).hexdigest()


class BrokenStream(io.RawIOBase):
    """An upload whose client disconnects half-way."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def read(self, n=-1):
        if self.sent >= 2:
            raise ConnectionResetError("client went away")
        self.sent += 1
        return b"x" * 1024 * 1024


def test_an_aborted_upload_leaves_no_file_behind(app, db):
    with pytest.raises(ConnectionResetError):
        storage.save_stream(BrokenStream(), 10 * 1024 * 1024)
    db.session.rollback()
    assert files_under(storage.root()) == set()


def test_an_upload_over_the_limit_leaves_no_file_behind(app):
    with pytest.raises(storage.TooLarge):
        storage.save_stream(io.BytesIO(b"x" * 101), 100)
    assert files_under(storage.root()) == set()


def test_exactly_the_limit_is_accepted(app):
    assert storage.save_stream(io.BytesIO(b"x" * 100), 100).size == 100


def test_a_deleted_file_goes_only_when_the_deletion_commits(app, db):
    stored = storage.save_stream(io.BytesIO(b"hej"), 100)
    db.session.commit()
    storage.delete_after_commit(stored.key)
    db.session.rollback()
    assert stored.path.exists()
    storage.delete_after_commit(stored.key)
    db.session.commit()
    assert not stored.path.exists()


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "ab", "A" * 32, "0" * 31 + "/"])
def test_storage_paths_come_only_from_valid_random_keys(app, key):
    with pytest.raises(storage.StorageError):
        storage.path_for(key)


def test_the_upload_spool_lives_inside_storage_and_vanishes_on_close(app):
    spool = storage.spool_file()
    spool.write(b"data")
    assert files_under(storage.root()) == set()  # anonymous (O_TMPFILE): no name on disk
    spool.close()
    assert files_under(storage.root()) == set()


def test_gc_removes_orphans_but_keeps_files_with_rows(app, db, runner, library):
    resource = library.resource()
    db.session.commit()
    kept = resource.versions[0].files[0].storage_key
    orphan = storage.save_stream(io.BytesIO(b"orphan"), 100)
    db.session.commit()  # committed without a row: what a crash could leave
    import os
    import time

    old = time.time() - 7200
    os.utime(orphan.path, (old, old))
    result = runner.invoke(args=["resources", "gc"])
    assert "1 orphaned files" in result.output
    assert not orphan.path.exists()
    assert storage.path_for(kept).exists()
