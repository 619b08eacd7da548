"""``/metrics``: per-endpoint counts and latencies, outbox backlog and cache figures, for loopback
clients or a bearer token only."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from network.extensions import db
from network.outbox import queue_email

OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}


def _samples(text: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_loopback_reads_request_counts_latency_backlog_and_cache(client):
    queue_email("anna@kommun.se", "Ett", "Text\n")
    queue_email("per@kommun.se", "Två", "Text\n")
    db.session.commit()
    for _ in range(3):
        client.get("/")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = _samples(response.get_data(as_text=True))
    index = (("endpoint", "main.index"), ("method", "GET"), ("status", "200"))
    assert samples[("network_http_requests_total", index)] == 3
    assert samples[("network_http_request_seconds_count", (("endpoint", "main.index"),))] == 3
    assert samples[("network_outbox_backlog", ())] == 2
    hits = samples[("network_cache_hits_total", ())]
    misses = samples[("network_cache_misses_total", ())]
    assert hits + misses > 0
    assert samples[("network_cache_hit_ratio", ())] == pytest.approx(hits / (hits + misses))


def test_without_the_token_others_are_refused(client):
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403


class TestWithAToken:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["METRICS_TOKEN"] = "t" * 40
        return app_config

    def test_the_right_token_is_let_in_and_a_wrong_one_refused(self, client):
        ok = client.get("/metrics", environ_base=OUTSIDE,
                        headers={"Authorization": "Bearer " + "t" * 40})
        assert ok.status_code == 200
        wrong = client.get("/metrics", environ_base=OUTSIDE,
                           headers={"Authorization": "Bearer " + "x" * 40})
        assert wrong.status_code == 403
        assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403
