"""The browser test must be able to fail: pages that load from a CDN, or render nothing, are caught.

A throw-away server on 127.0.0.1 serves three pages: one that loads Swagger UI from another host (the
framework defaults this project overrides), one that renders nothing, and one that renders operations
that are not the spec's. ``browser.problems`` must name what is wrong with each. A fourth page asks for an
image from another host that its own Content-Security-Policy stops inside the browser (what the ReDoc pages
do with Redocly's logo): that request never leaves, and is not counted as one that did.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from browser_tests import browser

EXPECTED = browser.spec_operations()
CDN_PAGE = b"""<!DOCTYPE html><html><head><title>docs</title>
<link rel="stylesheet" href="https://cdn.example.invalid/swagger-ui.css">
<script src="https://cdn.example.invalid/swagger-ui-bundle.js"></script>
</head><body><div id="swagger-ui"></div></body></html>"""
EMPTY_PAGE = b"<!DOCTYPE html><html><head><title>docs</title></head><body><div id='swagger-ui'></div></body></html>"
WRONG_PAGE = b"""<!DOCTYPE html><html><body>
<div class="opblock" id="operations-items-listItems"><span class="opblock-summary-method">GET</span>
<span class="opblock-summary-path" data-path="/things">/things</span>
<div class="opblock-summary-description">List things.</div></div></body></html>"""
CSP_PAGE = b"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Security-Policy" content="img-src 'self' data:"></head>
<body><img src="https://cdn.example.invalid/logo-mini.svg" alt="logo"></body></html>"""
QUICK = 3_000  # these pages never render operations: no need to wait long
PAGES = {"/cdn": CDN_PAGE, "/empty": EMPTY_PAGE, "/wrong": WRONG_PAGE, "/csp": CSP_PAGE}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def fake_docs() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer((browser.LOCAL_HOST, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{browser.LOCAL_HOST}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_page_that_loads_from_a_cdn_fails(chromium, fake_docs):
    result = browser.visit(chromium, fake_docs + "/cdn", "swagger", len(EXPECTED), timeout_ms=QUICK)
    assert set(result.outside) == {
        "https://cdn.example.invalid/swagger-ui.css",
        "https://cdn.example.invalid/swagger-ui-bundle.js",
    }
    found = browser.problems(result, EXPECTED)
    assert any("requests left 127.0.0.1" in problem for problem in found), found
    assert any("rendered 0 operations" in problem for problem in found), found


@pytest.mark.parametrize("kind", ["swagger", "redoc"])
def test_a_page_that_renders_nothing_fails(chromium, fake_docs, kind):
    result = browser.visit(chromium, fake_docs + "/empty", kind, len(EXPECTED), timeout_ms=QUICK)
    assert result.outside == []
    found = browser.problems(result, EXPECTED)
    assert any("rendered 0 operations" in problem for problem in found), found


def test_a_page_that_renders_other_operations_fails(chromium, fake_docs):
    result = browser.visit(chromium, fake_docs + "/wrong", "swagger", len(EXPECTED), timeout_ms=QUICK)
    found = browser.problems(result, EXPECTED)
    assert any("unexpected [('GET', '/things')]" in problem for problem in found), found


def test_a_request_the_pages_own_csp_stops_never_leaves(chromium, fake_docs):
    result = browser.visit(chromium, fake_docs + "/csp", "redoc", len(EXPECTED), timeout_ms=QUICK)
    assert result.csp_blocked == ["https://cdn.example.invalid/logo-mini.svg"]
    assert result.outside == []
