"""One family of date filters (network/dates.py): Stockholm time, Babel formats, both languages."""

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import render_template_string

from network.dates import timeago

UTC = dt.UTC
ROOT = Path(__file__).resolve().parents[1]
WINTER = dt.datetime(2026, 11, 26, 17, 41, tzinfo=UTC)
SUMMER = dt.datetime(2026, 6, 15, 10, 5, tzinfo=UTC)


def _render(template: str, **context) -> str:
    return render_template_string(template, **context)


def test_utc_datetimes_are_shown_in_stockholm_time_in_swedish(app):
    with app.test_request_context("/"):
        assert _render("{{ t|datetime }}", t=WINTER) == "26 nov. 2026 kl. 18:41"
        assert _render("{{ t|datetime }}", t=SUMMER) == "15 juni 2026 kl. 12:05"
        assert _render("{{ t|time }}", t=SUMMER) == "12:05"
        assert _render("{{ t|localtime }}", t=WINTER).startswith("2026-11-26 18:41:00+01:00")
        assert _render("{{ t|date }}", t=dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1 jan. 2027"
        assert _render('{{ t|date("full") }}', t=WINTER) == "torsdag 26 november 2026"
        assert _render('{{ t|date("LLLL y") }}', t=dt.date(2026, 12, 1)) == "december 2026"
        assert _render("{{ none|datetime }}{{ none|date }}{{ none|time }}{{ none|timeago }}") == ""


def test_english_dates_say_at_and_never_kl(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert _render("{{ t|datetime }}", t=WINTER) == "Nov 26, 2026 at 18:41"
        assert _render('{{ t|datetime("full") }}', t=WINTER) == "Thursday, November 26, 2026 at 18:41"
        assert "kl." not in _render('{{ t|datetime("long") }}', t=SUMMER)


def test_timetag_carries_the_exact_moment_in_utc(app):
    with app.test_request_context("/"):
        assert _render("{{ t|timetag }}", t=WINTER) == (
            '<time datetime="2026-11-26T17:41:00+00:00">26 nov. 2026 kl. 18:41</time>')
        assert _render("{{ t|timetag(date_only=True) }}", t=WINTER) == (
            '<time datetime="2026-11-26T17:41:00+00:00">26 nov. 2026</time>')


@pytest.mark.parametrize("lang, ago, expected", [
    ("sv", dt.timedelta(minutes=3), "för 3 minuter sedan"),
    ("en", dt.timedelta(minutes=3), "3 minutes ago"),
    ("sv", dt.timedelta(hours=5), "för 5 timmar sedan"),
    ("sv", dt.timedelta(seconds=20), "just nu"),
    ("en", dt.timedelta(seconds=20), "just now"),
])
def test_recent_moments_read_relative_with_the_exact_time_kept(app, lang, ago, expected):
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        shown = str(timeago(now - ago, now=now))
    assert re.fullmatch(r'<time datetime="2026-12-06T\d\d:\d\d:\d\d\+00:00" title="[^"]+">(.+)</time>',
                        shown).group(1) == expected


def test_moments_older_than_a_week_show_their_date(app):
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    with app.test_request_context("/"):
        shown = str(timeago(WINTER, now=now))
    assert shown == '<time datetime="2026-11-26T17:41:00+00:00">26 nov. 2026 kl. 18:41</time>'


def test_templates_use_only_the_one_family():
    """No feature's own date filters, no strftime or hand-written ISO dates in templates."""
    retired = re.compile(r"\|\s*(?:dateformat|datetimeformat|fu_date|local_time)\b|strftime\(")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "network").rglob("templates/**/*")
                 if p.is_file() and retired.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_relative_labels_reused_across_views_read_exactly_as_babels_own(app, lang):
    """The relative label is kept per (unit, count, direction, language); every delta, including
    those on the edge between two units, still reads as Babel would write it."""
    import flask_babel

    seconds = [61, 89, 90, 91, 149, 150, 3059, 3060, 3239, 3240, 3241, 5399, 5400, 84000,
               86399, 129599, 129600, 518400, 604799]
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        for s in seconds:
            for sign in (-1, 1):
                delta = dt.timedelta(seconds=sign * s)
                html = timeago(WINTER + delta, now=WINTER)
                expected = flask_babel.format_timedelta(delta, add_direction=True, threshold=0.9)
                assert f">{expected}</time>" in str(html), (s, sign, html)
