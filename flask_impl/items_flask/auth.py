"""Accounts and bearer tokens: Flask-Login reading ``Authorization``, and the ``accounts`` blueprint.

- ``login_manager``: Flask-Login's ``LoginManager``. Its ``request_loader`` turns ``Authorization: Bearer
  <token>`` (RFC 6750 §2.1) into ``current_user``; its ``unauthorized`` handler, which ``login_required``
  calls for an anonymous client, answers 401 with the challenge. Its ``user_loader`` reads the session the
  admin's login sets (admin.py). Each credential has one place: the bearer token is read on the API's
  requests only and the session cookie everywhere else, so an admin's cookie authenticates no API request.
- Tokens: itsdangerous's ``URLSafeTimedSerializer`` (Flask's own signer, already installed with it) signs the
  user's id with ``SECRET_KEY`` and a timestamp; ``loads(max_age=TOKEN_TTL_SECONDS)`` refuses a token that is
  expired, tampered with or signed with another key. A JWT would tell clients what the contract keeps opaque.
- Passwords: Werkzeug's ``generate_password_hash`` / ``check_password_hash`` (models.User).
- ``blp``: ``POST /users``, ``GET /users/me``, ``GET /users/{user_id}`` and ``POST /token``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, NoReturn

from flask import Request, current_app, request, url_for
from flask.views import MethodView
from flask_login import LoginManager, current_user, login_required
from flask_smorest import Api
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug import exceptions
from werkzeug.datastructures import MultiDict
from werkzeug.security import check_password_hash, generate_password_hash

from . import problems
from .db import db
from .json_body import Blueprint, read_form
from .models import User
from .schemas import USERNAME_PATTERN, Token, TokenRequest, UserCreate
from .schemas import User as UserSchema

# region: auth
#: RFC 6750 §3's challenges: no credentials (or another scheme), and a bearer token that is not valid.
CHALLENGE = 'Bearer realm="items"'
INVALID_TOKEN = 'Bearer realm="items", error="invalid_token"'
#: itsdangerous's salt, so that nothing else signed with SECRET_KEY (Flask's session cookie) is a token.
TOKEN_SALT = "access-token"
#: Checked for an unknown username, so that its answer takes as long as a wrong password's: no time tells who exists.
DUMMY_PASSWORD_HASH = generate_password_hash(secrets.token_urlsafe(16))
GRANT_PARAMETERS = ("grant_type", "username", "password")

# The OpenAPI security requirements (flask-smorest has no security support: each operation says its own).
ANONYMOUS_OR_TOKEN: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]
TOKEN_REQUIRED: list[dict[str, list[str]]] = [{"bearerAuth": []}]
#: An OAuth 2.0 password flow, so that Swagger UI's Authorize button logs in through /token.
BEARER_AUTH = {
    "type": "oauth2",
    "description": (
        "A bearer token from `POST /token` (OAuth 2.0's password flow, so that Swagger UI's Authorize button"
        " works), sent as `Authorization: Bearer`."
    ),
    "flows": {"password": {"tokenUrl": "/token", "scopes": {}}},
}


class Unauthorized(exceptions.Unauthorized):
    """401 with the RFC 6750 challenge ``challenge`` in ``WWW-Authenticate`` (problems.py copies the header)."""

    def __init__(self, description: str, challenge: str) -> None:
        super().__init__(description)
        self.challenge = challenge

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        # werkzeug default: WWWAuthenticate writes `Bearer realm=items` (unquoted); contract: RFC 6750 §3's quotes.
        return [*super().get_headers(*args, **kwargs), ("WWW-Authenticate", self.challenge)]


class TokenError(exceptions.BadRequest):
    """RFC 6749 §5.2: a 400 whose problem details carry ``error`` (``invalid_request``, ``invalid_grant``...)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.extensions = {"error": error}


login_manager = LoginManager()


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def issue_token(user: User) -> dict[str, Any]:
    """RFC 6749 §5.1's answer: a token naming ``user``, valid for ``TOKEN_TTL_SECONDS`` (``expires_in``)."""
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    return {"access_token": serializer().dumps(user.id), "token_type": "Bearer", "expires_in": ttl}


def api_request() -> bool:
    """Whether the request is routed to one of the API's blueprints (``json_body.Blueprint``: items, accounts)."""
    return isinstance(current_app.blueprints.get(request.blueprint or ""), Blueprint)


@login_manager.user_loader
def load_user_from_session(user_id: str) -> User | None:
    """The user the admin's login put in the session (admin.py); None on the API's requests (Flask-Login then
    asks ``load_user_from_request``: the bearer token alone)."""
    # Flask-Login default: the session's user is current_user on every request, ahead of the request_loader, so an
    # admin's session cookie would authenticate POST /items; contract: the API reads the bearer token only.
    return None if api_request() else db.session.get(User, int(user_id))


@login_manager.request_loader
def load_user_from_request(req: Request) -> User | None:
    """The user a bearer token names, on the API's requests; None without one (no ``Authorization``, or another
    scheme such as Basic), and everywhere else (the admin and the browse page read no token).

    Raises ``Unauthorized`` (``error="invalid_token"``) for a bearer token that is malformed (``Bearer`` alone
    too), expired, signed with another key, or names a user that no longer exists.
    """
    credentials = req.authorization  # werkzeug reads the scheme in any case (RFC 9110 §11.1)
    if not api_request() or credentials is None or credentials.type != "bearer":
        return None
    try:
        user_id = serializer().loads(credentials.token or "", max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except BadData:
        raise Unauthorized("The bearer token is malformed, expired or not signed here.", INVALID_TOKEN) from None
    user = db.session.get(User, user_id)
    if user is None:
        raise Unauthorized("The bearer token names a user that no longer exists.", INVALID_TOKEN)
    return user


@login_manager.unauthorized_handler
def challenge() -> NoReturn:
    # Flask-Login default: a redirect to login_view, or abort(401) with no challenge; contract: RFC 6750 §3's.
    raise Unauthorized("This operation needs a bearer token from POST /token.", CHALLENGE)


def authenticate() -> None:
    """``before_request`` of the API's blueprints: a token that is sent is checked, whatever the operation.

    ``OPTIONS`` never looks at credentials, nor does ``POST /token``. (A 405 or an unknown route never gets
    here: Flask runs a blueprint's hooks only for a request routed to one of its views.)
    """
    # Flask-Login default: current_user is loaded when first used, so a read that never uses it ignores a bad token;
    # contract: 401 invalid_token on every operation. Loaded here, before any body is read.
    if request.method != "OPTIONS" and request.endpoint != "accounts.token":
        current_user._get_current_object()


def password_grant(form: MultiDict[str, str]) -> tuple[str, str]:
    """``(username, password)`` from a token request's form (RFC 6749 §4.3.2), or ``TokenError``.

    A parameter sent twice, or missing or empty (RFC 6749 §3.1: an empty one counts as omitted), is
    ``invalid_request``; a ``grant_type`` other than ``password`` is ``unsupported_grant_type``. Other
    parameters (``scope``, ``client_id``) are ignored.
    """
    values = {name: form.getlist(name) for name in GRANT_PARAMETERS}
    for name, sent in values.items():
        if len(sent) > 1:
            raise TokenError("invalid_request", f"`{name}` is sent more than once (RFC 6749 §3.1).")
    given = {name: sent[0] for name, sent in values.items() if sent and sent[0]}
    if "grant_type" not in given:
        raise TokenError("invalid_request", "`grant_type` is missing (RFC 6749 §4.3.2).")
    if given["grant_type"] != "password":
        raise TokenError("unsupported_grant_type", "Only the password grant is supported (RFC 6749 §4.3).")
    for name in ("username", "password"):
        if name not in given:
            raise TokenError("invalid_request", f"`{name}` is missing (RFC 6749 §4.3.2).")
    return given["username"], given["password"]


def check_credentials(username: str, password: str) -> User | None:
    """The user ``username`` if ``password`` is theirs, else None (``POST /token`` and the admin's login).

    An unknown name costs the same hashing as a wrong password, so the time tells no one who exists. A name no
    user can have (a NUL, which PostgreSQL's text refuses, a space...) is looked up nowhere.
    """
    possible = re.fullmatch(USERNAME_PATTERN, username) is not None
    user = db.session.scalar(select(User).where(User.username == username)) if possible else None
    if user is None:
        check_password_hash(DUMMY_PASSWORD_HASH, password)  # as long as a wrong password takes
        return None
    return user if user.check_password(password) else None


def init_app(app: Any, api: Api) -> None:
    """Bind Flask-Login to ``app``, and write the security scheme and the 401/400 responses into the document."""
    login_manager.init_app(app)
    api.spec.components.security_scheme("bearerAuth", BEARER_AUTH)
    for name, doc in RESPONSES.items():
        api.spec.components.response(name, doc)


# endregion
# region: docs
RESPONSES = {
    "Unauthorized": problems.response_doc(
        401,
        "No credentials where a token is needed, or a token that is not valid.",
        headers={
            "WWW-Authenticate": {
                "required": True,
                "schema": {"type": "string", "pattern": '^Bearer realm="items"(, error="invalid_token")?$'},
            }
        },
    ),
    "TokenError": problems.response_doc(
        400,
        "RFC 6749 §5.2: `invalid_request`, `unsupported_grant_type` or `invalid_grant`.",
        members={"error": {"type": "string", "enum": ["invalid_request", "unsupported_grant_type", "invalid_grant"]}},
    ),
}
USER_LOCATION = {
    "description": "The new user's path, `/users/{id}`.",
    "required": True,
    "schema": {"type": "string", "pattern": "^/users/[1-9][0-9]*$"},
}
USER_ID = {"in": "path", "name": "user_id", "description": "A positive integer, like `item_id`; else a 404."}
TOKEN_FORM = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": TokenRequest}}}
NO_STORE = {"required": True, "schema": {"type": "string", "const": "no-store"}}
# endregion
# region: auth
blp = Blueprint("accounts", __name__, description="Sign up, log in, and who the token names.")
blp.before_request(authenticate)


@blp.route("/users")
class Users(MethodView):
    @blp.doc(
        operationId="createUser",
        security=ANONYMOUS_OR_TOKEN,
        responses={
            201: {"links": {"GetUser": {"operationId": "getUser", "parameters": {"user_id": "$response.body#/id"}}}}
        },
    )
    @blp.arguments(UserCreate)
    @blp.response(201, UserSchema, description="The account was created.", headers={"Location": USER_LOCATION})
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(409, "Conflict")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def post(self, fields: dict[str, str]) -> tuple[User, dict[str, str]]:
        """Sign up."""
        taken = f"The username {fields['username']!r} is taken."
        # Looked up first, so that a refused name costs no hashing and no PostgreSQL sequence value.
        if db.session.scalar(select(User.id).where(User.username == fields["username"])) is not None:
            exceptions.abort(409, taken)
        user = User(username=fields["username"])
        user.set_password(fields["password"])
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # the same name, signed up at the same moment: the unique constraint decides
            db.session.rollback()
            exceptions.abort(409, taken)
        return user, {"Location": url_for(".UserById", user_id=user.id)}


@blp.route("/users/me")
class CurrentUser(MethodView):
    @login_required
    @blp.doc(operationId="getCurrentUser", security=TOKEN_REQUIRED)
    @blp.response(200, UserSchema, description="The user.")
    @blp.alt_response(401, "Unauthorized")
    def get(self) -> User:
        """The user the token names."""
        return current_user._get_current_object()


@blp.route("/users/<id:user_id>", parameters=[USER_ID])
class UserById(MethodView):
    @blp.doc(operationId="getUser", security=ANONYMOUS_OR_TOKEN)
    @blp.response(200, UserSchema, description="The user.")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(404, "NotFound")
    def get(self, user_id: int) -> User:
        """Read one user."""
        return db.get_or_404(User, user_id, description=f"There is no user {user_id}.")


@blp.route("/token", endpoint="token", methods=["POST"])
@blp.doc(operationId="createToken", security=[{}], requestBody=TOKEN_FORM)
@blp.response(200, Token, description="A token; `Cache-Control: no-store`.", headers={"Cache-Control": NO_STORE})
@blp.alt_response(400, "TokenError")
@blp.alt_response(413, "ContentTooLarge")
@blp.alt_response(415, "UnsupportedMediaType")
def create_token() -> tuple[dict[str, Any], dict[str, str]]:
    """Trade a username and password for a bearer token (RFC 6749 §4.3, first-party only).

    An unknown user and a wrong password get the same answer, after the same work. The `Authorization`
    header is not read here.
    """
    try:
        form = read_form(request)  # 415 and 413 as for JSON
    except exceptions.BadRequest as error:  # a body whose framing is broken is no form either
        raise TokenError("invalid_request", error.description or "The body is not a form.") from error
    user = check_credentials(*password_grant(form))
    if user is None:
        raise TokenError("invalid_grant", "The username or the password is wrong.")
    return issue_token(user), {"Cache-Control": "no-store"}  # RFC 6749 §5.1


# endregion
