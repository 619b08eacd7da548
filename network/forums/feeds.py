"""Atom (RFC 4287) for a public category: objects in, bytes out.

The caller decides what may be in the feed (only public categories, never deleted topics); this
module only writes the format. Entry content is the stored, sanitised HTML of the first post,
escaped as ``type="html"`` text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # noqa: S405 - building, not parsing

ATOM = "http://www.w3.org/2005/Atom"


@dataclass
class FeedEntry:
    id: str  # a stable tag: URI
    title: str
    url: str
    author: str
    published: dt.datetime
    updated: dt.datetime
    content_html: str


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def atom_feed(*, feed_id: str, title: str, subtitle: str, site_url: str, self_url: str,
              updated: dt.datetime, entries: Iterable[FeedEntry], lang: str = "sv") -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    sub(root, "id", feed_id)
    sub(root, "title", title)
    if subtitle:
        sub(root, "subtitle", subtitle)
    sub(root, "updated", _iso(updated))
    sub(root, "link", rel="alternate", type="text/html", href=site_url)
    sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    for item in entries:
        entry = sub(root, "entry")
        sub(entry, "id", item.id)
        sub(entry, "title", item.title)
        sub(entry, "link", rel="alternate", type="text/html", href=item.url)
        sub(entry, "published", _iso(item.published))
        sub(entry, "updated", _iso(item.updated))
        author = sub(entry, "author")
        sub(author, "name", item.author)
        sub(entry, "content", item.content_html, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
