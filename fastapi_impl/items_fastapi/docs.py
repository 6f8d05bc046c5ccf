"""Swagger UI at /docs and ReDoc at /redoc, their assets served from an installed wheel: no CDN.

FastAPI's "Self-Hosting JavaScript and CSS for docs" recipe: ``docs_url=None, redoc_url=None`` on the
app (main.py), the two pages below built with FastAPI's own HTML helpers, and the files mounted with
``StaticFiles``. The files come from the ``fastapi-offline`` wheel, which ships swagger-ui-dist and
ReDoc as plain static files (its ``FastAPIOffline`` app factory is not used).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# region: docs
ASSETS_URL = "/static/docs"
# StaticFiles finds the package's folder without importing the package.
assets = StaticFiles(packages=[("fastapi_offline", "static")])

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} - Swagger UI",
        # FastAPI default: swagger-ui-dist and its favicon from a CDN; workshops are offline.
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        # Swagger UI default: a badge fetched from validator.swagger.io; offline, no validator.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    page = get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} - ReDoc",
        # FastAPI default: ReDoc from a CDN, and Google Fonts; workshops are offline.
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    # ReDoc default: its sidebar loads Redocly's logo from cdn.redoc.ly (no option); offline, no image from elsewhere.
    page.headers["Content-Security-Policy"] = "img-src 'self' data:"
    return page


# endregion
