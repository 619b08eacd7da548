"""Hostile uploads through the real form: each is refused with a clear Swedish message, or stored
safely and served only as an attachment. Nothing is ever written outside the storage folder."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from network.resources import storage
from network.resources.models import ResourceFile
from tests.resources.conftest import PNG, SMALL_LIMIT, make_docx, make_pdf

PDF = make_pdf()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """50 MB of zeros in well under the 64 kB test limit (ratio ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open("nollor.txt", "w") as member:
        for _ in range(50):
            member.write(b"\0" * 1024 * 1024)
    return out.getvalue()


def docx_with_macros() -> bytes:
    out = io.BytesIO(make_docx())
    with zipfile.ZipFile(out, "a") as z:
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600

# (case id, filename, content, declared content type, expected message fragment)
REFUSED = [
    ("html-with-script", "rapport.html", HTML, "text/html", "HTML"),
    ("html-named-pdf", "rapport.pdf", HTML, "application/pdf", "HTML"),
    ("html-named-txt-with-bom", "anteckningar.txt", b"\xef\xbb\xbf \n" + HTML, "text/plain", "HTML"),
    ("html-fragment-without-doctype", "a.txt", b"<b>hej</b><script>x()</script>", "text/plain", "HTML"),
    ("svg-with-script", "bild.svg", SVG, "image/svg+xml", "SVG"),
    ("svg-named-png", "bild.png", SVG, "image/png", "SVG"),
    ("xml-declaration", "data.xml", b"<?xml version='1.0'?><root/>", "text/xml", "XML"),
    ("polyglot-pdf-html", "rapport.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + PDF,
     "application/pdf", "webbkod"),
    ("polyglot-pdf-script-later", "rapport.pdf", PDF[:200] + b"%" + b" " * 1500 + b"<script>x</script>"
     + PDF[200:], "application/pdf", "webbkod"),
    ("polyglot-pdf-iframe", "rapport.pdf", b"%PDF-1.7\n% <iframe src=x>\n" + PDF, "application/pdf",
     "webbkod"),
    ("polyglot-png-html", "bild.png", PNG + b"<html><script>alert(1)</script>", "image/png", "webbkod"),
    ("polyglot-gif-script", "bild.gif", b"GIF89a/*\x00\x00*/=1;<script>alert(1)</script>", "image/gif",
     "webbkod"),
    ("text-with-script-inside", "anteckningar.txt", b"Hej alla!\nSe <script>steal()</script>", "text/plain",
     "webbkod"),
    ("windows-exe", "program.exe", b"MZ\x90\x00\x03" + b"\0" * 500, "application/x-msdownload", "Program"),
    ("exe-named-pdf", "faktura.pdf", b"MZ\x90\x00\x03" + b"\0" * 500, "application/pdf", "Program"),
    ("elf-binary", "verktyg", b"\x7fELF\x02\x01\x01" + b"\0" * 500, "application/octet-stream", "Program"),
    ("mach-o-binary", "app.pdf", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 500, "application/pdf",
     "Program"),
    ("shell-script", "script.txt", b"#!/bin/sh\nrm -rf ~\n", "text/plain", "skript"),
    ("python-script", "run.py", b"#!/usr/bin/env python3\nimport os\n", "text/x-python", "skript"),
    ("double-extension-exe", "rapport.pdf.exe", PDF, "application/pdf", ".exe"),
    ("double-extension-html", "rapport.pdf.html", HTML, "text/html", "HTML"),
    ("rtl-override-exe", "rapport\u202efdp.exe", PDF, "application/pdf", ".exe"),
    ("empty-file", "tom.pdf", b"", "application/pdf", "tom"),
    ("zip-bomb", "arkiv.zip", None, "application/zip", "orimligt"),
    ("zip-path-traversal", "arkiv.zip", zip_of({"../../etc/cron.d/x": b"hej"}), "application/zip",
     "sökvägar"),
    ("zip-absolute-path", "arkiv.zip", zip_of({"/etc/passwd": b"hej"}), "application/zip", "sökvägar"),
    ("zip-with-exe", "arkiv.zip", zip_of({"setup.exe": b"MZ" + b"\0" * 100}), "application/zip", "program"),
    ("zip-with-html", "arkiv.zip", zip_of({"index.html": HTML}), "application/zip", "webbsidor"),
    ("docx-with-macros", "mall.docx", docx_with_macros(), "application/msword", "makron"),
    ("zip-named-docx", "rapport.docx", zip_of({"a.txt": b"hej"}), "application/vnd.openxmlformats",
     "ZIP"),
    ("docx-named-pdf", "rapport.pdf", make_docx(), "application/pdf", "Word"),
    ("pdf-named-docx", "rapport.docx", PDF, "application/vnd.openxmlformats", "PDF"),
    ("png-named-pdf", "rapport.pdf", PNG, "application/pdf", "PNG"),
    ("broken-zip", "arkiv.zip", b"PK\x03\x04" + b"\x00" * 100, "application/zip", "skadad"),
    ("random-binary", "data.bin", bytes(range(256)) * 4, "application/octet-stream", "känns inte igen"),
    ("text-with-nul-bytes", "a.txt", b"hej\x00hopp\x00", "text/plain", "känns inte igen"),
    ("utf16-markup", "a.txt", "<html>".encode("utf-16"), "text/plain", "HTML"),
    ("ole2-named-msi", "installera.msi", OLE2, "application/x-msi", "Office"),
    ("unsupported-type-mp3", "ljud.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 300,
     "audio/mpeg", "stöds inte"),
    ("one-byte-over-the-limit", "stor.txt", b"a" * (SMALL_LIMIT + 1), "text/plain", "större än"),
]

# (case id, filename, content, declared type, stored name, served content type)
STORED_SAFELY = [
    ("wrong-declared-type", "rapport.pdf", PDF, "text/html", "rapport.pdf", "application/pdf"),
    ("path-traversal-name", "../../../etc/passwd.pdf", PDF, "application/pdf", "passwd.pdf",
     "application/pdf"),
    ("absolute-name", "/etc/cron.d/rapport.pdf", PDF, "application/pdf", "rapport.pdf", "application/pdf"),
    ("nested-traversal-name", "a/../../b/./plan.pdf", PDF, "application/pdf", "plan.pdf",
     "application/pdf"),
    ("control-chars-in-name", "rap\x01\x1bport\x7f.pdf", PDF, "application/pdf", "rapport.pdf",
     "application/pdf"),
    ("rtl-override-harmless", "faktura\u202egnp.pdf", PDF, "application/pdf", "fakturagnp.pdf",
     "application/pdf"),
    ("bidi-isolates-and-zero-width", "plan\u2066\u200b\u2069.pdf", PDF, "application/pdf", "plan.pdf",
     "application/pdf"),
    ("swedish-name", "Åtgärdsplan för Rinkeby–Kista.pdf", PDF, "application/pdf",
     "Åtgärdsplan för Rinkeby–Kista.pdf", "application/pdf"),
    ("decomposed-unicode-name", "A\u030atga\u0308rd.pdf", PDF, "application/pdf", "Åtgärd.pdf",
     "application/pdf"),
    ("only-dots-name", "..", PDF, "application/pdf", "fil.pdf", "application/pdf"),
    ("no-extension", "lagesbild", PDF, "application/octet-stream", "lagesbild.pdf", "application/pdf"),
    ("dotfile-name", ".htaccess", b"Order allow,deny\n", "text/plain", "htaccess.txt", "text/plain"),
    ("very-long-name", "a" * 400 + ".pdf", PDF, "application/pdf", "a" * 176 + ".pdf", "application/pdf"),
    ("colon-in-name", "rapport:slutlig.pdf", PDF, "application/pdf", "rapport_slutlig.pdf",
     "application/pdf"),
    ("exactly-at-the-limit", "exakt.txt", b"a" * SMALL_LIMIT, "text/plain", "exakt.txt", "text/plain"),
    ("csv-with-formula", "lista.csv", b"namn;antal\n=cmd|' /C calc'!A0;1\n", "text/csv", "lista.csv",
     "text/csv"),
    ("uppercase-extension", "RAPPORT.PDF", PDF, "application/pdf", "RAPPORT.PDF", "application/pdf"),
    ("legacy-word", "gammal.doc", OLE2, "application/msword", "gammal.doc", "application/msword"),
    ("plain-zip", "bilder.zip", zip_of({"bild.png": PNG, "lasmig.txt": b"hej"}), "application/zip",
     "bilder.zip", "application/zip"),
]


@pytest.fixture
def uploader(login, make):
    return login(make.user())


@pytest.fixture
def isolated_tmp(tmp_path, monkeypatch):
    """The system temp directory, redirected so the test can prove nothing lands there."""
    import multiprocessing.util

    multiprocessing.util.get_temp_dir()  # the extraction worker's socket folder, made once
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))
    return systmp


def tree(path: Path, skip: Path | None = None) -> set[str]:
    return {str(p) for p in path.rglob("*") if skip is None or not p.is_relative_to(skip)}


def post(client, filename, content, content_type):
    return client.post("/bibliotek/ny", data={
        "title": "Testresurs", "type": "rapport", "visibility": "members", "language": "sv",
        "licence": "cc-by-4.0", "files": [(io.BytesIO(content), filename, content_type)],
    }, content_type="multipart/form-data")


def stored_files(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ResourceFile))


@pytest.mark.parametrize(("filename", "content", "declared", "message"),
                         [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_hostile_upload_is_refused_with_a_swedish_message(app, db, uploader, isolated_tmp, tmp_path,
                                                         filename, content, declared, message):
    content = zip_bomb() if content is None else content
    before = tree(tmp_path, skip=Path(app.config["STORAGE_DIR"]))
    response = post(uploader, filename, content, declared)
    assert response.status_code in (413, 422)
    page = response.get_data(as_text=True)
    assert "Formuläret innehåller fel" in page
    assert message.lower() in page.lower()
    assert stored_files(db) == 0
    storage_dir = Path(app.config["STORAGE_DIR"])
    assert [p for p in storage_dir.rglob("*") if p.is_file()] == []
    assert tree(tmp_path, skip=Path(app.config["STORAGE_DIR"])) == before
    assert list(isolated_tmp.iterdir()) == []


@pytest.mark.parametrize(("filename", "content", "declared", "stored_name", "served_type"),
                         [case[1:] for case in STORED_SAFELY], ids=[case[0] for case in STORED_SAFELY])
def test_odd_upload_is_stored_safely_and_served_only_as_attachment(
        app, db, uploader, isolated_tmp, tmp_path, filename, content, declared, stored_name, served_type):
    before = tree(tmp_path, skip=Path(app.config["STORAGE_DIR"]))
    response = post(uploader, filename, content, declared)
    assert response.status_code == 302, response.get_data(as_text=True)
    file = db.session.scalar(select(ResourceFile))
    assert file.filename == stored_name
    path = storage.path_for(file.storage_key)
    assert path.read_bytes() == content
    assert path.name == file.storage_key  # the name is metadata, never part of the path
    download = uploader.get(f"/bibliotek/fil/{file.id}")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith(served_type)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.get_data() == content
    download.close()
    assert tree(tmp_path, skip=Path(app.config["STORAGE_DIR"])) == before
    assert list(isolated_tmp.iterdir()) == []


def test_uploads_are_spooled_inside_the_storage_folder(app, uploader, monkeypatch):
    calls = []
    original = storage.spool_file

    def spy(*args, **kwargs):
        spooled = original(*args, **kwargs)
        calls.append(Path(spooled.name if isinstance(spooled.name, str) else "/proc/self/fd"))
        return spooled

    monkeypatch.setattr(storage, "spool_file", spy)
    response = post(uploader, "rapport.pdf", PDF, "application/pdf")
    assert response.status_code == 302
    assert calls, "the upload was not spooled through storage.spool_file"


def test_uploads_are_spooled_inside_storage_even_when_csrf_reads_the_form_first(
        app, make, login, isolated_tmp, monkeypatch):
    """CSRF protection parses the form in an app-wide hook, before any blueprint's hook runs:
    the spooling must be the request class's own, or files would land in the system tmp."""
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    calls = []
    original = storage.spool_file

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(storage, "spool_file", spy)
    client = login(make.user())
    page = client.get("/bibliotek/ny").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/bibliotek/ny", data={
        "csrf_token": token, "title": "Med CSRF", "type": "rapport", "visibility": "members",
        "language": "sv", "licence": "cc-by-4.0",
        "files": [(io.BytesIO(PDF), "rapport.pdf", "application/pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert calls
    assert list(isolated_tmp.iterdir()) == []


def test_one_bad_file_among_several_stores_none_of_them(app, db, uploader):
    response = uploader.post("/bibliotek/ny", data={
        "title": "Flera filer", "type": "rapport", "visibility": "members", "language": "sv",
        "licence": "cc-by-4.0",
        "files": [(io.BytesIO(PDF), "a.pdf", "application/pdf"),
                  (io.BytesIO(HTML), "b.pdf", "application/pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "b.pdf" in response.get_data(as_text=True)
    assert stored_files(db) == 0
    assert [p for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file()] == []


def test_a_request_over_the_size_limit_gets_the_swedish_413_page(app, uploader):
    response = post(uploader, "stor.pdf", b"%PDF-" + b"a" * (SMALL_LIMIT + 64 * 1024), "application/pdf")
    assert response.status_code == 413
    assert "för stort" in response.get_data(as_text=True)


def test_there_are_at_least_forty_hostile_cases():
    assert len(REFUSED) + len(STORED_SAFELY) >= 40
