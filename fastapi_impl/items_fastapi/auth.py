"""Accounts and bearer tokens, the way FastAPI's security tutorial and its full-stack template do them.

- ``reusable_oauth2``: FastAPI's ``OAuth2PasswordBearer``, which reads ``Authorization: Bearer <token>`` and
  documents the ``bearerAuth`` scheme (an OAuth2 password flow to ``/token``, so that /docs' Authorize works);
- passwords hashed with pwdlib (Argon2id), tokens as JSON Web Tokens signed HS256 with PyJWT;
- the 401 challenges of RFC 6750 §3 with the contract's realm, and RFC 6749 §5.2's errors for ``/token``.

The dependencies that use them (``CurrentUser``, ``OptionalUser``) are in api/deps.py, as in the template.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi import HTTPException
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from items_fastapi.config import get_settings
from items_fastapi.models import User
from items_fastapi.schemas import Token, Username

# region: auth
ALGORITHM = "HS256"
#: The largest id a database stores (BIGINT): a token naming a larger one names nobody.
MAX_ID = 2**63 - 1
#: The challenge of a 401 (RFC 6750 §3, RFC 9110 §11.6.1); the contract pins the realm.
CHALLENGE = 'Bearer realm="items"'
INVALID_TOKEN = f'{CHALLENGE}, error="invalid_token"'
USERNAME = TypeAdapter(Username)

reusable_oauth2 = OAuth2PasswordBearer(
    tokenUrl="/token",
    # FastAPI default: the scheme named after the class, "OAuth2PasswordBearer"; contract: bearerAuth.
    scheme_name="bearerAuth",
    description="A bearer token from `POST /token` (OAuth 2.0's password flow, so that Swagger UI's Authorize "
    "button works), sent as `Authorization: Bearer`.",
    # FastAPI default: auto_error=True, a 401 with a bare "WWW-Authenticate: Bearer" for a request without a
    # token, even on a public read; contract: reads are public, and the challenge names the realm (deps.py).
    auto_error=False,
)

# pwdlib's recommended hasher: Argon2id with argon2-cffi's parameters (RFC 9106's second recommended option).
password_hash = PasswordHash.recommended()
# What an unknown username's password is checked against, so that it costs what a wrong password costs.
DUMMY_HASH = password_hash.hash("an unknown user's password is checked against this one")


def not_authenticated() -> HTTPException:
    """401 for a protected operation sent without a bearer token (or with another scheme, such as Basic).

    RFC 6750 §3.1: a request with no authentication information gets a challenge without an error code.
    """
    # FastAPI default (OAuth2PasswordBearer.make_not_authenticated_error): "WWW-Authenticate: Bearer", no realm.
    return HTTPException(401, "This operation needs a bearer token.", headers={"WWW-Authenticate": CHALLENGE})


def invalid_token() -> HTTPException:
    """401 ``error="invalid_token"`` (RFC 6750 §3.1): malformed, expired, signed with another key, or its user gone."""
    # FastAPI's full-stack template default: 403 "Could not validate credentials"; contract: 401 with a challenge.
    return HTTPException(401, "The bearer token is not valid.", headers={"WWW-Authenticate": INVALID_TOKEN})


def create_access_token(user: User) -> Token:
    """A token for ``user``: a JWT (HS256, ``SECRET_KEY``) whose ``sub`` is the user's id and ``exp`` the moment,
    ``TOKEN_TTL_SECONDS`` from now, after which it is refused."""
    settings = get_settings()
    expires = datetime.now(UTC) + timedelta(seconds=settings.token_ttl_seconds)
    claims = {"sub": str(user.id), "exp": expires}
    access_token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return Token(access_token=access_token, token_type="Bearer", expires_in=settings.token_ttl_seconds)


def user_id_from(token: str) -> int:
    """The id of the user ``token`` names. Raises ``HTTPException`` 401 ``invalid_token`` for a token that is not
    a JWT, is signed with another key or another algorithm (``alg: none`` too), has expired, or lacks ``exp``."""
    key = get_settings().secret_key.get_secret_value()
    try:
        # algorithms=[HS256]: PyJWT refuses any other header "alg", "none" included (RFC 8725 §3.1).
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.InvalidTokenError:
        raise invalid_token() from None
    subject = claims["sub"]
    if not (subject.isascii() and subject.isdigit() and 1 <= int(subject) <= MAX_ID):
        raise invalid_token()
    return int(subject)


async def hash_password(password: str) -> str:
    """pwdlib's Argon2id hash of ``password``, computed off the event loop (it takes tens of milliseconds)."""
    return await run_in_threadpool(password_hash.hash, password)


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """The user ``username`` names if ``password`` is theirs, else None; the same work either way.

    An unknown username (or one no user could have) still has a password checked, against ``DUMMY_HASH``,
    so neither the answer nor its time tells an unknown user from a wrong password (the template does the same).
    """
    user = None
    if username_is_valid(username):  # else no user has it; and PostgreSQL's text takes no NUL, say
        user = await session.scalar(select(User).where(User.username == username))
    hashed = user.hashed_password if user is not None else DUMMY_HASH
    verified, rehashed = await run_in_threadpool(password_hash.verify_and_update, password, hashed)
    if not verified or user is None:
        return None
    if rehashed is not None:  # hashed with older parameters: stored again with pwdlib's current ones
        user.hashed_password = rehashed
    return user


def username_is_valid(username: str) -> bool:
    """Whether any user could have ``username`` (schemas.Username)."""
    try:
        USERNAME.validate_python(username)
    except ValidationError:
        return False
    return True


class TokenRequestError(HTTPException):
    """400 with RFC 6749 §5.2's ``error`` member: ``invalid_request``, ``unsupported_grant_type``, ``invalid_grant``
    (problems.token_problem writes it as a problem)."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(400, detail)
        self.error = error


# endregion
