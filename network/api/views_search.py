"""One search over everything the caller may see (the shared, access-filtered index)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from network import fulltext
from network.api.blueprint import api_operation
from network.api.routing import PageArgs, decode_cursor, encode_cursor
from network.api.schemas import SearchOut

KINDS = ("forum_topic", "forum_post", "resource", "event", "experience", "measure")


class SearchArgs(PageArgs):
    q = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(validate=validate.OneOf(KINDS))


@api_operation("/search", summary="Search everything the caller may see", tag="search",
               query=SearchArgs, response=SearchOut, statuses=(400,))
def search(caller, args: dict) -> Any:
    """Ranked hits and per-kind counts, both through the same access filter as the search page."""
    position = decode_cursor(args.get("cursor"), (int,))
    page = position[0] if position else 1
    page = max(1, min(page, 10_000))
    kinds = [args["kind"]] if "kind" in args else None
    results = fulltext.search(caller.user, args["q"], kinds=kinds, page=page, per_page=args["limit"])
    counts = fulltext.kind_counts(caller.user, args["q"])
    more = page * args["limit"] < results.total
    return {
        "total": results.total,
        "counts": counts,
        "items": [hit.entry for hit in results.hits],
        "next": encode_cursor([page + 1]) if more else None,
    }
