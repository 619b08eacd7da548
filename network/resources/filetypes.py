"""What a file really is, decided by its content; and what its name may look like.

``sniff(path, filename)`` returns the detected type or raises ``Refused`` with a Swedish message.
Allowed: PDF, Office Open XML and OpenDocument (and legacy Office), PNG/JPEG/GIF/WebP images,
UTF-8 plain text and CSV, ZIP archives. Refused: HTML, SVG, XML, executables and scripts,
files whose name claims another type than the content, polyglots that a browser could take for
HTML, macro documents, and ZIP archives that look like bombs. Nothing is ever extracted to disk.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype

from network.i18n import lazy_gettext as _l


class Refused(ValueError):
    """The file is not accepted; ``str(error)`` is shown to the user."""


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: Any
    extensions: tuple[str, ...]  # the first is the one added to a name without one

    @property
    def extension(self) -> str:
        return self.extensions[0]


KINDS = {
    "pdf": FileKind("application/pdf", "PDF", (".pdf",)),
    "docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "Word", (".docx",)),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "Excel", (".xlsx",)),
    "pptx": FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                     "PowerPoint", (".pptx",)),
    "odt": FileKind("application/vnd.oasis.opendocument.text", _l("OpenDocument-text"), (".odt",)),
    "ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", _l("OpenDocument-kalkyl"), (".ods",)),
    "odp": FileKind("application/vnd.oasis.opendocument.presentation", _l("OpenDocument-presentation"),
                    (".odp",)),
    "doc": FileKind("application/msword", _l("Word (äldre format)"), (".doc",)),
    "xls": FileKind("application/vnd.ms-excel", _l("Excel (äldre format)"), (".xls",)),
    "ppt": FileKind("application/vnd.ms-powerpoint", _l("PowerPoint (äldre format)"), (".ppt",)),
    "png": FileKind("image/png", _l("PNG-bild"), (".png",)),
    "jpeg": FileKind("image/jpeg", _l("JPEG-bild"), (".jpg", ".jpeg")),
    "gif": FileKind("image/gif", _l("GIF-bild"), (".gif",)),
    "webp": FileKind("image/webp", _l("WebP-bild"), (".webp",)),
    "txt": FileKind("text/plain; charset=utf-8", _l("Text"), (".txt", ".text", ".md", ".log", ".csv")),
    "csv": FileKind("text/csv; charset=utf-8", _l("CSV"), (".csv", ".txt")),
    "zip": FileKind("application/zip", _l("ZIP-arkiv"), (".zip",)),
}

ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx",
                    "ppt/presentation.xml": "pptx"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
    b"\x00asm",  # WebAssembly
)
# Markup a browser's sniffer (or an old viewer) might act on, looked for near the start.
MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|link|style|"
    rb"a\s|img\s|frameset|\?xml)",
    re.IGNORECASE,
)
MARKUP_WINDOW = 4096
RISKY_MEMBER_SUFFIXES = (
    ".exe", ".dll", ".com", ".scr", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse", ".wsf",
    ".msi", ".lnk", ".hta", ".jar", ".sh", ".app", ".html", ".htm", ".svg",
)
TEXT_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}

# ZIP bomb limits (also used for OOXML/ODF containers).
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_TOTAL = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 100


def _has_markup(head: bytes) -> bool:
    window = head[:MARKUP_WINDOW].replace(b"\x00", b"")
    return MARKUP.search(window) is not None


def _refuse_markup_and_programs(head: bytes) -> None:
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        raise Refused(_l("Program och skript tas inte emot. Ladda upp dokumentet i PDF- eller "
                         "Office-format i stället."))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n\f")
    if stripped[:1] == b"<" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise Refused(_l("Webbsidor (HTML), SVG-bilder och XML-filer tas inte emot eftersom de "
                         "kan innehålla skript. Spara som PDF i stället."))
    if _has_markup(head):
        raise Refused(_l("Filen innehåller webbkod (HTML eller skript) och tas inte emot. Spara "
                         "om den som PDF och försök igen."))


def _check_zip(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(_l("ZIP-filen är skadad och kan inte öppnas.")) from exc
    if len(infos) > ZIP_MAX_MEMBERS:
        raise Refused(_l("ZIP-filen innehåller för många filer (högst %(n)s).", n=ZIP_MAX_MEMBERS))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > ZIP_MAX_TOTAL or (info.file_size > 1024 * 1024 and ratio > ZIP_MAX_RATIO):
            raise Refused(_l("ZIP-filen packas upp till orimligt mycket data och tas inte emot."))
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or re.match(r"^[A-Za-z]:", name):
            raise Refused(_l("ZIP-filen innehåller ogiltiga sökvägar och tas inte emot."))
    if total > max(path.stat().st_size, 1) * ZIP_MAX_RATIO and total > 10 * 1024 * 1024:
        raise Refused(_l("ZIP-filen packas upp till orimligt mycket data och tas inte emot."))
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = 256) -> bytes:
    with archive.open(name) as member:
        return member.read(limit)


def _zip_kind(path: Path) -> str:
    with _check_zip(path) as archive:
        names = set(archive.namelist())
        if "mimetype" in names:
            mime = _read_member(archive, "mimetype").decode("ascii", "replace").strip()
            if mime in ODF_MIMETYPES:
                if any(n.lower().startswith("basic/") or n.lower().startswith("scripts/") for n in names):
                    raise Refused(_l("Dokument med makron tas inte emot. Spara utan makron och "
                                     "försök igen."))
                return ODF_MIMETYPES[mime]
        if "[Content_Types].xml" in names:
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise Refused(_l("Dokument med makron tas inte emot. Spara utan makron och "
                                 "försök igen."))
            for part, kind in OOXML_MAIN_PARTS.items():
                if part in names:
                    return kind
            raise Refused(_l("Office-filen är av en typ som inte stöds."))
        for name in names:
            if name.lower().endswith(RISKY_MEMBER_SUFFIXES):
                raise Refused(_l("ZIP-filen innehåller program, skript eller webbsidor och tas "
                                 "inte emot."))
        return "zip"


def _text_kind(path: Path, suffix: str) -> str | None:
    """``txt``/``csv`` when the whole file is UTF-8 without control characters, else None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    sample = ""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                text = decoder.decode(chunk)
                if any(unicodedata.category(ch) == "Cc" and ch not in TEXT_ALLOWED_CONTROLS
                       for ch in text):
                    return None
                if len(sample) < 8192:
                    sample += text[: 8192 - len(sample)]
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if suffix == ".csv" or _looks_like_csv(sample):
        return "csv"
    return "txt"


def _looks_like_csv(sample: str) -> bool:
    lines = [line for line in sample.splitlines()[:10] if line.strip()]
    if len(lines) < 2:
        return False
    for sep in (";", ",", "\t"):
        counts = {line.count(sep) for line in lines}
        if len(counts) == 1 and counts.pop() > 0:
            return True
    return False


def _detect(path: Path, head: bytes, suffix: str) -> str:
    _refuse_markup_and_programs(head)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if head.startswith(OLE2_MAGIC):
        legacy = suffix.lstrip(".")
        if legacy in ("doc", "xls", "ppt"):
            return legacy
        raise Refused(_l("Äldre Office-filer tas emot bara som .doc, .xls eller .ppt."))
    guess = filetype.guess(head)
    if guess is not None:
        kind = {"png": "png", "jpg": "jpeg", "gif": "gif", "webp": "webp"}.get(guess.extension)
        if kind:
            return kind
        raise Refused(_l("Filtypen (%(type)s) stöds inte. Tillåtna är PDF, Office- och "
                         "OpenDocument-filer, bilder, text, CSV och ZIP.", type=guess.extension))
    kind = _text_kind(path, suffix)
    if kind:
        return kind
    raise Refused(_l("Filtypen känns inte igen. Tillåtna är PDF, Office- och OpenDocument-filer, "
                     "bilder, text, CSV och ZIP."))


def sniff(path: Path, filename: str) -> tuple[FileKind, str]:
    """(detected kind, safe display name) for a stored file, or ``Refused``."""
    size = path.stat().st_size
    if size == 0:
        raise Refused(_l("Filen är tom."))
    with path.open("rb") as handle:
        head = handle.read(MARKUP_WINDOW * 2)
    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if not EXTENSION.match(suffix):
        suffix = ""
    kind = KINDS[_detect(path, head, suffix)]
    if suffix and suffix not in kind.extensions:
        raise Refused(_l("Filens namn slutar på %(ext)s men innehållet är %(kind)s. Kontrollera "
                         "att du valt rätt fil.", ext=suffix, kind=kind.label))
    if not suffix:
        name = _with_extension(name, kind.extension)
    return kind, name


EXTENSION = re.compile(r"^\.[a-z0-9]{1,5}$")

# Bidirectional and other invisible formatting characters that can disguise a name
# ("rapport\u202Efdp.exe" shows as "rapportexe.pdf").
_FORMAT_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
MAX_NAME = 180


def safe_filename(raw: str | None) -> str:
    """A display name: NFC, no path, no control or bidi characters, bounded length."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _FORMAT_CATEGORIES)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = name.replace(":", "_").replace('"', "'")
    if len(name) > MAX_NAME:
        stem, suffix = Path(name).stem, Path(name).suffix[:16]
        name = stem[: MAX_NAME - len(suffix)] + suffix
    return name or "fil"


def _with_extension(name: str, extension: str) -> str:
    stem = name[: MAX_NAME - len(extension)]
    return stem + extension


def ascii_fallback(name: str) -> str:
    """The filename for clients that do not read RFC 5987's ``filename*``."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(ch if ch.isascii() else "_" for ch in decomposed
                     if unicodedata.category(ch) != "Mn")
    folded = re.sub(r"[^A-Za-z0-9._ -]", "_", folded).strip(" .")
    return folded or "fil"
