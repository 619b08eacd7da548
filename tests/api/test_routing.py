"""The API's JSON encoding: the bytes the json module wrote before, at orjson's speed."""

from __future__ import annotations

import datetime as dt
import json

from network.api.routing import encode


def test_answers_are_encoded_as_compact_utf8_json_like_the_json_module():
    payload = {
        "items": [{"id": 7, "title": "Trygghet i Rinkeby – \"steg\" 1\n\u2028\x01\\", "year": None,
                   "themes": ["grovt_vald"], "share": 0.25, "big": 10 ** 15, "ok": True}],
        "next": None, 3: "a key that is a number",
        "when": dt.datetime(2027, 3, 10, 10, 0, tzinfo=dt.UTC),  # not from a schema: str() as before
    }
    expected = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    assert encode(payload) == expected
