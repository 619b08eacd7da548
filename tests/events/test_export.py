import csv
import io

from network.events.export import safe_cell, to_csv


def test_csv_parses_back_with_swedish_characters():
    text = to_csv(["Namn", "Behov"], [["Åsa Öberg", "Rullstol; hiss"], ["Per", ""]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["Namn", "Behov"], ["Åsa Öberg", "Rullstol; hiss"], ["Per", ""]]


def test_formula_cells_are_neutralised():
    for value in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)"):
        assert safe_cell(value) == "'" + value
    assert safe_cell("Anna") == "Anna"
    rows = list(csv.reader(io.StringIO(to_csv(["a"], [["=1+1"]])[1:]), delimiter=";"))
    assert rows[1] == ["'=1+1"]
