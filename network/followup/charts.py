"""Server-side SVG charts (matplotlib, Agg backend): data in, SVG text out.

Why matplotlib: the reference plotting library, long maintained, deterministic SVG without any
browser JavaScript (locked-down office browsers), fine control over text, lines and colours.
Its SVG carries inline ``style`` attributes, which the page CSP (``style-src 'self'``) would block
inside HTML, so charts are served as image endpoints with their own strict CSP (see views) and
the page carries the alt text and the same numbers in a table. Each SVG still gets ``role="img"``,
``aria-labelledby`` and a ``<title>``/``<desc>`` for when it is opened on its own.

Labels come from users (indicator names): they are escaped for XML here, and ``$`` is escaped so
matplotlib never reads them as mathtext.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from xml.sax.saxutils import escape

COLOURS = {"line": "#0b4f8a", "baseline": "#4d5560", "target": "#1e6b34",
           "bars": ["#0b4f8a", "#a3470b", "#1e6b34", "#6b3fa0", "#4d5560"]}
_CACHE: OrderedDict[Hashable, str] = OrderedDict()
_CACHE_SIZE = 512
_LOCK = threading.Lock()


def cached(key: Hashable, build: Callable[[], str]) -> str:
    """A small in-process LRU; keys include ``updated_at`` so edits never serve a stale chart."""
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    svg = build()
    with _LOCK:
        _CACHE[key] = svg
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return svg


def _plain(text: str) -> str:
    return str(text).replace("$", r"\$")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    matplotlib.rcParams["svg.hashsalt"] = "network"  # stable ids: same data, same bytes
    import matplotlib.pyplot as plt

    return plt


def _finish(fig, title: str, desc: str, chart_id: str) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return accessible_svg(buffer.getvalue(), title, desc, chart_id)


def accessible_svg(svg: str, title: str, desc: str, chart_id: str) -> str:
    """Give the root <svg> role="img", aria-labelledby and escaped <title>/<desc> children."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    head = svg[start:end].replace("<svg", f'<svg role="img" aria-labelledby="{tid} {did}"', 1)
    inner = (f'<title id="{tid}">{escape(title)}</title>'
             f'<desc id="{did}">{escape(desc)}</desc>')
    return svg[:start] + head + ">" + inner + svg[end + 1:]


def indicator_chart(*, chart_id: str, name: str, unit: str, points: Sequence[tuple[dt.date, float]],
                    baseline: float, baseline_date: dt.date, target: float | None,
                    labels: dict[str, str], desc: str) -> str:
    """A line over time with the baseline and the target as horizontal reference lines."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=96)
    dates = [baseline_date] + [p[0] for p in points]
    values = [baseline] + [p[1] for p in points]
    ax.plot(dates, values, marker="o", color=COLOURS["line"], linewidth=2, label=_plain(labels["measured"]))
    ax.axhline(baseline, color=COLOURS["baseline"], linestyle="--", linewidth=1.2,
               label=_plain(labels["baseline"]))
    if target is not None:
        ax.axhline(target, color=COLOURS["target"], linestyle=":", linewidth=2,
                   label=_plain(labels["target"]))
    ax.set_title(_plain(name), loc="left", fontsize=11)
    ax.set_ylabel(_plain(unit))
    ax.grid(axis="y", color="#c9d0d8", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="best", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return _finish(fig, name, desc, chart_id)


def bar_chart(*, chart_id: str, title: str, categories: Sequence[str],
              series: dict[str, Sequence[float]], unit: str, desc: str,
              colours: Sequence[str] | None = None) -> str:
    """Horizontal (stacked when several series) bars, one row per category."""
    fig = _bars(title, categories, series, unit, colours)
    return _finish(fig, title, desc, chart_id)


def bar_chart_png(*, title: str, categories: Sequence[str], series: dict[str, Sequence[float]],
                  unit: str, colours: Sequence[str] | None = None) -> bytes:
    """The same chart as a PNG, for the PDF report."""
    plt = _pyplot()
    fig = _bars(title, categories, series, unit, colours)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _bars(title: str, categories: Sequence[str], series: dict[str, Sequence[float]], unit: str,
          colours: Sequence[str] | None):
    plt = _pyplot()
    height = max(2.2, 0.32 * len(categories) + 1.2)
    fig, ax = plt.subplots(figsize=(7.2, height), dpi=96)
    left = [0.0] * len(categories)
    positions = list(range(len(categories)))
    for i, (name, values) in enumerate(series.items()):
        palette = colours or COLOURS["bars"]
        ax.barh(positions, values, left=left, color=palette[i % len(palette)], label=_plain(name))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions, [_plain(c) for c in categories], fontsize=8)
    if all(float(v).is_integer() for values in series.values() for v in values):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.set_xlabel(_plain(unit))
    ax.set_title(_plain(title), loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:  # below the axis, so it never covers a bar
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / height), ncol=len(series),
                  fontsize=8, frameon=False)
    return fig
