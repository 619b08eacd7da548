"""User-written Markdown to safe HTML: render once at save time, store the result.

Two independent layers, so a mistake in one is caught by the other:
1. markdown-it-py, CommonMark plus tables and strikethrough, with raw HTML *off* (``<script>``
   typed by a user stays text) and a nesting cap so pathological input takes bounded time.
2. nh3 (Rust's ammonia) with an explicit allowlist of tags, attributes and URL schemes; it also
   adds ``rel="nofollow ugc noopener"`` to every link.

No images at all: an image in Markdown becomes a plain link to it, so nobody's browser fetches a
remote file just by reading a post. Headings are demoted two levels (``#`` → ``<h3>``) because a
post sits under the page's own ``<h1>`` and ``<h2>``.

Other features import ``render_markdown`` (and ``plain_text`` for search indexes and excerpts).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

MAX_LENGTH = 50_000
# Deeper structure than this is not something people write; the form refuses it with a message
# and markdown-it stops descending (``maxNesting``) so rendering stays cheap either way.
MAX_NESTING = 20

ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "code", "pre", "em",
    "strong", "del", "s", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
    "code": {"language-" + lang for lang in ("python", "sql", "json", "bash", "text", "html")},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_DEMOTE = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}
_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def _render_image(self, tokens, idx, options, env) -> str:
    """An image becomes a link to it, labelled with its alt text (or the address)."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    label = self.renderInlineAsText(token.children or [], options, env) or src
    href = html.escape(str(src), quote=True)
    return f'<a href="{href}">{html.escape(label)}</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _render_image)
    return md


def _adjust(tokens) -> None:
    """Demote headings; turn table alignment styles into allowlisted classes."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = _DEMOTE[token.tag]
        elif token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style:
                token.attrs.pop("style", None)
                match = _ALIGN.search(str(style))
                if match:
                    token.attrSet("class", "align-" + match.group(1))


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Sanitised HTML for ``text``. Input longer than MAX_LENGTH is cut (forms refuse it first)."""
    source = (text or "")[:MAX_LENGTH]
    md = _parser()
    tokens = md.parse(source)
    _adjust(tokens)
    return sanitise(md.renderer.render(tokens, md.options, {}))


_LIST_OR_QUOTE = re.compile(r"\s*(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s))")


def nesting_depth(text: str) -> int:
    """How deeply quotes and lists nest in ``text`` (the deepest line), cheaply, without parsing."""
    deepest = 0
    for line in (text or "").splitlines():
        depth, pos = 0, 0
        indent = len(line) - len(line.lstrip(" "))
        while True:
            match = _LIST_OR_QUOTE.match(line, pos)
            if not match:
                break
            depth += 1
            pos = match.end()
        deepest = max(deepest, depth + indent // 2)
    return deepest


def plain_text(fragment_html: str) -> str:
    """The text of sanitised HTML, for search indexes, excerpts and emails."""
    spaced = re.sub(r"<(?:/p|br|/li|/h\d|/tr|/blockquote|/pre)\s*/?>", "\n", fragment_html or "")
    text = nh3.clean(spaced, tags=set())
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()
