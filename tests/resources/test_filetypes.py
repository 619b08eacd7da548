"""Content decides the type; names are cleaned for display only."""

import io
import zipfile

import pytest

from network.resources import filetypes
from network.resources.filetypes import Refused, ascii_fallback, safe_filename, sniff
from tests.resources.conftest import PNG, make_docx, make_odt, make_pdf


def office(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("a.pdf", make_pdf(), "application/pdf"),
    ("a.docx", make_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("a.xlsx", office({"xl/workbook.xml": "<w/>"}),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("a.pptx", office({"ppt/presentation.xml": "<p/>"}),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("a.odt", make_odt(), "application/vnd.oasis.opendocument.text"),
    ("a.png", PNG, "image/png"),
    ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 100, "image/jpeg"),
    ("a.txt", "Hej på dig, åäö\n".encode(), "text/plain; charset=utf-8"),
    ("a.csv", b"namn;kommun\nAnna;Malm\xc3\xb6\n", "text/csv; charset=utf-8"),
    ("utan-namn", b"kolumn,tal\na,1\nb,2\n", "text/csv; charset=utf-8"),
])
def test_allowed_types_are_recognised_by_content(tmp_path, name, content, kind):
    path = tmp_path / "f"
    path.write_bytes(content)
    detected, _ = sniff(path, name)
    assert detected.content_type == kind


def test_a_zip_with_too_many_members_is_refused_before_anything_is_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr(filetypes, "ZIP_MAX_MEMBERS", 10)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in range(11):
            z.writestr(f"{n}.txt", "x")
    path = tmp_path / "f"
    path.write_bytes(out.getvalue())
    with pytest.raises(Refused, match="för många"):
        sniff(path, "arkiv.zip")


def test_a_zip_that_unpacks_to_too_much_in_total_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(filetypes, "ZIP_MAX_TOTAL", 1000)
    path = tmp_path / "f"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.txt", "x" * 600)
        z.writestr("b.txt", "y" * 600)
    with pytest.raises(Refused, match="orimligt"):
        sniff(path, "arkiv.zip")


@pytest.mark.parametrize(("raw", "clean"), [
    ("rapport.pdf", "rapport.pdf"),
    ("C:\\Users\\anna\\plan.pdf", "plan.pdf"),
    ("../../etc/passwd", "passwd"),
    ("/absolut/sökväg/fil.pdf", "fil.pdf"),
    ("nul\x00byte.pdf", "nulbyte.pdf"),
    ("rapport\u202efdp.exe", "rapportfdp.exe"),
    ("a\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069b.pdf", "ab.pdf"),
    ("A\u030angermanland.pdf", "Ångermanland.pdf"),
    ('citat "här".pdf', "citat 'här'.pdf"),
    ("  många   mellanslag  .pdf", "många mellanslag .pdf"),
    ("...", "fil"),
    ("", "fil"),
    (None, "fil"),
    ("rad\nbrytning.pdf", "radbrytning.pdf"),
])
def test_names_are_cleaned_for_display(raw, clean):
    assert safe_filename(raw) == clean


def test_long_names_keep_their_extension():
    cleaned = safe_filename("x" * 500 + ".docx")
    assert len(cleaned) <= filetypes.MAX_NAME and cleaned.endswith(".docx")


def test_the_ascii_fallback_name_is_plain_ascii():
    assert ascii_fallback("Åtgärdsplan för Rinkeby–Kista.pdf") == "Atgardsplan for Rinkeby_Kista.pdf"
    assert ascii_fallback("ÅÄÖ") == "AAO"
    assert ascii_fallback("中文") == "__"
