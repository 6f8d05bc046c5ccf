"""Dependencies and lookups shared by the path operations: the session, the current user, an item."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.dependencies.models import Dependant
from sqlalchemy.ext.asyncio import AsyncSession

from items_fastapi import auth
from items_fastapi.db import get_session
from items_fastapi.models import Item, User

# region: wiring
SessionDep = Annotated[AsyncSession, Depends(get_session)]


# endregion
# region: auth
#: The token of ``Authorization: Bearer <token>`` (the scheme in any case); None without one or with another
#: scheme (Basic...), "" for "Bearer" with nothing after it.
TokenDep = Annotated[str | None, Depends(auth.reusable_oauth2)]


async def get_optional_user(session: SessionDep, token: TokenDep) -> User | None:
    """The user the request's bearer token names, or None for a request that sends no token.

    Raises ``HTTPException`` 401 ``error="invalid_token"`` (RFC 6750 §3.1) for a token that is malformed,
    expired, signed with another key, or names a user that no longer exists: on a public read too.
    """
    if token is None:
        return None
    user = await session.get(User, auth.user_id_from(token))
    if user is None:
        # The full-stack template's default: 404 "User not found"; contract: the token is not valid, 401.
        raise auth.invalid_token()
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> User:
    """The user the request's bearer token names. Raises ``HTTPException`` 401 (no error code) without a token,
    and 401 ``invalid_token`` as ``get_optional_user`` does."""
    if user is None:
        raise auth.not_authenticated()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]

# FastAPI default: an operation that depends on a security scheme documents it as required, even with
# auto_error=False; contract: a public operation that reads a token if sent documents [{}, {bearerAuth: []}].
# (openapi_extra is merged into FastAPI's operation, its lists appended: [{bearerAuth: []}] + [{}].)
ANONYMOUS_TOO = {"security": [{}]}


def depends_on(dependant: Dependant, call: object) -> bool:
    """Whether ``call`` is among the dependencies of ``dependant``, at any depth."""
    return any(sub.call is call or depends_on(sub, call) for sub in dependant.dependencies)


async def check_credentials(request: Request, *, required: bool) -> int | None:
    """What the user dependencies will decide about the credentials, decided without the database.

    For a route that must answer 401 before it reads the body (json_body.JSONBodyRoute): returns the id of the
    user a valid token names (not looked up), or None for a request without a token. Raises ``HTTPException``
    401 without a token when ``required``, 401 ``invalid_token`` for a token that is not valid.
    """
    token = await auth.reusable_oauth2(request)
    if token is None:
        if required:
            raise auth.not_authenticated()
        return None
    return auth.user_id_from(token)


async def check_user_exists(request: Request, user_id: int) -> None:
    """Raises ``HTTPException`` 401 ``invalid_token`` when no user has ``user_id`` (a session of its own)."""
    async with request.state.sessionmaker() as session:
        if await session.get(User, user_id) is None:
            raise auth.invalid_token()


# endregion
# region: retrieve
async def get_item_or_404(session: AsyncSession, item_id: int) -> Item:
    """The item ``item_id``, or a 404.

    Called from the path operations, not declared as a dependency: FastAPI validates the body after it solves
    the dependencies, so a ``Depends`` lookup would answer ``PUT /items/999`` with an invalid body 404, where
    the contract wants its 422 first.
    """
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(404, f"There is no item {item_id}.")
    return item


# endregion
# region: auth
async def get_own_item(session: AsyncSession, item_id: int, user: User) -> Item:
    """The item ``item_id`` if ``user`` owns it: a 404 for no such item, then a 403 (no ``WWW-Authenticate``:
    the token is fine, the user may not) for an item someone else owns or nobody does (it predates accounts)."""
    item = await get_item_or_404(session, item_id)
    if not item.owned_by(user):
        raise HTTPException(403, "Only the item's owner may change or delete it.")
    return item


# endregion
