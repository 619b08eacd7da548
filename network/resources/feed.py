"""An Atom 1.0 feed (RFC 4287) as a pure function: items in, bytes out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # noqa: S405 - building XML, never parsing it

ATOM = "http://www.w3.org/2005/Atom"


@dataclass
class FeedItem:
    id: str
    title: str
    url: str
    published: dt.datetime
    updated: dt.datetime
    summary: str = ""
    author: str = ""
    categories: Sequence[str] = field(default_factory=tuple)


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(*, feed_id: str, title: str, self_url: str, site_url: str, author: str,
              items: Sequence[FeedItem], updated: dt.datetime | None = None,
              language: str = "sv") -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _sub(root, "id", feed_id)
    _sub(root, "title", title)
    newest = max((item.updated for item in items), default=None)
    _sub(root, "updated", _when(updated or newest or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    _sub(root, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(root, "link", rel="alternate", href=site_url, type="text/html")
    _sub(_sub(root, "author"), "name", author)
    for item in items:
        entry = _sub(root, "entry")
        _sub(entry, "id", item.id)
        _sub(entry, "title", item.title)
        _sub(entry, "link", rel="alternate", href=item.url, type="text/html")
        _sub(entry, "published", _when(item.published))
        _sub(entry, "updated", _when(item.updated))
        if item.author:
            _sub(_sub(entry, "author"), "name", item.author)
        for category in item.categories:
            _sub(entry, "category", term=category)
        if item.summary:
            _sub(entry, "summary", item.summary, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
