"""An independent check for executable or styled markup in HTML, using the stdlib parser."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from network.markdown import ALLOWED_TAGS

BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source",
        "track", "wbr"}
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "xlink:href", "cite", "background",
             "poster", "data"}


def _normalised_url(value: str) -> str:
    text = html.unescape(value or "")
    return "".join(ch for ch in text if ord(ch) > 0x20 and ch not in "\u200b\u202e\u2028").lower()


class _Checker(HTMLParser):
    def __init__(self, only_inside_class: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.only = only_inside_class
        self.depth = 0  # >0 while inside the region we check
        self.problems: list[str] = []

    def _active(self) -> bool:
        return self.only is None or self.depth > 0

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        if self.only and self.depth == 0:
            if tag == "div" and self.only in (attrs_d.get("class") or "").split():
                self.depth = 1
            return
        if self.only and tag not in VOID:
            self.depth += 1
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        if self._active():
            self._check(tag, attrs)

    def handle_endtag(self, tag):
        if self.only and self.depth > 0:
            self.depth -= 1

    def _check(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRS and _normalised_url(value).startswith(BAD_SCHEMES):
                self.problems.append(f"url {name}={value!r} on <{tag}>")
        if tag == "a" and dict(attrs).get("rel") != "nofollow ugc noopener":
            self.problems.append("link without rel=nofollow ugc noopener")


def unsafe_markup(fragment: str, only_inside_class: str | None = None) -> list[str]:
    """Problems found in ``fragment`` (empty list when it is safe)."""
    checker = _Checker(only_inside_class)
    checker.feed(fragment)
    checker.close()
    return checker.problems
