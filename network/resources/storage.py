"""The only code that touches the disk.

Files live under ``STORAGE_DIR`` by a random key in a sharded path (``ab/cd/<key>``); their
names are metadata in the database and never part of a path. A file is written to a temporary
file inside ``STORAGE_DIR/.tmp`` while it is streamed from the upload and hashed, then renamed
into place atomically. It is *kept only if its database row commits*: each new file is
registered on the session, and a session event removes it when the transaction ends without a
commit (rollback, error, closed session). Deletions wait for the commit the same way.

Uploads themselves are spooled by Werkzeug through ``spool_file``, an unnamed temporary file
inside ``STORAGE_DIR/.tmp`` (``O_TMPFILE`` on Linux), so an aborted request leaves nothing behind
and nothing is ever written to the system's temporary directory. ``spooling_request_class``
makes that the app's rule for every request, whichever feature's form carries the files: the
form is parsed before any blueprint hook runs (CSRF protection reads it first).
"""

from __future__ import annotations

import contextlib
import errno
import grp
import hashlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from flask import Request, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
TMP = ".tmp"
PENDING_KEY = "resources_storage_pending"
DELETE_KEY = "resources_storage_delete"


class StorageError(Exception):
    """A file could not be stored; nothing was kept."""


class StorageFull(StorageError):
    """The disk (or the storage folder's quota) has no room for the file."""


class TooLarge(StorageError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


@dataclass
class StoredFile:
    key: str
    path: Path
    size: int
    sha256: str


def root() -> Path:
    path = Path(current_app.config["STORAGE_DIR"]).resolve()
    if not (path / TMP).is_dir():
        make_dirs(path / TMP)
    return path


def _group_id() -> int:
    """STORAGE_GROUP's id (a name or a number), or -1 to keep the process's group."""
    group = current_app.config.get("STORAGE_GROUP")
    if not group:
        return -1
    return int(group) if str(group).isdigit() else grp.getgrnam(group).gr_gid


def _share(path: Path, mode: int) -> None:
    """Give ``path`` the configured group and ``mode``: the web server (in that group) reads it."""
    gid = _group_id()
    if gid != -1:
        os.chown(path, -1, gid)
    path.chmod(mode)


def make_dirs(path: Path) -> None:
    """Create ``path`` and missing parents with STORAGE_DIR_MODE and STORAGE_GROUP."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir()
        _share(folder, current_app.config.get("STORAGE_DIR_MODE", 0o750))


def _inside(path: Path, base: Path) -> Path:
    """``path`` resolved, or an error when it would land outside ``base``."""
    resolved = path.resolve()
    if not resolved.is_relative_to(base) or resolved == base:
        raise StorageError("path outside the storage folder")
    return resolved


def valid_key(key: str) -> bool:
    return len(key) == 32 and all(c in "0123456789abcdef" for c in key)


def relative_path(key: str) -> str:
    """``ab/cd/abcd…``: two levels of 256 folders keep directories small."""
    if not valid_key(key):
        raise StorageError("invalid storage key")
    return f"{key[:2]}/{key[2:4]}/{key}"


def path_for(key: str) -> Path:
    base = root()
    return _inside(base / relative_path(key), base)


def spool_file(*_args, **_kwargs) -> IO[bytes]:
    """Werkzeug's stream factory for uploads: an anonymous temp file inside the storage folder."""
    return tempfile.TemporaryFile(dir=root() / TMP)  # noqa: SIM115 - Werkzeug closes it


def spooling_request_class(base: type[Request]) -> type[Request]:
    """``base`` with uploads spooled by ``spool_file`` (looked up per call, so tests can spy)."""

    class SpoolingRequest(base):  # type: ignore[misc, valid-type]
        def _get_file_stream(self, total_content_length, content_type, filename=None,
                             content_length=None):
            stream = spool_file()
            self.__dict__.setdefault("_spooled", []).append(stream)
            return stream

        def _load_form_data(self) -> None:
            try:
                super()._load_form_data()
            except OSError as exc:
                if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                # The disk filled while the upload was being received: free what was spooled
                # (anonymous files, so nothing stays on disk) and answer 507.
                for stream in self.__dict__.pop("_spooled", []):
                    # Close the descriptor itself: closing the buffered file would try to write
                    # its unwritten buffer first, fail again, and stay open.
                    raw = getattr(stream, "raw", None)
                    with contextlib.suppress(OSError):
                        if raw is not None:
                            raw.close()
                        stream.close()
                log.error("storage full while receiving an upload: %s", exc)
                raise InsufficientStorage() from exc

    return SpoolingRequest


class InsufficientStorage(HTTPException):
    code = 507
    description = "The server has no room to store the upload."


def save_stream(stream: BinaryIO, max_bytes: int) -> StoredFile:
    """Copy ``stream`` into storage, hashing as it goes; refuse more than ``max_bytes``.

    The file is renamed into its final place and registered for removal unless the current
    database transaction commits. Any error leaves nothing on disk.
    """
    base = root()
    key = secrets.token_hex(16)
    final = _inside(base / relative_path(key), base)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=base / TMP, prefix="up-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        _share(tmp, current_app.config.get("STORAGE_FILE_MODE", 0o640))
        if not final.parent.is_dir():
            make_dirs(final.parent)
        os.replace(tmp, final)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            log.error("storage full: %s", exc)
            raise StorageFull(str(exc)) from exc
        raise
    _track_new(final)
    return StoredFile(key=key, path=final, size=size, sha256=digest.hexdigest())


def discard(stored: StoredFile) -> None:
    """Remove a just-stored file at once (e.g. its content was refused)."""
    with contextlib.suppress(FileNotFoundError):
        stored.path.unlink()
    pending = _session_info().get(PENDING_KEY)
    if pending is not None:
        pending.discard(stored.path)


def delete_after_commit(key: str) -> None:
    """Remove a stored file once the transaction that deleted its row has committed."""
    _session_info().setdefault(DELETE_KEY, set()).add(path_for(key))


def iter_files() -> Iterator[tuple[str, Path]]:
    """Every stored (key, path), for housekeeping."""
    base = root()
    for path in base.glob("??/??/*"):
        if path.is_file() and valid_key(path.name):
            yield path.name, path


def remove_stale_temp(older_than_seconds: int = 24 * 3600) -> int:
    """Temporary files a crashed process left behind."""
    removed = 0
    limit = time.time() - older_than_seconds
    for path in (root() / TMP).iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_key(key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_for(key).unlink()


# -- keeping the disk in step with the database ------------------------------------------------


def _session_info() -> dict:
    from network.extensions import db

    return db.session().info


def _track_new(path: Path) -> None:
    from network.extensions import db

    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback or close right away still ends "a transaction"
    session.info.setdefault(PENDING_KEY, set()).add(path)


def _after_commit(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
    for path in session.info.pop(DELETE_KEY, set()):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _after_transaction_end(session: Session, transaction) -> None:
    # Only the outermost transaction decides; a commit has already cleared the list.
    if transaction.parent is not None or transaction.nested:
        return
    for path in session.info.pop(PENDING_KEY, set()):
        log.info("removing %s: its database row did not commit", path.name)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    session.info.pop(DELETE_KEY, None)


def install_session_hooks() -> None:
    """Listen on every Session once; the handlers act only on what this module registered."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
