"""/openapi.json, /docs and /redoc: served by the implementation itself, with no asset from another host.

The spec's paths name none of these pages: DESIGN.md ("Docs") asks them of this repository's implementations,
so they are the ``repository`` group, left out for a server at --base-url unless --repository-checks.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""["'](https?://[^"']+\.(?:js|css))["']""", re.IGNORECASE)


@pytest.mark.repository("DESIGN.md, Docs: each implementation serves its own OpenAPI 3.1 document at /openapi.json")
def test_openapi_document_is_openapi_3_1(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code} (DESIGN.md, Docs)"
    document = response.json()
    assert document["openapi"].startswith("3.1"), f"/openapi.json is OpenAPI {document['openapi']}, not 3.1"
    missing = sorted({"/items", "/items/{item_id}"} - set(document["paths"]))
    assert not missing, f"/openapi.json names no {', '.join(missing)} (it has {sorted(document['paths'])})"


@pytest.mark.repository(
    "DESIGN.md, Docs: Swagger UI at /docs and ReDoc at /redoc, from assets installed with the package"
)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_loads_every_asset_from_this_server(client, base_url, page):
    response = client.get(page)
    assert response.status_code == 200, (
        f"GET {page} answered {response.status_code} (DESIGN.md, Docs): {response.text[:300]}"
    )
    assert "text/html" in response.headers.get("content-type", "")
    html = response.text
    origin = urlsplit(base_url).netloc
    assets = {urljoin(base_url + page, ref) for ref in ASSET.findall(html) + SCRIPT_URL.findall(html)}
    assets = {url for url in assets if re.search(r"\.(js|css)(\?|$)", url)}
    assert assets, f"{page} references no script or stylesheet"
    foreign = sorted(url for url in assets if urlsplit(url).netloc != origin)
    assert not foreign, f"{page} loads assets from another host (workshops are offline): {foreign}"
    for url in sorted(assets):
        assert client.get(url).status_code == 200, f"{page}: asset {url} does not load"
