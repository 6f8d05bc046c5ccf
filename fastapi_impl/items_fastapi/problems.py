"""Every error as RFC 9457 problem details (``application/problem+json``), and the codes of a 422.

FastAPI answers errors with ``{"detail": ...}`` as ``application/json``: a 422 lists Pydantic's
errors, Starlette's ``HTTPException`` (404, 405, the 400/413/415 of json_body.py, the 401/403/409 of
the accounts) carries a string, and an unexpected exception is a plain-text 500. The handlers below,
registered in main.py, answer all of them as problems; ``Problem`` and ``problem_responses`` document the same in the
OpenAPI document.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sqlalchemy_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

from items_fastapi.schemas import without_defaults

# region: errors
PROBLEM_JSON = "application/problem+json"

ErrorCode = Literal[
    "required",
    "unknown_field",
    "wrong_type",
    "null",
    "too_short",
    "too_long",
    "too_small",
    "too_large",
    "invalid_value",
    "invalid_choice",
]

# Pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) as the contract's codes.
ERROR_CODES: dict[str, ErrorCode] = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_type": "wrong_type",
    "float_type": "wrong_type",
    "int_type": "wrong_type",
    "int_parsing": "wrong_type",
    "int_from_float": "wrong_type",
    "float_parsing": "wrong_type",
    "finite_number": "wrong_type",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "greater_than": "too_small",
    "greater_than_equal": "too_small",
    "less_than": "too_large",
    "less_than_equal": "too_large",
    "string_pattern_mismatch": "invalid_value",
    "literal_error": "invalid_choice",
}

# Python 3.11 default: RFC 7231's phrases ("Request-URI Too Long", "Request Entity Too Large", "Unprocessable
# Entity"); contract: RFC 9110.
TITLES = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}
#: Seconds a client waits before it tries again while the database cannot be reached (Retry-After, RFC 9110 §10.2.3).
RETRY_AFTER = 1


class FieldError(BaseModel):
    field: str = Field(description="Dotted location within its source (`title`, or `limit` for a query parameter).")
    code: ErrorCode
    message: str = Field(description="The framework's own words.")


class Problem(BaseModel):
    """RFC 9457 problem details. `errors` appears on 422 only."""

    # Pydantic default: "default": null documented for errors, which is left out, never null.
    model_config = ConfigDict(json_schema_extra=without_defaults)

    type: Literal["about:blank"]
    title: str
    status: int
    detail: str
    errors: Annotated[list[FieldError], Field(min_length=1)] = None


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def title(status: int) -> str:
    return TITLES.get(status, HTTPStatus(status).phrase)


def problem(status: int, detail: str, errors: list[FieldError] | None = None, **options: Any) -> ProblemResponse:
    body = Problem(type="about:blank", title=title(status), status=status, detail=detail)
    if errors:
        body.errors = errors
    return ProblemResponse(body.model_dump(mode="json", exclude_unset=True), status_code=status, **options)


def error_code(error: dict[str, Any]) -> ErrorCode:
    # Pydantic reports a null where a value belongs as the wrong type ("string_type", input None).
    if error["type"].endswith("_type") and error["input"] is None:
        return "null"
    return ERROR_CODES.get(error["type"], "invalid_value")


def field_error(error: dict[str, Any]) -> FieldError:
    # Pydantic's loc starts with where FastAPI found the value ("body", "query"); the field is the rest.
    field = ".".join(str(part) for part in error["loc"][1:])
    return FieldError(field=field, code=error_code(error), message=error["msg"])


async def validation_problem(request: Request, exc: RequestValidationError) -> Response:
    # FastAPI default: 422 {"detail": [Pydantic's errors]}; contract: a problem listing (field, code) pairs.
    errors = exc.errors()
    if any(error["loc"][0] == "path" for error in errors):
        return problem(404, "No such route.")  # an item_id that is no positive int64 names no item
    where = "request body" if errors[0]["loc"][0] == "body" else "query string"
    return problem(422, f"The {where} is not valid.", [field_error(error) for error in errors])


async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
    # FastAPI default: {"detail": exc.detail} as application/json; contract: problem+json, headers (Allow,
    # WWW-Authenticate) kept.
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else title(exc.status_code)
    return problem(exc.status_code, detail, headers=exc.headers)


# endregion
# region: auth
TokenErrorCode = Literal["invalid_request", "unsupported_grant_type", "invalid_grant"]


class TokenProblem(Problem):
    """A 400 of ``POST /token``: a problem with RFC 6749 §5.2's ``error`` member."""

    error: TokenErrorCode


async def token_problem(request: Request, exc: Any) -> Response:
    """``auth.TokenRequestError`` as a problem carrying its RFC 6749 §5.2 ``error``.

    FastAPI's template default: 400 ``{"detail": "Incorrect email or password"}``, and
    OAuth2PasswordRequestForm's 422 for a missing field; contract: 400 problem+json with ``error``.
    """
    # FastAPI default: {"detail": exc.detail} like any HTTPException; contract: a problem with RFC 6749's error.
    body = TokenProblem(type="about:blank", title=title(400), status=400, detail=exc.detail, error=exc.error)
    return ProblemResponse(body.model_dump(mode="json", exclude_unset=True), status_code=400)


# endregion
# region: errors


def database_unreachable(exc: Exception) -> bool:
    """Whether ``exc`` says the database cannot be reached now, rather than that the program is wrong.

    asyncpg's connect raises ``OSError`` when refused and ``TimeoutError`` (an ``OSError``) past db.py's connect
    timeout; SQLAlchemy raises PEP 249's ``InterfaceError`` or ``OperationalError`` for a connection lost or a
    database locked, marks a ``DBAPIError`` ``connection_invalidated`` when it found the connection dead, wraps
    PostgreSQL's refusals by SQLSTATE class (08 connection exception, 53 insufficient resources such as too many
    connections, 57 operator intervention such as "the database system is starting up"), and its pool raises its
    own ``TimeoutError`` when no connection comes free in time.
    """
    if isinstance(exc, OSError | sqlalchemy_errors.TimeoutError):
        return True
    if not isinstance(exc, sqlalchemy_errors.DBAPIError):
        return False
    if getattr(exc.orig, "sqlite_errorname", None) == "SQLITE_ERROR":
        return False  # SQLite's OperationalError for a SQL error (no such table): the program's, as on PostgreSQL
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    return (
        exc.connection_invalidated
        or isinstance(exc, sqlalchemy_errors.OperationalError | sqlalchemy_errors.InterfaceError)
        or sqlstate[:2] in {"08", "53", "57"}
    )


#: The exception classes ``database_problem`` is registered for (main.py).
DATABASE_FAULTS = (OSError, sqlalchemy_errors.DBAPIError, sqlalchemy_errors.TimeoutError)


async def database_problem(request: Request, exc: Exception) -> Response:
    """503 with ``Retry-After`` while the database cannot be reached (refused, never answering, cut, restarting).

    Any other database error is the program's, and goes on to ``unexpected_problem`` (a 500, logged). The
    session rolls back when it closes: nothing half-written.
    """
    if not database_unreachable(exc):
        raise exc
    # Starlette default: a plain-text 500; contract: 503, and the client may try again.
    return problem(503, "The database cannot be reached; try again.", headers={"Retry-After": str(RETRY_AFTER)})


async def unexpected_problem(request: Request, exc: Exception) -> Response:
    # Starlette default: a plain-text 500 (a traceback with debug=True); contract: problem+json, nothing revealed.
    return problem(500, "The server met an unexpected condition.")


# endregion
# region: docs
RESPONSE_DESCRIPTIONS = {
    400: "The body is not JSON (RFC 8259), or not a JSON object.",
    401: "No credentials where a token is needed, or a token that is not valid "
    '(then `error="invalid_token"` in the challenge).',
    403: "The token's user does not own the item.",
    404: "No such item, or `item_id` is not a positive integer.",
    409: "The username is taken.",
    413: "The body is larger than 1 MiB.",
    415: "The body's `Content-Type` is not `application/json`.",
    422: "Well-formed JSON that breaks the schema, or a bad query parameter.",
}
RESPONSE_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "RFC 6750 §3's challenge, with the realm.",
            "required": True,
            "schema": {"type": "string", "pattern": '^Bearer realm="items"(, error="invalid_token")?$'},
        }
    }
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a path operation: each status documented as a problem+json ``Problem``.

    FastAPI default: a 422 with its own ``HTTPValidationError`` schema on every operation with parameters.
    """
    return {status: problem_response_doc(status) for status in statuses}


def problem_response_doc(
    status: int, description: str | None = None, properties: dict[str, Any] | None = None, required: tuple = ()
) -> dict[str, Any]:
    """One status as a problem; ``properties`` and ``required`` name members beyond RFC 9457's (``error``)."""
    errors = {"required": ["errors"]} if status == 422 else {"not": {"required": ["errors"]}}
    members = {"title": {"const": title(status)}, "status": {"const": status}, **(properties or {})}
    constants = {"properties": members, **({"required": list(required)} if required else {}), **errors}
    schema = {"allOf": [{"$ref": "#/components/schemas/Problem"}, constants]}
    doc = {"description": description or RESPONSE_DESCRIPTIONS[status], "content": {PROBLEM_JSON: {"schema": schema}}}
    if status in RESPONSE_HEADERS:
        doc["headers"] = RESPONSE_HEADERS[status]
    return doc


def token_error_response() -> dict[str, Any]:
    """The 400 of ``POST /token``: a problem with RFC 6749 §5.2's ``error`` member (``TokenProblem``)."""
    description = (
        "RFC 6749 §5.2: `invalid_request` (a parameter missing, empty or repeated), `unsupported_grant_type`, "
        "or `invalid_grant` (unknown user or wrong password, one answer for both); or a body that is not a form."
    )
    error = {"type": "string", "enum": list(TokenErrorCode.__args__)}
    return problem_response_doc(400, description, {"error": error}, required=("error",))


def document_problems(openapi: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's document, with problems in place of FastAPI's own validation error.

    FastAPI documents only the models that operations take or return, and adds a 422 with its
    ``HTTPValidationError`` to every operation with parameters. Here ``Problem`` (and ``FieldError``)
    join the components, where problem_responses refers to them, and FastAPI's 422 goes: the operations
    that can answer 422 say so with problem_responses; on the others only ``item_id`` could fail, and
    routing.IdConvertor makes that a 404 before validation.
    """
    for operations in openapi["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            # FastAPI default: a 422 with HTTPValidationError (application/json) on every operation with parameters.
            if "application/json" in responses.get("422", {}).get("content", {}):
                del responses["422"]
    schemas = openapi["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI default schemas, now unused
        del schemas[unused]
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs"), Problem=problem)
    return openapi


# endregion
