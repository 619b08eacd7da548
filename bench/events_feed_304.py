"""The public calendar feed of 1,000 events revalidated by a calendar client: If-None-Match → 304.

Feature target: >= 80 % of hello-world req/s.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from bench import events_feed, harness


def setup(instance_dir: Path, base_url: str) -> harness.Target:
    with harness.app_context(instance_dir):
        events_feed.create_events()
    request = urllib.request.Request(base_url + events_feed.PATH, headers=events_feed.CLIENT_HEADERS)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        etag = response.headers["ETag"]
    return harness.Target(paths=[events_feed.PATH], expect_status=304,
                          headers={**events_feed.CLIENT_HEADERS, "If-None-Match": etag})
