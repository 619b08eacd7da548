"""Text for search comes out of PDF, DOCX, ODT and text files, within limits, never blocking."""

import zipfile

from network.resources import extract
from tests.resources.conftest import make_docx, make_odt, make_pdf


def write(tmp_path, content: bytes):
    path = tmp_path / "f"
    path.write_bytes(content)
    return path


def test_pdf_text_is_extracted(tmp_path):
    assert "Trygghetsvandring" in extract.extract_text(write(tmp_path, make_pdf()), "pdf")


def test_docx_paragraphs_are_extracted(tmp_path):
    text = extract.extract_text(write(tmp_path, make_docx("Föräldraskapsstöd i Malmö")), "docx")
    assert "Föräldraskapsstöd i Malmö" in text and "Andra stycket" in text


def test_odt_text_is_extracted(tmp_path):
    assert "Lägesbild för Järva" in extract.extract_text(write(tmp_path, make_odt()), "odt")


def test_plain_text_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(extract, "MAX_TEXT", 10)
    assert extract.extract_text(write(tmp_path, "åäö".encode() * 100), "txt") == "åäö" * 3 + "å"


def test_a_broken_pdf_gives_no_text_and_no_error(tmp_path):
    assert extract.extract_text(write(tmp_path, b"%PDF-1.4\nthis is not a pdf"), "pdf") == ""


def test_a_docx_with_a_broken_document_gives_no_text(tmp_path):
    path = tmp_path / "f"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document><unclosed>")
    assert extract.extract_text(path, "docx") == ""


def test_entity_expansion_in_office_xml_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document><w:t>&b;</w:t></w:document>')
    path = tmp_path / "f"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", bomb)
    assert extract.extract_text(path, "docx") == ""


def test_extraction_that_overruns_its_time_is_abandoned_and_the_next_one_works(tmp_path):
    path = write(tmp_path, make_pdf())
    assert extract.extract_text(path, "pdf", timeout=0.000001) == ""
    assert "Trygghetsvandring" in extract.extract_text(path, "pdf")


def test_images_and_archives_are_not_read_for_text(tmp_path):
    assert extract.extract_text(write(tmp_path, b"PK\x03\x04"), "zip") == ""
