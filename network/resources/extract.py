"""Text for search, extracted from uploaded files with limits on time, memory and size.

Extraction runs in a separate worker process (a one-worker ``ProcessPoolExecutor`` started
with *forkserver*, memory-limited with ``RLIMIT_AS``) and is abandoned after ``timeout``
seconds: a hostile PDF can waste a worker, never the web process. Failure of any kind gives
empty text; it never blocks the upload.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import logging
import multiprocessing
import threading
import zipfile
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

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform without limits
        pass


def _get_pool() -> concurrent.futures.ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_limit_memory
            )
        return _pool


def _kill_pool() -> None:
    """Stop a worker that overran its time; the next extraction starts a fresh one."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


atexit.register(_kill_pool)


def extract_text(path: Path, kind: str, timeout: float = 20.0) -> str:
    """The file's text (at most ``MAX_TEXT`` characters), or "" on any failure or timeout."""
    if kind not in ("pdf", "txt", "csv", *TEXT_PARTS):
        return ""
    try:
        future = _get_pool().submit(_extract, str(path), kind)
        return future.result(timeout=timeout)[:MAX_TEXT]
    except concurrent.futures.TimeoutError:
        log.warning("text extraction of %s timed out after %ss", path.name, timeout)
        _kill_pool()
    except Exception:  # noqa: BLE001 - a broken file or worker must never block the upload
        log.warning("text extraction of %s failed", path.name, exc_info=True)
        _kill_pool()
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
