"""The API's one rate limit (``API_RATE_LIMIT`` per endpoint and caller), counted directly with
the ``limits`` strategies on Flask-Limiter's own storage.

``Limiter.check()`` searches defaults, blueprints, decorated and meta limits, builds wrapper
objects and resolves the limit string on every request: about a tenth of a page of 100
resources, for a single limit that is known in advance. This counts that one limit with the
strategy Flask-Limiter is configured with (``RATELIMIT_STRATEGY``) on ``limiter.storage``, and
answers as Flask-Limiter did: ``X-RateLimit-*`` and ``Retry-After`` on every answer, ``429``
(a problem, api/blueprint.py) when the limit is reached, and, with
``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``, counting in this process while the storage (Redis)
is unreachable, trying it again every ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from flask import Flask, after_this_request, current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage
from limits.strategies import STRATEGIES, RateLimiter
from werkzeug.exceptions import TooManyRequests

from network.extensions import limiter

log = logging.getLogger(__name__)


@lru_cache(maxsize=32)
def _item(text: str) -> RateLimitItem:
    return parse(text)


class ApiLimit:
    """One per app (``app.extensions["api_limit"]``): its settings and its fallback counter."""

    RECHECK_SECONDS = 5.0

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.strategy_class = STRATEGIES[config.get("RATELIMIT_STRATEGY") or "fixed-window"]
        self.headers = bool(config.get("RATELIMIT_HEADERS_ENABLED"))
        self.swallow = bool(config.get("RATELIMIT_SWALLOW_ERRORS"))
        self.fallback = (self.strategy_class(MemoryStorage())
                         if config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED") else None)
        self.enabled = config.get("RATELIMIT_ENABLED", True)
        self._strategies: dict[int, tuple[Storage, RateLimiter]] = {}
        self._dead_until: float | None = None  # storage unreachable: retry it after this time

    def _strategy(self) -> RateLimiter:
        if self._dead_until is not None:
            if time.monotonic() < self._dead_until or not _alive(limiter.storage):
                self._dead_until = time.monotonic() + self.RECHECK_SECONDS
                return self.fallback
            log.info("Rate limit storage recovered")
            self._dead_until = None
        storage = limiter.storage  # one limiter serves every app of the process: ask each time
        found = self._strategies.get(id(storage))
        if found is None or found[0] is not storage:
            found = self._strategies[id(storage)] = (storage, self.strategy_class(storage))
        return found[1]

    def hit(self, text: str, scope: str, key: str) -> None:
        """Count one call of ``scope`` by ``key``; TooManyRequests once ``text`` is reached."""
        if not self.enabled:
            return
        item = _item(text)
        try:
            strategy = self._strategy()
            allowed = strategy.hit(item, key, scope)
            reset, remaining = strategy.get_window_stats(item, key, scope)
        except Exception:
            if self.fallback is None or self._dead_until is not None:
                if not self.swallow:
                    raise
                log.exception("Failed to rate limit. Swallowing error")
                return
            log.warning("Rate limit storage unreachable - falling back to in-memory storage")
            self._dead_until = time.monotonic() + self.RECHECK_SECONDS
            self.hit(text, scope, key)
            return
        reset_at = int(reset + 1)
        if self.headers:
            _add_headers(item.amount, remaining, reset_at)
        if not allowed:
            log.info("ratelimit %s (%s) exceeded at endpoint: %s", text, key, scope)
            raise TooManyRequests(retry_after=max(reset_at - int(time.time()), 0))


def _alive(storage: Storage) -> bool:
    try:
        return bool(storage.check())
    except Exception:
        return False


def _add_headers(limit: int, remaining: int, reset_at: int) -> None:
    @after_this_request
    def add(response):
        headers = response.headers
        headers["X-RateLimit-Limit"] = str(limit)
        headers["X-RateLimit-Remaining"] = str(remaining)
        headers["X-RateLimit-Reset"] = str(reset_at)
        headers["Retry-After"] = str(int(reset_at - time.time()))
        return response


def hit(scope: str, key: str) -> None:
    """The current app's API limit, one call of ``scope`` (the endpoint) by ``key``."""
    current_app.extensions["api_limit"].hit(current_app.config["API_RATE_LIMIT"], scope, key)


def init_app(app: Flask) -> None:
    app.extensions["api_limit"] = ApiLimit(app)
