"""Attendee lists as CSV through the one writer (``network/csvwriter.py``), Swedish convention."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from network.csvwriter import csv_text, safe_cell

__all__ = ["safe_cell", "to_csv"]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Semicolon-separated with a BOM, which is what Swedish Excel opens correctly."""
    return csv_text(header, rows)
