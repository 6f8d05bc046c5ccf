"""The application: ``uvicorn items_fastapi.main:app``.

Wiring only, as in FastAPI's "Bigger Applications": the app and its lifespan, the exception handlers
that answer every error as problem+json, the routers, the browse page and the admin, and the OpenAPI document's
extra components.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from items_fastapi import admin, auth, docs, pages, problems, schemas
from items_fastapi.api.routes import items, login, users
from items_fastapi.config import get_settings
from items_fastapi.db import open_database
from items_fastapi.middleware import AllowedHosts, RequestLineLimit


# region: wiring
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    async with open_database(get_settings().sqlalchemy_url) as sessionmaker:
        yield {"sessionmaker": sessionmaker}  # the lifespan state: request.state.sessionmaker in db.get_session


settings = get_settings()
app = FastAPI(
    title=settings.title,
    version=settings.version,
    summary=settings.summary,
    license_info={"name": "MIT", "identifier": "MIT"},
    servers=[{"url": "/"}],
    openapi_tags=[{"name": "items"}, {"name": "accounts"}],
    lifespan=lifespan,
    # endregion
    # region: docs
    docs_url=None,  # FastAPI default: Swagger UI from a CDN; docs.py serves it from a wheel
    redoc_url=None,  # FastAPI default: ReDoc from a CDN; docs.py serves it from a wheel
    # endregion
    # region: wiring
    redirect_slashes=False,  # Starlette default: /items/ redirects to /items; contract: an unknown route, 404
)
# endregion
# region: errors
app.add_exception_handler(RequestValidationError, problems.validation_problem)
app.add_exception_handler(StarletteHTTPException, problems.http_problem)
app.add_exception_handler(auth.TokenRequestError, problems.token_problem)  # RFC 6749 §5.2's error member
for database_fault in problems.DATABASE_FAULTS:
    app.add_exception_handler(database_fault, problems.database_problem)
app.add_exception_handler(Exception, problems.unexpected_problem)
# endregion
# region: wiring
# Outermost last: the request line (414), then the host (400), then routing. Starlette default: no limit, any host.
app.add_middleware(AllowedHosts, allowed_hosts=settings.allowed_hosts)
app.add_middleware(RequestLineLimit)
app.include_router(items.router)
app.include_router(users.router)
app.include_router(login.router)
app.include_router(docs.router)
app.mount(docs.ASSETS_URL, docs.assets, name="docs-assets")
app.include_router(pages.router)  # the browse page, /
admin.mount(app)  # SQLAdmin at /admin/


# endregion
# region: docs
def openapi() -> dict[str, Any]:
    """FastAPI's document, its errors documented as problems (FastAPI's "Extending OpenAPI")."""
    if app.openapi_schema is None:
        app.openapi_schema = schemas.document_null_defaults(problems.document_problems(FastAPI.openapi(app)))
    return app.openapi_schema


app.openapi = openapi  # type: ignore[method-assign]
# endregion
