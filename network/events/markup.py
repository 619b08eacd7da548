"""Markdown for event descriptions until the shared ``network/markdown.py`` lands on main.

Same contract as the shared module will have: ``render_markdown(text) -> str`` of sanitised
HTML (markdown-it-py renders, nh3 keeps an allowlist). The integrator replaces the import.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
        "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default" escapes raw HTML in the source; nh3 is the second line of defence.
    return MarkdownIt("js-default").enable("table")


def render_markdown(text: str) -> str:
    html = _parser().render(text or "")
    return nh3.clean(html, tags=TAGS, attributes={"a": {"href", "title"}, "th": {"scope"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
