"""Swagger UI and ReDoc assets, served from an installed wheel: no CDN, so the docs work offline.

flask-smorest renders /docs and /redoc itself and loads their scripts from ``OPENAPI_SWAGGER_UI_URL``
and ``OPENAPI_REDOC_URL`` (config.py); this blueprint serves the files at those URLs. They come from
``drf-spectacular-sidecar``, which ships swagger-ui-dist and ReDoc as plain static files.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Blueprint, Flask, Response, request


# region: docs
def sidecar_static_folder() -> Path:
    # find_spec locates the package without importing it: its __init__ imports Django, never needed here.
    spec = importlib.util.find_spec("drf_spectacular_sidecar")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("drf-spectacular-sidecar is not installed; it serves the Swagger UI and ReDoc assets")
    return Path(spec.submodule_search_locations[0]) / "static" / "drf_spectacular_sidecar"


def init_app(app: Flask) -> None:
    assets = Blueprint(
        "docs_assets",
        __name__,
        static_folder=sidecar_static_folder(),
        static_url_path=app.config["DOCS_ASSETS_URL"],
    )
    app.register_blueprint(assets)
    app.after_request(no_image_from_elsewhere)


def no_image_from_elsewhere(response: Response) -> Response:
    # ReDoc default: its sidebar loads Redocly's logo from cdn.redoc.ly (no option); offline, no image from elsewhere.
    if request.endpoint == "api-docs.openapi_redoc":
        response.headers["Content-Security-Policy"] = "img-src 'self' data:"
    return response


# endregion
