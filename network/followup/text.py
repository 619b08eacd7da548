"""Markdown for follow-up texts: the shared renderer when it exists, else the same recipe here.

The forums feature owns ``network/markdown.py`` (``render_markdown(text) -> sanitised HTML``).
Until it lands on main this module renders with markdown-it-py (HTML input disabled) and
sanitises with nh3's allowlist, which is what that module does too.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
                "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _local_render(text: str) -> str:
    html = _parser().render(text or "")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow ugc")


def render(text: str) -> str:
    try:
        from network.markdown import render_markdown
    except ImportError:
        return _local_render(text)
    return render_markdown(text or "")
