"""Every error as RFC 9457 problem details (``application/problem+json``), and the codes of a 422.

flask-smorest registers one handler for werkzeug's ``HTTPException``, which Flask also calls with the
``InternalServerError`` it makes of any unhandled exception. ``Api`` below replaces that handler and
documents the same problems in the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Flask, Response, current_app
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import schemas

# region: errors
PROBLEM_JSON = "application/problem+json"

# werkzeug (and Python 3.11) default: "Request Entity Too Large", "Unprocessable Entity"; contract: RFC 9110's.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}

# The contract's closed list of codes, read back from marshmallow's messages (see schemas.py).
ERROR_CODES = {
    schemas.MISSING: "required",
    schemas.UNKNOWN_FIELD: "unknown_field",
    schemas.NULL: "null",
    schemas.NOT_A_STRING: "wrong_type",
    schemas.NOT_A_NUMBER: "wrong_type",
    schemas.NOT_AN_INTEGER: "wrong_type",
    schemas.TOO_SHORT: "too_short",
    schemas.TOO_LONG: "too_long",
    schemas.NOT_ABOVE: "too_small",
    schemas.BELOW: "too_small",
    schemas.ABOVE: "too_large",
    schemas.HAS_NUL: "invalid_value",
    schemas.NOT_A_CHOICE: "invalid_choice",
    schemas.NOT_A_USERNAME: "invalid_value",
}
CODES = sorted(set(ERROR_CODES.values()))

# Flask adds OPTIONS to every rule; the contract does not list it. (werkzeug adds HEAD to every GET rule, and
# the contract lists HEAD: RFC 9110 §9.3.2.)
IMPLICIT_METHODS = frozenset({"OPTIONS"})

#: Seconds a client is asked to wait when the database cannot be reached (``Retry-After``, RFC 9110 §10.2.3).
RETRY_AFTER = 1


def _template_pattern(template: str) -> re.Pattern[str]:
    """A message template such as ``"Longer than maximum length {max}."`` as a regular expression."""
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(template)))


_CODE_PATTERNS = [(_template_pattern(template), code) for template, code in ERROR_CODES.items()]


def error_code(message: str) -> str:
    """The contract code of one of the messages in schemas.py."""
    for pattern, code in _CODE_PATTERNS:
        if pattern.fullmatch(message):
            return code
    return "invalid_value"  # a message schemas.py does not write: no code says more


def field_errors(messages: Mapping[str, Any]) -> list[dict[str, str]]:
    """webargs' ``{"json": {"price": ["..."]}}`` as ``[{"field": "price", "code": ..., "message": ...}]``."""

    def walk(node: Any, path: tuple[str, ...]) -> Iterator[dict[str, str]]:
        if isinstance(node, Mapping):
            for key, value in node.items():
                yield from walk(value, (*path, str(key)))
        else:
            # marshmallow default: every validator a value fails is reported; contract: the first only.
            for message in node[:1]:
                yield {"field": ".".join(path), "code": error_code(message), "message": message}

    # The first level is webargs' location ("json", "query"); the field path starts below it.
    return [error for location in messages.values() for error in walk(location, ())]


def allowed_methods(methods: Iterable[str]) -> list[str]:
    """The methods an ``Allow`` header names: those the contract defines for the path."""
    return sorted(set(methods) - IMPLICIT_METHODS)


def title(status: int) -> str:
    return TITLES.get(status, HTTPStatus(status).phrase)


def problem(status: int, detail: str, **members: Any) -> Response:
    body = {"type": "about:blank", "title": title(status), "status": status, "detail": detail, **members}
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """The problem details of ``error``, with werkzeug's headers for it (``WWW-Authenticate`` on a 401, ...).

    An exception may carry RFC 9457 extension members in ``error.extensions`` (auth.TokenError's ``error``).
    """
    status = error.code or 500
    if status == 422:
        # webargs' abort keeps marshmallow's messages, keyed by location, in error.data.
        messages = getattr(error, "data", {}).get("messages", {})
        where = "request body" if "json" in messages else "query string"
        return problem(422, f"The {where} is not valid.", errors=field_errors(messages))
    response = problem(status, error.description or title(status), **getattr(error, "extensions", {}))
    # flask-smorest default: the exception's own headers dropped; contract: a 401 carries its WWW-Authenticate.
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # werkzeug's is its HTML page's
            response.headers.add(name, value)
    if isinstance(error, MethodNotAllowed):
        response.allow = allowed_methods(error.valid_methods or ())
    return response


def handle_database_unavailable(error: OperationalError | InterfaceError) -> Response:
    """503 with ``Retry-After`` while the database cannot be reached (refused, timed out, cut).

    Nothing was committed: the request's session is closed (rolled back) at teardown.
    """
    current_app.logger.warning("database unavailable: %s", error.orig)
    response = problem(503, "The database cannot be reached; try again shortly.")
    response.retry_after = RETRY_AFTER
    return response


# endregion
# region: docs
class FieldError(Schema):
    class Meta:
        unknown = EXCLUDE  # documents no additionalProperties, as the shared spec does

    field = fields.String(
        required=True,
        metadata={"description": "Dotted location within its source (`title`, or `limit` for a query parameter)."},
    )
    code = fields.String(required=True, validate=validate.OneOf(CODES))
    message = fields.String(required=True, metadata={"description": "The framework's own words."})


class Problem(Schema):
    """RFC 9457 problem details; documentation only (``problem()`` writes them)."""

    type = fields.String(required=True, validate=validate.Equal("about:blank"))
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldError), validate=validate.Length(min=1))

    class Meta:
        unknown = EXCLUDE  # documents no additionalProperties: RFC 9457 allows extension members


#: The error responses, by the names the operations in views.py and auth.py refer to.
RESPONSES = {
    "BadRequest": (400, "The body is not JSON (RFC 8259), or not a JSON object."),
    "NotFound": (404, "No such item, or `item_id` is not a positive integer."),
    "Forbidden": (403, "The token's user does not own the item."),
    "Conflict": (409, "The username is taken."),
    "ContentTooLarge": (413, "The body is larger than 1 MiB."),
    "UnsupportedMediaType": (415, "The body's `Content-Type` is not `application/json`."),
    "UnprocessableContent": (422, "Well-formed JSON that breaks the schema, or a bad query parameter."),
}


def response_doc(
    status: int, description: str, members: dict[str, Any] | None = None, **response: Any
) -> dict[str, Any]:
    """A problem+json response's documentation; ``members``: extension members the problem always has."""
    errors = {"required": ["errors"]} if status == 422 else {"not": {"required": ["errors"]}}
    properties = {"title": {"const": title(status)}, "status": {"const": status}, **(members or {})}
    constants = {"properties": properties, **errors, **({"required": list(members)} if members else {})}
    schema = {"allOf": [Problem, constants]}
    return {"description": description, **response, "content": {PROBLEM_JSON: {"schema": schema}}}


class Api(flask_smorest.Api):
    """flask-smorest's ``Api``, answering and documenting every error as problem details."""

    ERROR_SCHEMA = Problem  # flask-smorest default: {code, status, message, errors} as application/json
    DEFAULT_ERROR_RESPONSE_NAME = None  # flask-smorest default: a "default" error response on every operation

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        super().init_app(app, spec_kwargs=spec_kwargs)
        # flask-smorest default: PaginationMetadata (its X-Pagination header) in every document; unused here.
        self.spec.components.schemas.pop("PaginationMetadata", None)
        for name, (status, description) in RESPONSES.items():
            self.spec.components.response(name, response_doc(status, description))

    # endregion
    # region: errors
    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        # Flask default: any other exception is a 500; contract: a database out of reach is a 503, with Retry-After.
        for connection_error in (OperationalError, InterfaceError):
            self._app.register_error_handler(connection_error, handle_database_unavailable)

    def handle_http_exception(self, error: HTTPException) -> Response:
        # flask-smorest default: JSON {code, status, message, errors}, werkzeug's titles, and a 405 without Allow.
        return handle_http_exception(error)


# endregion
