"""The browse page at /: ``GET /items`` as an HTML table, rendered by Jinja through Flask's ``render_template``.

A plain Flask blueprint (not flask-smorest's, so the page stays out of /openapi.json). Its query string goes
through the API's own parser and schema (``ItemQueryArgs``, webargs' ``use_args``) and its rows come from the
API's own query (``views.list_items``) and response schema (``ItemPage``): the page cannot disagree with
``GET /items``. Bad parameters are a 422 page listing the API's own messages. Reads are public: no credential
is read here.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, g, render_template, request, url_for
from werkzeug import Response
from werkzeug.exceptions import UnprocessableEntity

from . import json_body, problems, views
from .schemas import ItemPage, ItemQueryArgs

# region: templates
bp = Blueprint("pages", __name__)
PARAMETERS = tuple(ItemQueryArgs().fields)


def current_parameters() -> dict[str, str]:
    """The list parameters the request gives, each by its last value (as the API reads them)."""
    return {name: request.args.getlist(name)[-1] for name in PARAMETERS if name in request.args}


@bp.before_request
def make_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)  # base.html's <style> carries it


@bp.get("/")
@json_body.Blueprint.ARGUMENTS_PARSER.use_args(ItemQueryArgs, location="query")  # what @blp.arguments runs
def browse(args: dict[str, Any]) -> str:
    """One page of items, as ``GET /items`` with the same query string lists them."""
    page = ItemPage().dump(views.list_items(args))
    given = current_parameters()
    offset, limit = page["offset"], page["limit"]
    links = {}
    if offset > 0:
        links["prev"] = url_for(".browse", **{**given, "offset": max(0, offset - limit)})
    if offset + limit < page["total"]:
        links["next"] = url_for(".browse", **{**given, "offset": offset + limit})
    kept = {name: value for name, value in given.items() if name not in ("q", "offset")}
    return render_template("browse.html", page=page, q=given.get("q", ""), kept=kept, links=links)


@bp.errorhandler(UnprocessableEntity)
def invalid_parameters(error: UnprocessableEntity) -> tuple[str, int]:
    # The app's default for an HTTPException: problem+json (problems.py); the page's 422 is HTML, the same errors.
    errors = problems.field_errors(error.data["messages"])  # type: ignore[attr-defined]
    # The search form starts afresh: only q is kept, so the bad parameters are not sent again.
    return render_template("browse.html", errors=errors, q=current_parameters().get("q", ""), kept={}), 422


@bp.after_request
def content_security_policy(response: Response) -> Response:
    # Flask default: no Content-Security-Policy; here: no script, no image, no asset but base.html's own <style>.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{g.csp_nonce}'; form-action 'self'; base-uri 'none';"
        " frame-ancestors 'none'"
    )
    return response


# endregion
