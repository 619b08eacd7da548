"""The report the agency hands in, as a PDF: objects in, bytes out (no request, no database).

fpdf2 is pure Python (see pyproject.toml): it installs on a clean machine with pip alone, unlike
WeasyPrint, which needs the system's Pango. The built-in Helvetica covers Swedish letters
(Latin-1); the few characters outside it (dashes, quotes) are replaced by their plain forms.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import XPos, YPos

_PLAIN = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                        "\u00a0": " ", "\u202f": " ", "≤": "<=", "≥": ">="})


def plain(text: object) -> str:
    return str("" if text is None else text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


@dataclass
class Section:
    """One municipality's page: (label, value) lines."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    period: str
    made: str
    overview_title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    totals: Sequence[object]
    charts: list[tuple[str, bytes]] = field(default_factory=list)
    sections_title: str = ""
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _PDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, plain(f"{self.footer_text}  {self.page_no()}"), align="R")


def render(report: Report) -> bytes:
    pdf = _PDF(orientation="landscape", format="A4")
    pdf.footer_text = report.title
    pdf.set_title(plain(report.title))
    pdf.set_creator("network")
    pdf.set_auto_page_break(auto=True, margin=15)
    _title_page(pdf, report)
    _overview(pdf, report)
    for title, png in report.charts:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 10, plain(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.image(io.BytesIO(png), w=min(250, pdf.epw), keep_aspect_ratio=True, h=pdf.eph - 20)
    if report.sections:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 12, plain(report.sections_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for section in report.sections:
            _section(pdf, section)
    return bytes(pdf.output())


def _title_page(pdf: FPDF, report: Report) -> None:
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("Helvetica", "B", 26)
    pdf.multi_cell(0, 14, plain(report.title), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=16)
    pdf.multi_cell(0, 10, plain(report.subtitle), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, plain(report.period), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 8, plain(report.made), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for note in report.notes:
        pdf.multi_cell(0, 6, plain(note), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _overview(pdf: FPDF, report: Report) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 12, plain(report.overview_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=7.5)
    first = 34
    rest = (pdf.epw - first) / max(1, len(report.headers) - 1)
    widths = [first] + [rest] * (len(report.headers) - 1)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4, repeat_headings=1) as table:
        table.row([plain(h) for h in report.headers])
        for row in report.rows:
            table.row([plain(v) for v in row])
        table.row([plain(v) for v in report.totals])


def _section(pdf: FPDF, section: Section) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, plain(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for label_text, value in section.lines:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(60, 5, plain(label_text))
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(0, 5, plain(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
