"""How a view loads what its URL names: the object, or 404.

Views load with Flask-SQLAlchemy's own helpers rather than a hand-written
"get, ``is None``, ``abort(404)``": ``db.get_or_404(Model, id)`` (extra keywords such as
``options=[...]`` go to ``Session.get``), ``db.first_or_404(select(...))`` and
``db.one_or_404(...)``. Where the object's existence is itself private, the view then asks
``permissions`` and answers 404 explicitly: that line is the access rule, not the loading.

This module adds the one thing those helpers cannot know: ids in URLs are PostgreSQL
``integer`` columns, and a larger number in ``<int:...>`` used to reach the database and fail
there ("integer out of range", a 500). ``IdConverter`` replaces Flask's ``int`` converter with one
whose pattern matches only 0 to ``MAX_ID``, so a larger number is a URL like any unknown one: no
route matches and the app (or the API, with its problem document) answers 404 before any query.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL ``integer``: larger ids cannot exist and must not reach the database


def digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0..``limit`` (no leading zeros but "0").

    Shorter numbers are all below ``limit``; a number as long as it is below it where, after a
    common prefix, its digit is the smaller one.
    """
    top = str(limit)
    choices = ["0"] + ([rf"[1-9]\d{{0,{len(top) - 2}}}"] if len(top) > 1 else [])
    for i, digit in enumerate(top):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            choices.append(rf"{top[:i]}[{low}-{int(digit) - 1}]\d{{{len(top) - i - 1}}}")
    choices.append(top)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(IntegerConverter):
    """Flask's ``int`` URL converter, matching only what an integer column can hold."""

    regex = digits_up_to(MAX_ID)


def init_app(app: Flask) -> None:
    """Register the converter; call before any route is added (converters bind when rules do)."""
    app.url_map.converters["int"] = IdConverter


def parse_id(value: object) -> int | None:
    """A database id from user input (a form field, a query argument), or None if it cannot be one."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
