"""The OpenAPI document is generated from the routes, and its page needs no scripts."""

from __future__ import annotations

import re

from network.api.blueprint import OPERATIONS
from network.api.routing import openapi_path


def test_the_document_is_openapi_3_1_and_lists_every_operation(client):
    response = client.get("/api/v1/openapi.json")
    document = response.json
    assert document["openapi"] == "3.1.0"
    listed = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    assert listed == {(openapi_path(op.rule), op.method) for op in OPERATIONS}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert client.get("/api/v1/openapi.json",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_write_operations_require_the_write_scope_in_the_document(client):
    document = client.get("/api/v1/openapi.json").json
    post = document["paths"]["/forum/topics/{topic_id}/posts"]["post"]
    assert post["security"] == [{"bearerAuth": ["write"]}]
    get = document["paths"]["/resources"]["get"]
    assert {} in get["security"]  # visitors may read


def test_the_documentation_page_is_rendered_on_the_server_without_scripts(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # No external scripts: at most the site's own (same-origin, CSP 'self') menu script.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/site.js" defer>']
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    for op in OPERATIONS:
        assert f"{op.method} {openapi_path(op.rule)}" in html
    assert 'id="schema-Resource"' in html
    # Every table scrolls inside its own labelled region instead of widening a phone's page.
    assert html.count("<table") == html.count('<div class="table-scroll" role="region" aria-label=') > 10
