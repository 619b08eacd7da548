"""Library fixtures: small upload limits, sample files, a resource factory."""

from __future__ import annotations

import io
import zipfile

import pytest

from network.resources import services
from network.resources.demo import tiny_pdf

SMALL_LIMIT = 64 * 1024


@pytest.fixture
def app_config(app_config):
    app_config["MAX_UPLOAD_BYTES"] = SMALL_LIMIT
    app_config["MAX_CONTENT_LENGTH"] = SMALL_LIMIT + 16 * 1024
    app_config["RESOURCE_EXTRACT_TIMEOUT"] = 30
    return app_config


def make_pdf(text: str = "Trygghetsvandring i centrum") -> bytes:
    """A minimal valid one-page PDF whose text pypdf can extract (the demo library's maker)."""
    return tiny_pdf([text])


def make_docx(text: str = "Metodstöd för föräldraskapsstöd") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"></Types>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                   'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                   f'{text}</w:t></w:r></w:p><w:p><w:r><w:t>Andra stycket</w:t></w:r></w:p>'
                   '</w:body></w:document>')
    return out.getvalue()


def make_odt(text: str = "Lägesbild för Järva") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr("content.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
                   f'<office:text><text:p>{text}</text:p></office:text></office:body>'
                   '</office:document-content>')
    return out.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")


class LibraryFactory:
    def __init__(self, make) -> None:
        self.make = make

    def resource(self, actor=None, *, title="Metodstöd mot nyrekrytering", visibility="members",
                 group=None, files=None, **kw):
        actor = actor or self.make.admin()
        if files is None and not kw.get("external_url"):
            files = [("guide.pdf", make_pdf())]
        uploads = [services.Upload(io.BytesIO(data), name) for name, data in (files or [])]
        kw.setdefault("type", "metodstod")
        if visibility == "public" and actor.is_admin:
            # The admin override, as an admin publishing the network's own material does it.
            kw.setdefault("override_reason", "Nätverkets eget material, publiceras direkt")
        return services.create_resource(actor, title=title, visibility=visibility,
                                        group_id=group.id if group else None, uploads=uploads, **kw)


@pytest.fixture
def library(make):
    return LibraryFactory(make)
