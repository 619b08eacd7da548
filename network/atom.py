"""The one Atom 1.0 writer (RFC 4287): entries in, bytes out.

Every feature's feed (forum categories, the library, the experience bank) builds ``Entry``
objects from what the reader may see and hands them here; this module only writes the format.
Text is escaped by the XML serialiser; ``content_html`` is the stored, sanitised HTML of the
item, written as ``type="html"`` text, and ``summary`` as plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # noqa: S405 - building XML, never parsing it

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A fixed date for a feed with nothing in it, so its <updated> does not change on every request.
EMPTY_FEED_UPDATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Category:
    term: str
    label: str = ""


@dataclass
class Entry:
    id: str  # a stable URI
    title: str
    url: str
    published: dt.datetime
    updated: dt.datetime
    author: str = ""
    summary: str = ""
    content_html: str = ""
    categories: Sequence[Category] = field(default_factory=tuple)


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 in UTC with a Z, to the second."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _entry(root: ET.Element, item: Entry) -> None:
    entry = _sub(root, "entry")
    _sub(entry, "id", item.id)
    _sub(entry, "title", item.title)
    _sub(entry, "link", rel="alternate", type="text/html", href=item.url)
    _sub(entry, "published", timestamp(item.published))
    _sub(entry, "updated", timestamp(item.updated))
    if item.author:
        _sub(_sub(entry, "author"), "name", item.author)
    for category in item.categories:
        attrs = {"term": category.term}
        if category.label:
            attrs["label"] = category.label
        _sub(entry, "category", **attrs)
    if item.summary:
        _sub(entry, "summary", item.summary, type="text")
    if item.content_html:
        _sub(entry, "content", item.content_html, type="html")


def feed(*, feed_id: str, title: str, site_url: str, self_url: str, entries: Iterable[Entry],
         subtitle: str = "", author: str = "", updated: dt.datetime | None = None,
         language: str = "sv") -> bytes:
    """The feed document; ``updated`` defaults to the newest entry's."""
    items = list(entries)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: language})
    _sub(root, "id", feed_id)
    _sub(root, "title", title)
    if subtitle:
        _sub(root, "subtitle", subtitle)
    newest = max((item.updated for item in items), default=None)
    _sub(root, "updated", timestamp(updated or newest or EMPTY_FEED_UPDATED))
    _sub(root, "link", rel="alternate", type="text/html", href=site_url)
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    if author:
        _sub(_sub(root, "author"), "name", author)
    for item in items:
        _entry(root, item)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
