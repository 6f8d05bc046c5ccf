"""Every error as RFC 9457 problem details (``application/problem+json``), and the codes of a 422.

DRF calls ``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) for what its views raise;
Django calls the ``handler400``/``403``/``404``/``500`` views (urls.py) for everything else: an
unknown route, a ``Host`` not allowed, an exception DRF re-raises; ``DatabaseUnavailableMiddleware``
answers 503 while the database cannot be reached.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

# region: errors
PROBLEM_JSON = "application/problem+json"

# Python's HTTPStatus (3.11): "Request-URI Too Long", "Request Entity Too Large", "Unprocessable Entity";
# contract: RFC 9110's.
TITLES = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}

# DRF's error codes (and Django's validators'), onto the contract's closed list.
ERROR_CODES = {
    "required": "required",
    "unknown_field": "unknown_field",  # serializers.py
    "null": "null",
    "invalid": "wrong_type",
    "max_string_length": "wrong_type",
    "blank": "too_short",
    "min_length": "too_short",
    "max_length": "too_long",
    "min_value": "too_small",
    "max_value": "too_large",
    "null_characters_not_allowed": "invalid_value",
    "invalid_username": "invalid_value",  # serializers.py's UsernameField (ASCIIUsernameValidator)
    "surrogate_characters_not_allowed": "invalid_value",
    "invalid_choice": "invalid_choice",
}
CODES = sorted(set(ERROR_CODES.values()))

TOO_LARGE = "The body is larger than 1 MiB."
RETRY_AFTER = 1  # seconds (RFC 9110 §10.2.3), on a 503

logger = logging.getLogger(__name__)


def title(status: int) -> str:
    return TITLES.get(status, HTTPStatus(status).phrase)


def problem(status: int, detail: str, **members: Any) -> dict[str, Any]:
    return {"type": "about:blank", "title": title(status), "status": status, "detail": detail, **members}


def field_errors(detail: Any, path: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """DRF's ``{"price": [ErrorDetail(..., code="min_value")]}`` as ``{"field", "code", "message"}`` items."""
    if isinstance(detail, dict):
        for name, inner in detail.items():
            yield from field_errors(inner, (*path, str(name)))
    elif isinstance(detail, list):
        # DRF default: every validator a value fails is reported; contract: the first only.
        for inner in detail[:1]:
            yield from field_errors(inner, path)
    else:
        code = ERROR_CODES.get(getattr(detail, "code", None), "invalid_value")  # no code says more
        yield {"field": ".".join(path), "code": code, "message": str(detail)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER. DRF default: ``{"detail": ...}`` or the errors by field, as application/json."""
    if isinstance(exc, Http404):  # as DRF's own handler does
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    headers = {}
    if isinstance(exc, exceptions.ValidationError):
        # DRF default: 400; contract: 422, with the errors as a list of (field, code, message).
        status, detail = 422, "The request is not valid."
        body = problem(status, detail, errors=list(field_errors(exc.detail)))
    elif isinstance(exc, RequestDataTooBig):
        # Django default: a SuspiciousOperation, so a 400; contract: 413 (DATA_UPLOAD_MAX_MEMORY_SIZE is 1 MiB).
        body = problem(413, TOO_LARGE)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail.get("detail", "") if isinstance(exc.detail, dict) else exc.detail  # simplejwt: a dict
        # Extension members (RFC 9457 §3.2): /token's RFC 6749 "error" (auth.py's TokenRequestError).
        body = problem(exc.status_code, str(detail), **getattr(exc, "members", {}))
        if isinstance(exc, exceptions.MethodNotAllowed):
            # DRF default: Allow on every response, OPTIONS included; contract: the spec's methods (views.py).
            headers["Allow"] = ", ".join(context["view"].allowed_methods)
        # endregion
        # region: auth
        if auth_header := getattr(exc, "auth_header", None):
            # The challenge DRF's APIView.handle_exception asked BearerAuthentication for (authentication.py), as DRF's
            # own exception handler sends it: a 401 always carries WWW-Authenticate (RFC 9110 §11.6.1).
            headers["WWW-Authenticate"] = auth_header
        # endregion
        # region: errors
    else:
        return None  # unexpected: Django's handler500 (server_error below) answers, after logging it
    set_rollback()
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_JSON)


def problem_response(status: int, detail: str) -> JsonResponse:
    return JsonResponse(problem(status, detail), status=status, content_type=PROBLEM_JSON)


# Django's error views (urls.py). Django default: HTML pages.
def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):  # Django default: 400, for the admin's forms too
        return problem_response(413, TOO_LARGE)
    return problem_response(400, "The request is not valid HTTP for this server.")


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return problem_response(403, "Permission denied.")


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return problem_response(404, f"There is nothing at {request.path}.")


def server_error(request: HttpRequest) -> JsonResponse:
    return problem_response(500, "The server failed to answer this request.")


class DatabaseUnavailableMiddleware:
    """503 ``Service Unavailable`` with ``Retry-After`` while the database cannot be reached (RFC 9110 §15.6.4).

    Django default: ``OperationalError`` and ``InterfaceError`` (refused, timed out, cut: ``connect_timeout``
    and the pool's ``timeout``, settings.py) reach ``handler500``. ``process_exception`` sees what the view
    raises, and also what opening a write's transaction (views.py's ``dispatch``: the first connection)
    and committing it raise; the transaction is rolled back, so nothing is half-written.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> JsonResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("%s %s: the database is unavailable: %s", request.method, request.path, exception)
        response = problem_response(503, "The database cannot be reached; try again shortly.")
        response["Retry-After"] = str(RETRY_AFTER)
        return response


# endregion
# region: docs
class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="Dotted location within its source (`title`, or `limit` for a query parameter)."
    )
    code = serializers.ChoiceField(CODES)
    message = serializers.CharField(help_text="The framework's own words.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details. `errors` appears on 422 only. Documentation only: ``problem()`` writes them."""

    type = serializers.ChoiceField(["about:blank"])
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.ListField(child=FieldErrorSerializer(), min_length=1, required=False)


class StatusProblemSerializer(ProblemSerializer):
    """Documentation only: ``ProblemSerializer`` for one status (``responses()`` below), with the extension members
    ``members`` (their JSON Schemas, all required) under the component name ``name`` (/token's ``TokenError``)."""

    def __init__(self, status_code: int, name: str = "", members: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status_code, self.name, self.members = status_code, name, members or {}


class StatusProblemSchema(OpenApiSerializerExtension):
    """A problem for one status: ``Problem`` with that status's title and status, ``errors`` on 422 only."""

    target_class = StatusProblemSerializer

    def get_name(self, auto_schema, direction) -> str:
        return self.target.name or title(self.target.status_code).replace(" ", "")  # NotFound, as the spec has it

    def get_identity(self, auto_schema, direction) -> Any:
        return ("problem", self.target.status_code, self.target.name)

    def map_serializer(self, auto_schema, direction) -> dict[str, Any]:
        code = self.target.status_code
        # drf-spectacular default: a serializer's fields, whatever the status; contract: each status pins its own.
        narrowed = {"properties": {"title": {"const": title(code)}, "status": {"const": code}, **self.target.members}}
        narrowed |= {"required": list(self.target.members)} if self.target.members else {}
        narrowed |= {"required": ["errors"]} if code == 422 else {"not": {"required": ["errors"]}}
        return {"allOf": [auto_schema.resolve_serializer(ProblemSerializer, direction).ref, narrowed]}


DESCRIPTIONS = {
    400: "The body is not JSON (RFC 8259), or not a JSON object.",
    401: 'No credentials where a token is needed, or a token that is not valid (then `error="invalid_token"` in the '
    "challenge).",
    403: "The token's user does not own the item.",
    404: "No such item, or `item_id` is not a positive integer.",
    409: "The username is taken.",
    413: "The body is larger than 1 MiB.",
    415: "The body's `Content-Type` is not `application/json`.",
    422: "Well-formed JSON that breaks the schema, or a bad query parameter.",
}


def responses(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """``extend_schema(responses=...)`` entries: the problem+json answers an operation documents."""
    return {
        (status, PROBLEM_JSON): OpenApiResponse(StatusProblemSerializer(status), DESCRIPTIONS[status])
        for status in statuses
    }


# endregion
