"""``GET /metrics`` in Prometheus' text format, for this process: request counts and latencies
per endpoint, the outbox backlog, the background job queue's depth and the page cache's hits and
misses.

Each gunicorn process keeps its own figures; Prometheus scrapes every process on its loopback
port. Only loopback clients may read them, or a client presenting ``METRICS_TOKEN`` as a bearer
token (behind nginx the client's own address counts, so the public never qualifies as loopback).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from network.cache import PAGES

log = logging.getLogger(__name__)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class AppCollector:
    """Figures read when scraped: the outbox backlog and the cache's counters."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from network.extensions import db
        from network.outbox import MAX_ATTEMPTS, OutboxEmail

        backlog = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS))
        yield GaugeMetricFamily("network_outbox_backlog", "Emails waiting to be sent.",
                                value=backlog or 0)
        yield from self._jobs()
        stores = [self.app.extensions.get(name) for name in ("network_cache", PAGES)]
        hits = sum(store.hits for store in stores if store is not None)
        misses = sum(store.misses for store in stores if store is not None)
        yield CounterMetricFamily("network_cache_hits", "Cache lookups answered.", value=hits)
        yield CounterMetricFamily("network_cache_misses", "Cache lookups not answered.",
                                  value=misses)
        yield GaugeMetricFamily("network_cache_hit_ratio", "Hits per lookup since start.",
                                value=hits / (hits + misses) if hits + misses else 0.0)

    def _jobs(self):
        from network import jobs

        try:
            depth = jobs.depth(self.app)
        except Exception:  # noqa: BLE001 - Redis away: the scrape still answers, without these
            log.warning("job queue depth unavailable (Redis unreachable)", exc_info=True)
            return
        family = GaugeMetricFamily("network_jobs", "Background jobs by state (the Redis queue).",
                                   labels=["state"])
        for state, count in depth.items():
            family.add_metric([state], count)
        yield family


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given.removeprefix("Bearer ").encode(), token.encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    registry = CollectorRegistry()
    requests = Counter("network_http_requests", "Requests answered.",
                       ["endpoint", "method", "status"], registry=registry)
    latency = Histogram("network_http_request_seconds", "Time to answer a request.",
                        ["endpoint"], buckets=BUCKETS, registry=registry)
    registry.register(AppCollector(app))
    app.extensions["metrics_registry"] = registry

    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.endpoint or "unmatched"  # a bounded set of labels
            requests.labels(endpoint, request.method, str(response.status_code)).inc()
            latency.labels(endpoint).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():
        if not _allowed():
            abort(403)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0])
