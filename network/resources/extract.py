"""Text for search, extracted from uploaded files with limits on time, memory and size.

Extraction runs in a separate worker process (started with *forkserver*, memory-limited with
``RLIMIT_AS``) and is abandoned, the worker killed, after ``timeout`` seconds: a hostile PDF can
waste a worker, never the web process. Failure of any kind gives
empty text; it never blocks the upload, which leaves it to a background job
(``indexing.py``).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
import time
import zipfile
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger(__name__)

MAX_TEXT = 1024 * 1024  # characters kept per file
MAX_PDF_PAGES = 2000
MAX_XML_MEMBER = 64 * 1024 * 1024
WORKER_MEMORY = 768 * 1024 * 1024

# Parts of OOXML/ODF containers that hold the readable text, and the elements that end a line.
TEXT_PARTS = {
    "docx": ("word/document.xml",),
    "pptx": ("ppt/slides/slide",),
    "xlsx": ("xl/sharedStrings.xml",),
    "odt": ("content.xml",),
    "ods": ("content.xml",),
    "odp": ("content.xml",),
}
BREAK_TAGS = {"p", "h", "br", "tab", "si", "tr", "line-break"}
EXTRACTABLE = frozenset(("pdf", "txt", "csv", *TEXT_PARTS))

def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform without limits
        pass


def _serve(conn: Connection) -> None:
    """The worker's loop: (path, kind) in, ("ok", text) or ("error", reason) out."""
    _limit_memory()
    while True:
        try:
            path, kind = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _extract(path, kind)))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which logs it
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Worker:
    """One long-lived extraction process that the web process can kill when it overruns.

    A plain ``multiprocessing.Process`` rather than a ``ProcessPoolExecutor``: killing a pool's
    worker needs its private process table, while our own process has a public ``kill()``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            context = multiprocessing.get_context("forkserver")
            parent, child = context.Pipe()
            self._process = context.Process(target=_serve, args=(child,), daemon=True,
                                            name="network-extract")
            self._process.start()
            child.close()
            self._conn = parent
        assert self._conn is not None
        return self._conn

    def stop(self) -> None:
        process, conn, self._process, self._conn = self._process, self._conn, None, None
        if conn is not None:
            conn.close()
        if process is not None:
            process.kill()
            process.join(5)

    def run(self, path: str, kind: str, timeout: float) -> str:
        with self._lock:
            conn = self._start()
            try:
                started = time.monotonic()
                conn.send((path, kind))
                # poll() waits in whole milliseconds; an answer after the deadline is too late.
                if not conn.poll(timeout) or time.monotonic() - started > timeout:
                    raise TimeoutError
                status, value = conn.recv()
            except BaseException:
                self.stop()
                raise
            if status != "ok":
                raise RuntimeError(value)
            return value


_worker = _Worker()
atexit.register(_worker.stop)


def extract_text(path: Path, kind: str, timeout: float = 20.0) -> str:
    """The file's text (at most ``MAX_TEXT`` characters), or "" on any failure or timeout."""
    if kind not in EXTRACTABLE:
        return ""
    try:
        return _worker.run(str(path), kind, timeout)[:MAX_TEXT]
    except TimeoutError:
        log.warning("text extraction of %s timed out after %ss", path.name, timeout)
    except Exception:  # noqa: BLE001 - a broken file or worker must never block the upload
        log.warning("text extraction of %s failed", path.name, exc_info=True)
    return ""


# -- in the worker -----------------------------------------------------------------------------


def _extract(path: str, kind: str) -> str:
    if kind == "pdf":
        return _pdf(Path(path))
    if kind in ("txt", "csv"):
        with open(path, "rb") as handle:
            return handle.read(MAX_TEXT * 4).decode("utf-8", "ignore")[:MAX_TEXT]
    return _office(Path(path), TEXT_PARTS[kind])


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(path)
    parts: list[str] = []
    total = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or total >= MAX_TEXT:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    return "\n".join(parts)


def _office(path: Path, prefixes: tuple[str, ...]) -> str:
    from defusedxml import ElementTree

    parts: list[str] = []
    total = 0
    with zipfile.ZipFile(path) as archive:
        names = sorted(
            (info for info in archive.infolist()
             if any(info.filename.startswith(p) for p in prefixes) and info.filename.endswith(".xml")),
            key=lambda info: _natural_key(info.filename),
        )
        for info in names:
            if info.file_size > MAX_XML_MEMBER or total >= MAX_TEXT:
                continue
            with archive.open(info) as member:
                root = ElementTree.parse(member).getroot()
            text = _text_of(root)
            parts.append(text)
            total += len(text)
    return "\n".join(parts)


def _natural_key(name: str) -> tuple:
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _text_of(root) -> str:
    out: list[str] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if element.text and tag in ("t", "p", "h", "span", "a", "s"):
            out.append(element.text)
        if tag in BREAK_TAGS:
            out.append("\n" if tag != "tab" else "\t")
        if element.tail and tag in ("span", "a", "s", "tab", "line-break"):
            out.append(element.tail)
    return "".join(out)
