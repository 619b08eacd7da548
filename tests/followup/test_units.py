"""Pure pieces: charts, exports, the Atom feed and the dashboard's trend rule."""

from __future__ import annotations

import datetime as dt
import io
from xml.etree import ElementTree as ET

import pytest

from network.followup import charts, exports
from network.followup.dashboard import trend

SVG = "{http://www.w3.org/2000/svg}"


def _indicator_svg(name="Andel <trygga> & $x$"):
    return charts.indicator_chart(
        chart_id="c1", name=name, unit="procent", points=[(dt.date(2025, 3, 31), 42.0),
                                                          (dt.date(2025, 6, 30), 45.5)],
        baseline=40.0, baseline_date=dt.date(2024, 12, 31), target=55.0,
        labels={"measured": "Uppmätt", "baseline": "Baslinje", "target": "Mål"}, desc="Beskrivning")


def test_indicator_chart_is_accessible_svg_with_escaped_labels():
    svg = _indicator_svg()
    root = ET.fromstring(svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg)  # noqa: S314 - our own output
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Andel <trygga> & $x$"
    assert root.find(f"{SVG}desc").text == "Beskrivning"
    assert "<script" not in svg and "<trygga>" not in svg


def test_bar_chart_handles_stacked_series():
    svg = charts.bar_chart(chart_id="d", title="Åtgärder", categories=["Malmö", "Örebro"],
                           series={"Pågår": [3, 1], "Avslutad": [1, 0]}, unit="Antal", desc="d")
    assert 'role="img"' in svg and "Malmö" in svg and "Pågår" in svg


def test_chart_cache_returns_the_same_svg_for_the_same_key():
    calls = []

    def build():
        calls.append(1)
        return "<svg/>"

    assert charts.cached(("test", 1, "t"), build) == charts.cached(("test", 1, "t"), build)
    assert len(calls) == 1


def test_csv_is_excel_friendly_and_disarms_formulas():
    body = exports.to_csv((["Kommun", "Timmar"], [["Malmö", 2.5], ["=HYPERLINK()", None]]))
    text = body.decode("utf-8")
    assert text.startswith("\ufeffKommun;Timmar\r\n")
    assert "Malmö;2,5" in text and "'=HYPERLINK()" in text  # Swedish decimal comma


def test_xlsx_reads_back_with_every_sheet():
    from openpyxl import load_workbook

    body = exports.to_xlsx({"Kommuner": (["Kommun", "Åtgärder"], [["Malmö", 4], ["Örebro", 2]]),
                            "Stöd": (["Datum"], [[dt.date(2025, 1, 2)]])})
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Kommuner", "Stöd"]
    rows = list(workbook["Kommuner"].iter_rows(values_only=True))
    assert rows == [("Kommun", "Åtgärder"), ("Malmö", 4), ("Örebro", 2)]


@pytest.mark.parametrize("baseline, target, desired, latest, expected", [
    (40, 55, "", None, "no_data"),
    (40, 55, "", 56, "achieved"),
    (40, 55, "", 45, "improving"),
    (40, 55, "", 38, "not_improving"),
    (48, 30, "", 29, "achieved"),
    (48, 30, "", 40, "improving"),
    (48, None, "down", 40, "improving"),
    (48, None, "up", 40, "not_improving"),
])
def test_trend_compares_latest_with_baseline_and_target(baseline, target, desired, latest, expected):
    assert trend(baseline, target, desired, latest) == expected
