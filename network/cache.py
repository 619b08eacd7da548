"""The platform's cache: what may be reused, and for how long it stays right.

Correctness rests on generations: counters raised after every commit that changed data (any ORM
flush, any INSERT/UPDATE/DELETE statement run through the session), kept where every process
sees them (``network/generations.py``: a Redis key with ``REDIS_URL``, else a memory-mapped file
shared by the processes of one machine, in tests a counter in the app).

- The *data generation* is raised by every write. Lookups that may depend on anything (events'
  cached lists, conditional GETs of feeds and files) are valid while it holds.
- *Scopes* say what a write changed, so that cached pages of other parts stay: a write to a
  feature's table raises that feature's scope (``forums``, ``events``, ``resources``,
  ``followup``) and, when a ``register_scopes`` rule knows the one thing it changed (a post of
  topic 12), that thing's scope (``forums:topic:12``) instead of the feature's catch-all
  (``forums:*``). A write nobody classified (accounts, groups, memberships, anything in SQL text)
  raises ``structural``, on which every page depends.
- *Personal* writes, which only their owner ever sees (a member's read positions in the forum,
  their notifications being read), raise only that member's scope ``member:<id>``
  (``register_personal``, ``execution_options(cache_personal=user_id)``), or only a narrower
  scope of theirs for rows no cached page shows (their notifications: the badge is filled into
  each response and kept by ``notifications:<id>``).
- *Access* scopes (``forums:access``) say only that who may see something of a feature may have
  changed: a row that decides access was deleted, or a column of it that decides access changed
  (``register_access``). What depends on access alone, not on content (the notification badge),
  is stamped with them instead of the feature's every write.
- *Neutral* writes no cached page depends on raise nothing: ``execution_options(
  cache_neutral=True)`` (download counters), ``register_neutral(Model)`` (workshop chat messages,
  the outbox).

A cached page is stamped (``stamp``) with the generations it depends on, read before its view ran:
the scopes its view declares plus ``structural`` (or the data generation when it declares none),
and for a member their own ``member:<id>``. It is reused only while all of them hold, and never
longer than its own TTL (for what changes with the clock alone: "upcoming", "3 minutes ago").
So no cached page outlives the data it shows, whichever feature or process changed it (a web
request, a CLI command, another worker), and a post in one topic leaves the pages of other
topics, the library and the calendar in place.

The cached values themselves stay in the process (a bounded LRU): only the generations have to
be shared for a stale value never to be used, and in-process values need no serialising.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from network.generations import FileGeneration, LocalGeneration, RedisGeneration

__all__ = ["Cache", "FileGeneration", "LocalGeneration", "RedisGeneration"]

log = logging.getLogger(__name__)
_DIRTY = "network_cache_dirty"  # the data generation must move
_SCOPES = "network_cache_scopes"  # and these scopes
_MEMBER_SCOPES = "network_cache_member_scopes"
STRUCTURAL = "structural"
# Features whose tables carry their own scope; every other table's writes are structural.
FEATURE_SCOPES = ("forums", "events", "resources", "followup")
_NEUTRAL: set[type] = set()
_PERSONAL: dict[type, tuple[str, str | None, bool]] = {}
_SCOPE_RULES: dict[type, Callable[[Any], Iterable[str] | None]] = {}
_ACCESS: dict[type, tuple[str, frozenset[str]]] = {}
_listening = False
# The "generation" of a value keyed by its own content (e.g. a feed body under a hash of what it
# holds): it cannot go stale, only expire, so any data change leaves it usable.
CONTENT_KEYED = -1


class Cache:
    """Values tagged with the generation they were made at; a bounded in-process LRU."""

    def __init__(self, generation: LocalGeneration | FileGeneration | RedisGeneration,
                 max_entries: int = 2048) -> None:
        self.generation = generation
        self.max_entries = max_entries
        self._items: OrderedDict[Any, tuple[int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0  # read by /metrics (network/deploy/metrics.py)

    def get(self, key: Any, generation: int | None) -> Any:
        """The value stored under ``key`` at ``generation`` and not expired, else None."""
        if generation is None:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            made_at, expires, value = item
            if made_at != generation or expires < time.monotonic():
                del self._items[key]
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def set(self, key: Any, value: Any, generation: int | None, ttl: float) -> None:
        if generation is None:
            return
        with self._lock:
            self._items[key] = (generation, time.monotonic() + ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def delete(self, key: Any) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def cache() -> Cache:
    return current_app.extensions["network_cache"]


PAGES = "network_page_cache"


def pages() -> Cache:
    """Whole rendered pages (``network/pagecache.py``), kept apart from the small values."""
    return current_app.extensions[PAGES]


def generation() -> int | None:
    """The current data generation, or None when it cannot be known (then cache nothing)."""
    return cache().generation.value()


def bump() -> None:
    """Raise the generation by hand, for a change the session listeners cannot see."""
    cache().generation.bump_scopes((STRUCTURAL,), data=True)


def bump_data(*scopes: str) -> None:
    """Raise only the data generation (and ``scopes``), for a change outside the database that
    what is keyed by it must see (the page cache's memory of who a cookie is, when sessions live
    in Redis): pages stamped with their scopes stay."""
    cache().generation.bump_scopes(scopes, data=True)


def register_member_scopes(app: Flask, scopes: Iterable[str]) -> None:
    """Scopes that what every member's page shows of them depends on, beside their own scope:
    who may see the subjects of their notifications (the badge's access scopes). Kept sorted,
    as every member page's stamp reads them."""
    app.extensions[_MEMBER_SCOPES] = tuple(sorted({*app.extensions.get(_MEMBER_SCOPES, ()),
                                                   *scopes}))


def member_scopes(user_id: int, kind: str | None = None) -> tuple[str, ...]:
    """All a member's pages depend on beside their content: ``structural``, their own scope and
    the registered access scopes. With ``kind``: their narrower ``personal_scope`` instead of
    their own, for a value made of those rows alone."""
    own = member_scope(user_id) if kind is None else personal_scope(kind, user_id)
    return (STRUCTURAL, own, *current_app.extensions.get(_MEMBER_SCOPES, ()))


def scope_stamp(generation: int | None, scopes: tuple[str, ...] | None,
                user_id: int | None) -> Any:
    """What a cached page is valid at: the data generation when it declares no scopes, else
    ``structural`` and its scopes; for a member (``user_id``) also ``member_scopes``. None when
    any of them cannot be known (then nothing is reused or kept)."""
    if generation is None:
        return None
    names = (STRUCTURAL, *scopes) if scopes is not None else ()
    if user_id is not None:
        names = (*names, *member_scopes(user_id))
    if not names:
        return generation
    values = cache().generation.scope_values(names)
    if values is None:
        return None
    return values if scopes is not None else (generation, *values)


# -- noticing changes ----------------------------------------------------------------------------


def register_neutral(*models: type) -> None:
    """Rows of these models are shown on no cached page: writing them raises nothing."""
    _NEUTRAL.update(models)


def register_personal(model: type, user_attribute: str, kind: str | None = None,
                      pages: bool = True) -> None:
    """Rows of ``model`` are shown only to the member ``user_attribute`` names: writing one
    raises that member's scope, not the data generation. ``kind`` names a narrower scope of
    theirs raised too (``personal_scope``), for what depends on these rows alone (the badge on
    their notifications, not on their read positions). ``pages=False``: no cached page shows
    the rows (the badge is filled into each response, ``pagecache.register_personal_value``),
    so only the narrower scope is raised and the member's cached pages stay."""
    _PERSONAL[model] = (user_attribute, kind, pages)


def personal_scope(kind: str, user_id: int) -> str:
    return f"{kind}:{user_id}"


def member_scope(user_id: int) -> str:
    """The member's own scope: everything shown to them alone."""
    return personal_scope("member", user_id)


def register_scopes(model: type, rule: Callable[[Any], Iterable[str] | None]) -> None:
    """``rule(obj)`` names the scopes a written row of ``model`` changes (e.g. its topic), or
    None for its feature's catch-all."""
    _SCOPE_RULES[model] = rule


def access_scope(feature: str) -> str:
    return f"{feature}:access"


def register_access(model: type, scope: str, *columns: str) -> None:
    """Rows of ``model`` decide who may see something through ``columns`` (a topic's category, an
    event's visibility): deleting one, or changing one of these columns, also raises ``scope``
    (an ``access_scope``). A new row adds a thing and takes nobody's access away, so it raises
    nothing more. (A row that opens something to one member alone, a registration, raises that
    member's scopes instead: ``register_scopes``.)
    A bulk UPDATE or DELETE that names no scopes raises ``structural``, on which whatever
    depends on access depends too; one that names its scopes (``cache_scopes``) must name this
    one when it changes these columns."""
    _ACCESS[model] = (scope, frozenset(columns))


def _access_changed(session: Session, obj: Any, columns: frozenset[str]) -> bool:
    if obj in session.deleted:
        return True
    if obj in session.new:
        return False
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def changed_only(obj: Any, *attributes: str) -> bool:
    """Whether an updated row changed nothing but these attributes (e.g. counters)."""
    state = inspect(obj)
    if state.pending or state.deleted or state.was_deleted:
        return False
    return all(name in attributes or not attr.history.has_changes()
               for name, attr in state.attrs.items())


def _feature(model: type) -> str | None:
    parts = model.__module__.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "network" and parts[1] in FEATURE_SCOPES \
        else None


def _scopes_of(obj: Any) -> Iterable[str]:
    rule = _SCOPE_RULES.get(type(obj))
    found = rule(obj) if rule is not None else None
    if found is not None:
        return found
    feature = _feature(type(obj))
    return (feature, feature + ":*") if feature else (STRUCTURAL,)


def _mark(session: Session, scopes: Iterable[str], data: bool = True) -> None:
    if data:
        session.info[_DIRTY] = True
    session.info.setdefault(_SCOPES, set()).update(scopes)


def _after_flush(session: Session, _context: Any) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        kind = type(obj)
        if kind in _NEUTRAL:
            continue
        attribute, narrower, pages = _PERSONAL.get(kind, (None, None, True))
        owner = getattr(obj, attribute, None) if attribute is not None else None
        if owner is not None:
            own = (member_scope(owner),) if pages else ()
            _mark(session, own if narrower is None else (*own, personal_scope(narrower, owner)),
                  data=False)
        else:
            _mark(session, _scopes_of(obj))
        access = _ACCESS.get(kind)
        if access is not None and _access_changed(session, obj, access[1]):
            _mark(session, (access[0],))


def _do_orm_execute(state: Any) -> None:
    options = state.execution_options
    if options.get("cache_neutral"):
        return
    statement = state.statement
    writes = state.is_insert or state.is_update or state.is_delete or (
        isinstance(statement, TextClause)
        and statement.text.lstrip()[:6].lower() not in ("select", "pragma"))
    if not writes:
        return
    if options.get("cache_personal") is not None:
        # With ``cache_scopes``: the member's narrower scopes (``personal_scope``) too; with
        # ``cache_pages=False`` those alone (rows no cached page shows, see register_personal).
        own = (member_scope(options["cache_personal"]),) if options.get("cache_pages", True) \
            else ()
        _mark(state.session, (*own, *options.get("cache_scopes", ())), data=False)
    else:
        _mark(state.session, options.get("cache_scopes") or (STRUCTURAL,))


def _after_commit(session: Session) -> None:
    data = session.info.pop(_DIRTY, False)
    scopes = session.info.pop(_SCOPES, None)
    if not (data or scopes) or not has_app_context():
        return
    network_cache = current_app.extensions.get("network_cache")
    if network_cache is not None:
        network_cache.generation.bump_scopes(scopes or (), data=data)


def _after_rollback(session: Session) -> None:
    # Fires for the real database rollback only (not a savepoint's): nothing flushed survives.
    session.info.pop(_DIRTY, None)
    session.info.pop(_SCOPES, None)


def init_app(app: Flask) -> None:
    global _listening
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        generation_store: Any = RedisGeneration(redis_url, app.config["CACHE_KEY_PREFIX"] + ":generation")
    elif app.config.get("CACHE_GENERATION_FILE"):
        generation_store = FileGeneration(Path(app.config["CACHE_GENERATION_FILE"]))
    else:
        generation_store = LocalGeneration()
    app.extensions["network_cache"] = Cache(generation_store, app.config.get("CACHE_MAX_ENTRIES", 2048))
    # Whole pages in a store of their own: many, large and seldom asked for again under writes,
    # they would otherwise push out the small values every request needs (who a cookie is,
    # a member's groups, their unread count).
    app.extensions[PAGES] = Cache(generation_store, app.config.get("PAGE_CACHE_MAX_ENTRIES", 2048))
    if not _listening:
        # One set of listeners for every app (tests build many); each finds its app's cache.
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
