"""The one CSV writer: Swedish and international conventions, formula-safe text, numbers kept."""

from __future__ import annotations

import csv
import datetime as dt
import io

from network.csvwriter import csv_bytes, csv_text


def test_swedish_convention_reads_back_with_semicolon_and_decimal_comma():
    body = csv_bytes(["Kommun", "Timmar", "Antal", "Datum"],
                     [["Malmö", 4.5, 3, dt.date(2026, 3, 1)], ["Lund", -1.25, 0, None]])
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Malmö", "4,5", "3", "2026-03-01"]
    assert float(rows[2][1].replace(",", ".")) == -1.25  # a negative number is not "disarmed"


def test_international_convention_uses_commas_and_points_without_bom():
    text = csv_text(["a", "b"], [["x, y", 2.5]], convention="intl")
    assert not text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["x, y", "2.5"]]


def test_text_that_looks_like_a_formula_is_disarmed():
    rows = list(csv.reader(io.StringIO(csv_text(["a"], [["=1+1"], ["-sum"], ["@x"]])[1:]), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'-sum", "'@x"]


def test_swedish_names_and_separators_inside_cells_survive():
    text = csv_text(["Namn", "Behov"], [["Åsa Öberg", "Rullstol; hiss"], ["Per", ""]])
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["Namn", "Behov"], ["Åsa Öberg", "Rullstol; hiss"], ["Per", ""]]
