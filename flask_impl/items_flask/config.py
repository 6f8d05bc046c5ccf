"""Settings, loaded by ``create_app`` with ``app.config.from_object``.

``DATABASE_URL``, ``ALLOWED_HOSTS``, ``SECRET_KEY`` and ``TOKEN_TTL_SECONDS`` come from the environment;
everything else is how this API presents itself (flask-smorest's OpenAPI settings), the admin's session
cookie, request limits and database timeouts.
"""

from __future__ import annotations

import os

# region: settings
#: A plain URL: ``sqlite:////abs/path.db``, ``sqlite:///relative.db`` or
#: ``postgresql://user@host:port/dbname``; ``sqlalchemy_url`` picks the driver.
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///items.db")
#: The ``Host`` names served, any port: comma-separated, exact names (no wildcard, no leading-dot suffixes).
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Flask default: None, every Host is served; contract: ALLOWED_HOSTS only, else 400 (werkzeug's SecurityError).
# A name werkzeug would read as "and every subdomain" (a leading dot) is dropped: matching is exact.
TRUSTED_HOSTS = [name for name in ALLOWED_HOSTS.replace(" ", "").lower().split(",") if name and name[0] != "."]
# endregion
# region: auth
#: Signs the bearer tokens (auth.py); the same in every worker of a server. Flask's default is None, and
#: ``create_app`` refuses to start without one (outside tests): no built-in key.
SECRET_KEY = os.environ.get("SECRET_KEY")
ttl_text = os.environ.get("TOKEN_TTL_SECONDS", "3600")
#: Seconds a bearer token is valid for (``expires_in``); ``create_app`` refuses anything but a whole number >= 1.
TOKEN_TTL_SECONDS: int | str = int(ttl_text) if ttl_text.isdigit() else ttl_text
# endregion
# region: admin
# Flask default: SameSite unset, so the admin's session cookie rides along on requests from other sites; here: Lax.
# (HttpOnly is Flask's default already.) The API never reads the session: auth.load_user_from_session.
SESSION_COOKIE_SAMESITE = "Lax"
# endregion
# region: docs
# flask-smorest: the document and its two viewers.
API_TITLE = "Items API"
API_VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"  # flask-smorest has no default; apispec writes 3.1 keywords (type: [string, "null"])
API_SPEC_OPTIONS = {
    "info": {
        "summary": "One CRUD contract, implemented three times and judged over HTTP.",
        "license": {"name": "MIT", "identifier": "MIT"},
    },
    "servers": [{"url": "/"}],
}
OPENAPI_URL_PREFIX = "/"  # flask-smorest default: None, no document served at all
OPENAPI_JSON_PATH = "openapi.json"
OPENAPI_SWAGGER_UI_PATH = "docs"
OPENAPI_REDOC_PATH = "redoc"
# flask-smorest default: scripts from a CDN; workshops are offline, so docs.py serves them from a wheel.
DOCS_ASSETS_URL = "/static/docs"
OPENAPI_SWAGGER_UI_URL = f"{DOCS_ASSETS_URL}/swagger-ui-dist/"
OPENAPI_REDOC_URL = f"{DOCS_ASSETS_URL}/redoc/bundles/redoc.standalone.js"
# Swagger UI default: a badge fetched from validator.swagger.io; offline, no validator.
OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}
# endregion
# region: settings
# Flask default: no limit; contract: a body over 1 MiB is 413 (werkzeug checks Content-Length, then the stream).
MAX_CONTENT_LENGTH = 1024 * 1024
#: Seconds the client may leave a request body without sending its next bytes: then 400 (json_body.read_body).
REQUEST_BODY_TIMEOUT = 5
#: Seconds to wait for a new database connection (psycopg's ``connect_timeout``; db.py).
DATABASE_CONNECT_TIMEOUT = 3


def sqlalchemy_url(database_url: str) -> str:
    """The SQLAlchemy URL for a plain database URL: PostgreSQL goes through psycopg 3.

    SQLAlchemy's default PostgreSQL driver is psycopg2; ``sqlite:`` URLs need no change.
    """
    scheme, sep, rest = database_url.partition("://")
    if scheme in {"postgres", "postgresql"}:
        return f"postgresql+psycopg{sep}{rest}"
    return database_url


# Flask-SQLAlchemy reads its engine's URL here. A relative SQLite path is in the app's instance folder.
SQLALCHEMY_DATABASE_URI = sqlalchemy_url(DATABASE_URL)

# endregion
