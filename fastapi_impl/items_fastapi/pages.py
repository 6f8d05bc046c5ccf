"""The browse page at /: the rows of ``GET /items``, as HTML, rendered by FastAPI's ``Jinja2Templates``.

The page takes GET /items' own query model and dependencies (``ItemQueryDep``, ``SessionDep``) and its own query
(``item_page``), so it lists the same rows in the same order, and FastAPI validates its query string as it validates
the list's. Only its errors differ: the app's handler answers a ``RequestValidationError`` with problem+json, the
page's route class with the page itself, status 422, the same messages listed (FastAPI's "Custom Request and
APIRoute class"). Every value is escaped by Jinja's autoescaping (Starlette's default for ``Jinja2Templates``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pydantic_core
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from items_fastapi.api.deps import SessionDep
from items_fastapi.api.routes.items import ItemQueryDep, item_page
from items_fastapi.problems import FieldError, field_error
from items_fastapi.schemas import ItemPage, ItemQuery

# region: templates
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
# Jinja default: {{ price }} writes Python's repr, 1e-05 where the API (Pydantic's JSON) writes 0.00001.
templates.env.filters["api_json"] = lambda value: pydantic_core.to_json(value).decode()
# Starlette default: no Content-Security-Policy; here nothing but the page and its inline <style>, no script at all.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"


class PageRoute(APIRoute):
    """An ``APIRoute`` whose invalid query string is the page with its errors, status 422, not a problem."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_or_errors(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:  # FastAPI default: the app's handler, here problem+json
                return render(request, errors=[field_error(detail) for detail in error.errors()], status_code=422)

        return page_or_errors


router = APIRouter(route_class=PageRoute, include_in_schema=False)  # not the API's: not in /openapi.json


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def browse(request: Request, query: ItemQueryDep, session: SessionDep) -> Response:
    page = ItemPage.model_validate(await item_page(session, query))  # owner: the username, as the API answers
    previous = max(0, page.offset - page.limit) if page.offset > 0 else None
    following = page.offset + page.limit if page.offset + page.limit < page.total else None
    return render(request, page=page, previous=link(request, previous), next=link(request, following))


def render(
    request: Request,
    page: ItemPage | None = None,
    errors: Sequence[FieldError] = (),
    status_code: int = 200,
    **links: str | None,
) -> HTMLResponse:
    """browse.html for this request: the search form (the current ``q``; the list's other valid parameters kept, but
    the offset), then ``page`` as a table with its links, or ``errors`` as a list."""
    dropped = {"offset", *(error.field for error in errors)}
    current = dict(request.query_params)  # the last of repeated parameters, as FastAPI reads them
    kept = {name: value for name, value in current.items() if name in ItemQuery.model_fields and name not in dropped}
    context = {"q": kept.pop("q", ""), "kept": kept, "page": page, "errors": errors, **links}
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    return templates.TemplateResponse(request, "browse.html", context, status_code=status_code, headers=headers)


def link(request: Request, offset: int | None) -> str | None:
    """This page's query string at ``offset``, every other parameter kept; None for no such page."""
    if offset is None:
        return None
    return "?" + urlencode({**request.query_params, "offset": offset})


# endregion
