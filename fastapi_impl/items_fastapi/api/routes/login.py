"""HTTP: ``POST /token``, a username and password traded for a bearer token (RFC 6749 §4.3, first-party only).

The full-stack template's login route (``/login/access-token``) at the path the contract names, answering
RFC 6749's errors where the template answers 400 ``{"detail"}`` and OAuth2PasswordRequestForm a 422.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from items_fastapi import auth
from items_fastapi.api import routing
from items_fastapi.api.deps import SessionDep
from items_fastapi.api.json_body import BodyRequest, media_type
from items_fastapi.problems import problem_response_doc, token_error_response
from items_fastapi.schemas import Token, TokenRequest

# region: auth
router = APIRouter(tags=["accounts"])

FORM = "application/x-www-form-urlencoded"
# RFC 6749 §4.3.2: the parameters of a password grant, each required exactly once (§3.2: "MUST NOT be included
# more than once"; §3.1: one "sent without a value MUST be treated as if [it was] omitted").
PARAMETERS = ("grant_type", "username", "password")


async def token_request(request: Request) -> TokenRequest:
    """The form of ``POST /token``, read the RFC 6749 way: a dependency, as OAuth2PasswordRequestFormStrict is.

    Raises ``HTTPException`` 415 for another media type (its charset parameter is ignored) or a content coding,
    413 over 1 MiB (json_body.BodyRequest), and ``auth.TokenRequestError``: ``invalid_request`` for a parameter
    missing, empty or repeated, or a body that is not a form (not ASCII, or not UTF-8 once percent-decoded);
    ``unsupported_grant_type`` for a ``grant_type`` other than ``password``, before the other two are read.
    Other parameters (``scope``, ``client_id``) are ignored.
    """
    # FastAPI default (OAuth2PasswordRequestFormStrict): python-multipart parses the form, the last of repeated
    # parameters wins, a missing one is a 422; contract: RFC 6749 §5.2, so the standard library's parser here.
    request = BodyRequest(request.scope, request.receive)
    if media_type(request) != FORM:
        raise HTTPException(415, f"The body's Content-Type must be {FORM}.")
    body = await request.body()  # 415 for a content coding, then 413
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise auth.TokenRequestError("invalid_request", "The body is not a form (percent-encoded UTF-8).") from None
    form: dict[str, str] = {}
    for name in PARAMETERS:
        values = [value for key, value in pairs if key == name]
        if len(values) > 1:
            raise auth.TokenRequestError("invalid_request", f"The parameter {name} is sent more than once.")
        if not values or not values[0]:
            raise auth.TokenRequestError("invalid_request", f"The parameter {name} is missing.")
        if name == "grant_type" and values[0] != "password":
            raise auth.TokenRequestError("unsupported_grant_type", "Only grant_type=password is supported.")
        form[name] = values[0]
    return TokenRequest(**form)


NO_STORE = {"Cache-Control": {"required": True, "schema": {"type": "string", "const": "no-store"}}}


@router.post(
    "/token",
    operation_id="createToken",
    summary="Trade a username and password for a bearer token (RFC 6749 §4.3, first-party only).",
    description="The form's `grant_type`, `username` and `password` are required (a parameter sent empty counts "
    "as missing, RFC 6749 §3.1; one sent twice is `invalid_request`); others, such as `scope`, are ignored. An "
    "unknown user and a wrong password get the same answer, after the same work. The `Authorization` header "
    "is not read here.",
    response_model=Token,
    response_description="A token; `Cache-Control: no-store` (RFC 6749 §5.1).",
    responses={
        200: {"headers": NO_STORE},
        400: token_error_response(),
        413: problem_response_doc(413),
        415: problem_response_doc(415, f"The body's `Content-Type` is not `{FORM}`."),
    },
    # FastAPI default: a body that a dependency reads from the Request is not documented; its "Custom OpenAPI
    # content type" recipe: documented here, as the spec's TokenRequest (the form Swagger UI's Authorize posts).
    openapi_extra={"requestBody": {"required": True, "content": {FORM: {"schema": TokenRequest.model_json_schema()}}}},
)
async def login_access_token(
    form: Annotated[TokenRequest, Depends(token_request)], session: SessionDep, response: Response
) -> Token:
    user = await auth.authenticate(session, form.username, form.password)
    if user is None:
        # The template's default: 400 {"detail": "Incorrect email or password"}; contract: RFC 6749 invalid_grant.
        raise auth.TokenRequestError("invalid_grant", "The username or the password is wrong.")
    await session.commit()  # a password hash pwdlib renewed, if any
    response.headers["Cache-Control"] = "no-store"  # FastAPI default: none; RFC 6749 §5.1: no-store
    return auth.create_access_token(user)


routing.finish(router)  # 405 with Allow: POST, and OPTIONS 204, for every other method
# endregion
