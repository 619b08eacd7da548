"""CSV and XLSX for the programme report: (headers, rows) in, bytes out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from network.csvwriter import csv_bytes, safe_cell

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]


def _safe(value: Any) -> Any:
    return safe_cell(value) if isinstance(value, str) else value


def to_csv(table: Table, convention: str = "sv") -> bytes:
    """Swedish convention by default (semicolon, decimal comma, UTF-8 with BOM); "intl" on request."""
    headers, rows = table
    return csv_bytes(headers, rows, convention)


def to_xlsx(sheets: dict[str, Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append([_safe(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe(v) for v in row])
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows[:200]])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
