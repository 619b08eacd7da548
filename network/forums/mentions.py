"""``@handle`` mentions.

There are no usernames in the network, so a person's handle is derived from their display name:
Unicode-normalised (NFKC), lower-cased, each run of spaces becomes one ".", and only letters,
digits, "." "-" and "_" are kept ("Anna-Karin Öberg" → ``@anna-karin.öberg``). Two people with
the same name share a handle and a mention reaches both; the autocompletion shows their
organisations so the writer sees it. Mentions inside code are ignored.

Everything here is limited to the people who may see the topic: the mention notifies only them
and the autocompletion only offers them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.accounts.models import User
from network.extensions import db
from network.markdown import plain_text

MENTION = re.compile(r"(?<![\w@.])@(\w[\w.\-]*\w|\w)")
MAX_MENTIONS = 20
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)
_KEEP = re.compile(r"[^\w.\-]")


def handle_of(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    text = re.sub(r"\s+", ".", text)
    return _KEEP.sub("", text).strip(".-")


def handles_in(body_html: str) -> set[str]:
    """The handles mentioned in rendered post HTML (outside code), at most MAX_MENTIONS."""
    text = plain_text(_CODE.sub(" ", body_html or ""))
    found: list[str] = []
    for match in MENTION.finditer(text):
        handle = match.group(1).lower().rstrip(".-")
        if handle and handle not in found:
            found.append(handle)
    return set(found[:MAX_MENTIONS])


def _candidates(visible: list) -> Iterable[tuple[int, str]]:
    return db.session.execute(select(User.id, User.name).where(*visible)).all()


def resolve(handles: set[str], visible: list) -> list[User]:
    """The visible people whose handle was mentioned."""
    ids = [uid for uid, name in _candidates(visible) if handle_of(name) in handles]
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def suggest(term: str, visible: list, limit: int = 8) -> list[dict]:
    """People whose name or handle starts with (or has a word starting with) ``term``."""
    needle = handle_of(term.lstrip("@"))
    if not needle:
        return []
    matches = []
    for uid, name in _candidates(visible):
        handle = handle_of(name)
        words = re.split(r"[.\-_]", handle)
        if handle.startswith(needle) or any(w.startswith(needle) for w in words):
            matches.append((not handle.startswith(needle), name.lower(), uid))
    matches.sort()
    ids = [uid for *_rest, uid in matches[:limit]]
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(ids)).options(selectinload(User.organisation)))}
    return [{"handle": handle_of(users[uid].name), "name": users[uid].name,
             "organisation": users[uid].organisation.name if users[uid].organisation else ""}
            for uid in ids if uid in users]
