"""Highlighted titles and snippets, built in Python from readable text (the same on both databases).

The stored body is plain text, but a resource's extracted text can be a spreadsheet (CSV rows)
or carry markup; ``readable`` turns rows into "cell · cell" and drops tags before a window of
words around the best matches is chosen. Everything is escaped before our own <mark> tags are
added, so stored content can never inject markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection

from markupsafe import Markup

from network.fulltext.words import WORD, QueryWord, compound_parts, fold, stem_token

SNIPPET_WORDS = 28
SCAN_CHARS = 30_000  # how much of a long body is searched for the best window
TAG = re.compile(r"</?[A-Za-z][^<>]{0,300}>|<!--.*?-->", re.S)
CSV_SEPARATORS = (";", "\t", "|", ",")
MARKUP_CHARS = re.compile(r"(?:\*\*|__|`{1,3}|^#{1,6}\s|^>\s?|\[\[|\]\])", re.M)
SPACE = re.compile(r"\s+")


def _csv_row(line: str) -> str:
    """A spreadsheet-like line as "cell · cell"; other lines unchanged."""
    for sep in CSV_SEPARATORS:
        if line.count(sep) >= (3 if sep == "," else 2):
            cells = [c.strip().strip('"').strip() for c in line.split(sep)]
            return " · ".join(c for c in cells if c)
    return line


def readable(text: str) -> str:
    text = TAG.sub(" ", html.unescape(text or ""))
    text = MARKUP_CHARS.sub(" ", text)
    lines = [_csv_row(line) for line in text.splitlines()]
    return SPACE.sub(" ", " ".join(line for line in lines if line.strip())).strip()


class Marks:
    """Which words of a text a query marks: its forms, its stems, or a stem among a compound's
    parts. One per page of hits: each distinct word is decided once (a page repeats most of its
    words), so marking 20 snippets costs a dictionary lookup per word."""

    def __init__(self, words: Collection[QueryWord]) -> None:
        self.forms = {t for w in words for t in w.tokens}
        self.stems = {w.stem for w in words}
        self.seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        marked = self.seen.get(word)
        if marked is None:
            marked = self.seen[word] = self._decide(word)
        return marked

    def _decide(self, word: str) -> bool:
        if fold(word) in self.forms:
            return True
        stem = stem_token(word)
        return stem in self.stems or any(part in self.stems for part in compound_parts(stem))


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, position = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(html.escape(text[position:a], quote=False))
        out.append(f"<mark>{html.escape(text[a:b], quote=False)}</mark>")
        position = b
    out.append(html.escape(text[position:end], quote=False))
    return "".join(out)


def highlight_text(text: str, marks: Marks) -> Markup:
    """The whole (short) text, escaped, with matching words marked."""
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if marks(m.group())]
    return Markup(_marked(text, spans, 0, len(text)))  # noqa: S704 - escaped in _marked


def snippet(body: str, marks: Marks, size: int = SNIPPET_WORDS) -> Markup:
    """About ``size`` words of readable text around the densest matches, escaped and marked."""
    text = readable(body[:SCAN_CHARS * 2])[:SCAN_CHARS]
    words = list(WORD.finditer(text))
    if not words:
        return Markup("")
    hits = [i for i, m in enumerate(words) if marks(m.group())]
    first = 0
    if hits:
        # The window (starting a little before a hit) that covers the most distinct matches.
        best = -1
        for n, i in enumerate(hits[:200]):
            start = max(0, i - 3)
            covered = {fold(words[j].group()) for j in hits[n:n + size] if j < start + size}
            if len(covered) > best:
                best, first = len(covered), start
    last = min(len(words), first + size) - 1
    start_char = 0 if first == 0 else words[first].start()
    end_char = len(text) if last == len(words) - 1 else words[last].end()
    spans = [(words[i].start(), words[i].end()) for i in hits if first <= i <= last]
    body_html = _marked(text, spans, start_char, end_char)
    prefix = "… " if first > 0 else ""
    suffix = " …" if end_char < len(text) else ""
    return Markup(prefix + body_html + suffix)  # noqa: S704 - escaped in _marked


def highlight(fragment: str | None) -> Markup:
    """Escape a fragment carrying our private markers, then turn the markers into <mark>."""
    from network.fulltext import HL_END, HL_START

    escaped = html.escape(fragment or "", quote=False)
    marked = escaped.replace(HL_START, "<mark>").replace(HL_END, "</mark>")
    return Markup(marked)  # noqa: S704 - escaped above; only our own <mark> tags remain
