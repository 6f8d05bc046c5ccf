"""The browser test must be able to fail: pages that load from a CDN, or render nothing, are caught.

A throw-away server on 127.0.0.1 serves three pages: one that loads Swagger UI from another host (the
framework defaults this project overrides), one that renders nothing, and one that renders operations
that are not the spec's. ``browser.problems`` must name what is wrong with each. A fourth page asks for an
image from another host that its own Content-Security-Policy stops inside the browser (what the ReDoc pages
do with Redocly's logo): that request never leaves, and is not counted as one that did.

Three wrong browse pages follow: one that renders a title as markup, one whose rows are not in the API's
order, one without the next link its total calls for. ``browse.check_view`` must refuse each.
"""

from __future__ import annotations

import html
import http.server
import threading
from collections.abc import Iterator

import pytest

from browser_tests import browse, browser

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
IMG_TITLE = '<img src="x" onerror="window.pwned = 1">'
BROWSE_PAGE = """<!DOCTYPE html><html><head><title>Items</title></head><body><h1>Items</h1>
<form method="get" action="/" role="search"><input type="search" name="q" value=""><button>Search</button></form>
<span id="total">{total}</span>
<table id="items"><thead><tr><th>Title</th><th>Price</th><th>Quantity</th><th>Owner</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>"""
ROW = '<tr data-id="{id}"><td>{title}</td><td>{price}</td><td>{quantity}</td><td>{owner}</td></tr>'
ITEMS = [
    {"id": 1, "title": IMG_TITLE, "price": 3.0, "quantity": 5, "owner": "bob"},
    {"id": 2, "title": "apple", "price": 2.5, "quantity": 10, "owner": None},
]


def browse_page(items: list[dict], total: int, escape: bool = True) -> bytes:
    cells = [{**item, "title": html.escape(item["title"]) if escape else item["title"]} for item in items]
    rows = "".join(ROW.format(**{**cell, "owner": cell["owner"] or ""}) for cell in cells)
    return BROWSE_PAGE.format(total=total, rows=rows).encode()


PAGES = {
    "/cdn": CDN_PAGE,
    "/empty": EMPTY_PAGE,
    "/wrong": WRONG_PAGE,
    "/csp": CSP_PAGE,
    "/browse-unescaped": browse_page(ITEMS, 2, escape=False),
    "/browse-reversed": browse_page(ITEMS[::-1], 2),
    "/browse-no-next": browse_page(ITEMS, 5),
}


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


PAGE = {"total": 2, "limit": 2, "offset": 0}  # GET /items' envelope for ITEMS


def refusal(view: browse.View, expected: dict) -> str:
    with pytest.raises(AssertionError) as refused:
        browse.check_view(view, expected, {})
    return str(refused.value)


def test_a_browse_page_that_renders_a_title_as_markup_fails(chromium, fake_docs):
    view = browse.open_page(chromium, fake_docs + "/browse-unescaped")
    assert view.page["pwned"] == 1  # the onerror handler ran: check_view must not pass this page
    assert "rows differ" in refusal(view, {**PAGE, "items": ITEMS})


def test_a_browse_page_in_another_order_fails(chromium, fake_docs):
    view = browse.open_page(chromium, fake_docs + "/browse-reversed")
    assert "data-id" in refusal(view, {**PAGE, "items": ITEMS})


def test_a_browse_page_without_its_next_link_fails(chromium, fake_docs):
    view = browse.open_page(chromium, fake_docs + "/browse-no-next")
    assert "no next link" in refusal(view, {**PAGE, "items": ITEMS, "total": 5})
