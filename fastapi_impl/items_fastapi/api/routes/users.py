"""HTTP: sign-up (``POST /users``), the user a token names (``GET /users/me``) and any user (``GET /users/{id}``).

As in FastAPI's full-stack template (its api/routes/users.py), the password is hashed with pwdlib and never
answered: the response model is ``UserPublic``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from items_fastapi import auth
from items_fastapi.api import routing
from items_fastapi.api.deps import ANONYMOUS_TOO, CurrentUser, SessionDep, get_optional_user
from items_fastapi.api.json_body import JSONBodyRoute
from items_fastapi.models import User
from items_fastapi.problems import problem_responses
from items_fastapi.schemas import UserCreate, UserPublic

# region: auth
router = APIRouter(tags=["accounts"], route_class=JSONBodyRoute)  # FastAPI default: APIRoute, see json_body.py

UserId = Annotated[int, Path(ge=1, description="A positive integer in ASCII decimal digits, like `item_id`.")]
LOCATION = {
    "Location": {
        "description": "The new user's path, `/users/{id}`.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/users/[1-9][0-9]*$"},
    }
}
LINKS = {"GetUser": {"operationId": "getUser", "parameters": {"user_id": "$response.body#/id"}}}
TAKEN = "This username is taken."


@router.post(
    "/users",
    operation_id="createUser",
    summary="Sign up.",
    status_code=201,  # FastAPI default: 200
    response_model=UserPublic,
    response_description="The account was created.",
    responses={201: {"headers": LOCATION, "links": LINKS}, **problem_responses(400, 401, 409, 413, 415, 422)},
    dependencies=[Depends(get_optional_user)],  # public, but a token sent must be valid (401 invalid_token)
    openapi_extra=ANONYMOUS_TOO,
)
async def create_user(fields: UserCreate, session: SessionDep, response: Response) -> User:
    """A new account; 409 for a username taken (exactly: ``Alice`` and ``alice`` are two), after the 422s."""
    if await session.scalar(select(User.id).where(User.username == fields.username)) is not None:
        raise HTTPException(409, TAKEN)  # no password hashed for nothing
    user = User(username=fields.username, hashed_password=await auth.hash_password(fields.password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:  # uq_users_username: another sign-up took the name since the check above
        raise HTTPException(409, TAKEN) from None
    response.headers["Location"] = router.url_path_for("get_user", user_id=user.id)
    return user


@router.get(
    "/users/me",
    operation_id="getCurrentUser",
    summary="The user the token names.",
    response_model=UserPublic,
    response_description="The user.",
    responses=problem_responses(401),
)
async def read_user_me(user: CurrentUser) -> User:
    return user


@router.get(
    "/users/{user_id:id}",  # routing.IdConvertor: anything but a positive int64 is no route (404)
    operation_id="getUser",
    summary="Read one user.",
    response_model=UserPublic,
    response_description="The user.",
    responses=problem_responses(401, 404),
    dependencies=[Depends(get_optional_user)],  # public, but a token sent must be valid (401 invalid_token)
    openapi_extra=ANONYMOUS_TOO,
)
async def get_user(user_id: UserId, session: SessionDep) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(404, f"There is no user {user_id}.")
    return user


routing.finish(router)  # HEAD beside GET; 405 with Allow, and OPTIONS 204, for every other method
# endregion
