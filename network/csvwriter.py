"""The one CSV writer: rows in, text or bytes out, safe to open in a spreadsheet.

Two conventions: ``"sv"`` (the default) is what Swedish Excel opens without an import dialog:
semicolons, decimal comma, UTF-8 with a BOM. ``"intl"`` is the international one: commas, decimal
point, UTF-8 without a BOM. Text cells that a spreadsheet would run as a formula are disarmed with
a leading quote (CSV injection); numbers are written as numbers, never quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONVENTIONS = {"sv": (";", ","), "intl": (",", ".")}


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def format_cell(value: object, decimal: str = ",") -> str:
    """One cell as text: numbers in the convention's notation, dates as ISO, text disarmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return safe_cell(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = f"{value:.10g}" if isinstance(value, float) else str(value)
        return text.replace(".", decimal)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return safe_cell(value)


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]], convention: str = "sv") -> str:
    delimiter, decimal = CONVENTIONS[convention]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([format_cell(cell, decimal) for cell in row])
    return ("\ufeff" if convention == "sv" else "") + out.getvalue()


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], convention: str = "sv") -> bytes:
    return csv_text(header, rows, convention).encode("utf-8")
