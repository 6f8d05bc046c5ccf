"""Headless Chromium kept on 127.0.0.1, and an API docs page loaded in it: what it rendered and asked for.

``local_context`` gives every browser test its context: every request a page makes goes through a
Playwright route; one for 127.0.0.1 goes on, any other is recorded and aborted before it leaves the
browser, so the test both sees and stops it. Chromium itself starts with its background networking off
(no updates, sync, metrics, DNS prefetching).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import BrowserContext
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "shared_spec" / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCAL_HOST = "127.0.0.1"
LOCAL_SCHEMES = {"data", "blob", "about"}  # never leave the browser
RENDER_TIMEOUT_MS = 30_000

# As the machine's probe starts it, plus what keeps Chromium's own traffic at home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--dns-prefetch-disable",
    "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,NetworkTimeServiceQuerying",
]


def chromium_executable() -> str | None:
    """``$CHROMIUM``, else Debian's ``chromium`` on PATH; None if neither is an executable."""
    return shutil.which(os.environ.get("CHROMIUM") or "chromium") or shutil.which("chromium-browser")


def spec_operations(spec: Path = SPEC) -> dict[tuple[str, str], str]:
    """``{(METHOD, path): operationId}`` for every operation of the shared spec."""
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return {
        (method.upper(), path): operation.get("operationId", "")
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (
        parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == LOCAL_HOST
    )


@dataclass
class Traffic:
    """Every request the pages of one browser context asked for, and those that did not stay on 127.0.0.1."""

    requests: list[str] = field(default_factory=list)  # every URL the route saw, in order
    aborted: list[str] = field(default_factory=list)  # not on 127.0.0.1: aborted by the route
    asked: list[str] = field(default_factory=list)  # every non-local request the pages made
    csp_blocked: list[str] = field(default_factory=list)  # not on 127.0.0.1, stopped by the page's own CSP
    failed: list[str] = field(default_factory=list)  # local requests that failed or answered >= 400

    @property
    def outside(self) -> list[str]:
        """Requests that were not for 127.0.0.1: aborted, or never accounted for (a CSP block excepted)."""
        return self.aborted + [url for url in self.asked if url not in self.aborted and url not in self.csp_blocked]


@contextlib.contextmanager
def local_context(browser, **options) -> Iterator[tuple[BrowserContext, Traffic]]:
    """A new browser context whose requests go on only to 127.0.0.1; any other is recorded and aborted.

    ``options`` go to ``browser.new_context``. Every page of the context is watched, popups included.
    """
    traffic = Traffic()
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "service_workers": "block", **options})

    def route(route):
        request_url = route.request.url
        traffic.requests.append(request_url)
        if is_local(request_url):
            route.continue_()
        else:
            traffic.aborted.append(request_url)
            route.abort("blockedbyclient")

    def failed(request) -> None:
        if is_local(request.url):
            traffic.failed.append(f"{request.url}: {request.failure}")
        elif request.failure == "csp":  # blocked inside the browser by the page's Content-Security-Policy
            traffic.csp_blocked.append(request.url)

    def watch(page) -> None:
        page.on("websocket", lambda ws: None if is_local(ws.url) else traffic.aborted.append(ws.url))

    context.route("**/*", route)
    context.on("request", lambda r: None if is_local(r.url) else traffic.asked.append(r.url))
    context.on("requestfailed", failed)
    context.on(
        "response", lambda r: r.status >= 400 and is_local(r.url) and traffic.failed.append(f"{r.url}: {r.status}")
    )
    context.on("page", watch)
    try:
        yield context, traffic
    finally:
        context.close()


@dataclass
class Visit:
    """What one page load showed and asked for."""

    url: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, in order
    outside: list[str] = field(default_factory=list)  # those not on 127.0.0.1: aborted, or never accounted for
    csp_blocked: list[str] = field(default_factory=list)  # not on 127.0.0.1, stopped by the page's own CSP
    failed: list[str] = field(default_factory=list)  # local requests that failed or answered >= 400
    operations: list[tuple[str, str]] = field(default_factory=list)  # (METHOD, path) as rendered
    operation_ids: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the page's own error messages
    console_errors: list[str] = field(default_factory=list)


def visit(
    browser, url: str, kind: str, expected: int, screenshot: Path | None = None, timeout_ms: int = RENDER_TIMEOUT_MS
) -> Visit:
    """Open ``url`` (``kind`` "swagger" or "redoc"), wait for ``expected`` operations, read them back."""
    result = Visit(url)
    with local_context(browser) as (context, traffic):
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
        response = page.goto(url, wait_until="load", timeout=timeout_ms)
        result.status = response.status if response else None
        wait_for_operations(page, kind, expected, timeout_ms)
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        read = SWAGGER_JS if kind == "swagger" else REDOC_JS
        found = page.evaluate(read)
        result.operations = [(method.upper(), path) for method, path in found["operations"]]
        result.operation_ids = found["ids"]
        result.headings = found["headings"]
        result.errors = found["errors"]
        result.requests, result.outside = traffic.requests, traffic.outside
        result.csp_blocked, result.failed = traffic.csp_blocked, traffic.failed
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
    return result


def wait_for_operations(page, kind: str, expected: int, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Wait until ``page`` (``kind`` "swagger" or "redoc") shows ``expected`` operations; give up quietly."""
    selector = ".opblock" if kind == "swagger" else "[data-section-id*='operation/']"
    with contextlib.suppress(PlaywrightTimeout):  # a page that never renders them: reported as too few
        page.wait_for_function(
            "([selector, expected]) => new Set([...document.querySelectorAll(selector)]"
            "  .map(e => e.id || e.getAttribute('data-section-id'))).size >= expected",
            arg=[selector, expected],
            timeout=timeout_ms,
        )


# Swagger UI 5: one .opblock per operation, id "operations-TAG-OPERATIONID", its method and path inside.
SWAGGER_JS = """() => {
  const blocks = [...document.querySelectorAll('.opblock')];
  return {
    operations: blocks.map(b => [
      (b.querySelector('.opblock-summary-method') || {}).textContent || '',
      ((b.querySelector('.opblock-summary-path') || {}).getAttribute
        ? b.querySelector('.opblock-summary-path').getAttribute('data-path') : '') || '']),
    ids: blocks.map(b => b.id || ''),
    headings: blocks.map(b => ((b.querySelector('.opblock-summary-description') || {}).textContent || '').trim()),
    errors: [...document.querySelectorAll('.errors-wrapper .error-wrapper, .loading-container .info')]
      .map(e => e.textContent.trim()).filter(Boolean),
  };
}"""

# ReDoc 2: one section per operation, data-section-id ".../operation/OPERATIONID", an h2 with its summary,
# and the method and path in its endpoint panel.
REDOC_JS = """() => {
  const seen = new Set();
  const sections = [...document.querySelectorAll("[data-section-id*='operation/']")].filter(s => {
    const id = s.getAttribute('data-section-id');
    return !seen.has(id) && seen.add(id);
  });
  return {
    operations: sections.map(s => {
      const method = s.querySelector('.http-verb');
      const path = method && method.nextElementSibling;
      return [method ? method.textContent.trim() : '', path ? path.textContent.trim() : ''];
    }),
    ids: sections.map(s => s.getAttribute('data-section-id').split('operation/').pop()),
    headings: sections.map(s => ((s.querySelector('h2') || {}).textContent || '').trim()),
    errors: [...document.querySelectorAll('h1, h3')].map(e => e.textContent)
      .filter(t => /something went wrong|error/i.test(t)),
  };
}"""


def problems(result: Visit, expected: dict[tuple[str, str], str]) -> list[str]:
    """Everything wrong with a visit: an empty list when the page rendered every operation, offline."""
    found = []
    if result.status != 200:
        found.append(f"{result.url} answered {result.status}")
    if result.outside:
        found.append(f"requests left {LOCAL_HOST} (aborted): {sorted(set(result.outside))}")
    if result.failed:
        found.append(f"local requests failed: {result.failed}")
    if result.errors:
        found.append(f"the page shows errors: {result.errors}")
    rendered = set(result.operations)
    if rendered != set(expected):
        missing = sorted(set(expected) - rendered)
        extra = sorted(rendered - set(expected))
        found.append(
            f"rendered {len(result.operations)} operations, not the spec's {len(expected)}: "
            f"missing {missing}, unexpected {extra}"
        )
    ids = set(result.operation_ids)
    missing_ids = sorted(op for op in expected.values() if not any(i == op or i.endswith(f"-{op}") for i in ids))
    if missing_ids:
        found.append(f"no operation block for {missing_ids} (found {sorted(ids)})")
    if any(not heading for heading in result.headings):
        found.append("an operation without a summary heading")
    return found
