"""/docs (Swagger UI) and /redoc (ReDoc) of each implementation, rendered in headless Chromium, offline.

Each page must render every operation of the shared spec (method, path, operation id, summary heading),
load everything it needs from the server itself, and ask no other host for anything. A screenshot of
each page is kept under contract-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from browser_tests import browser

EXPECTED = browser.spec_operations()


@pytest.mark.parametrize(("page", "kind"), [("/docs", "swagger"), ("/redoc", "redoc")], ids=["docs", "redoc"])
def test_docs_page_renders_every_operation_offline(chromium, base_url, target, page, kind, screenshots):
    shot = screenshots / f"{target}-{page.strip('/')}.png"
    result = browser.visit(chromium, base_url + page, kind, len(EXPECTED), screenshot=shot)
    problems = browser.problems(result, EXPECTED)
    assert not problems, f"{target} {page}:\n- " + "\n- ".join(problems) + f"\n(screenshot: {shot})"
    assert shot.stat().st_size > 10_000, f"{shot} is suspiciously small"
