"""HTTP: the six path operations on /items and /items/{item_id}, HEAD, and the answer to any other method.

FastAPI validates the query string and the body before an operation runs, so ``PUT /items/999`` with an
invalid body is a 422, and only a valid one reaches the 404 of an unknown item, then the 403 of another
user's item. Reads are public (a token, if sent, must be valid); writes need one (``CurrentUser``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from items_fastapi.api import routing
from items_fastapi.api.deps import (
    ANONYMOUS_TOO,
    CurrentUser,
    SessionDep,
    get_item_or_404,
    get_optional_user,
    get_own_item,
)
from items_fastapi.api.json_body import JSONBodyRoute
from items_fastapi.models import Item, User
from items_fastapi.problems import problem_responses
from items_fastapi.schemas import ItemCreate, ItemPage, ItemPatch, ItemPublic, ItemQuery

# region: wiring
router = APIRouter(tags=["items"], route_class=JSONBodyRoute)  # FastAPI default: APIRoute, see json_body.py

COLLECTION = "/items"
ITEM = "/items/{item_id:id}"  # routing.IdConvertor
# endregion
# region: validation
ItemId = Annotated[
    int,
    Path(
        ge=1,
        description="A positive integer. Anything else (`abc`, `0`, a number beyond the database's range) is a 404, "
        "never a 500.",
    ),
]
# endregion
# region: docs
LOCATION = {
    "Location": {
        "description": "The new item's path, `/items/{id}`.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/items/[1-9][0-9]*$"},
    }
}
LINKS = {
    name: {"operationId": operation_id, "parameters": {"item_id": "$response.body#/id"}}
    for name, operation_id in [
        ("GetItem", "getItem"),
        ("ReplaceItem", "replaceItem"),
        ("UpdateItem", "updateItem"),
        ("DeleteItem", "deleteItem"),
    ]
}
# endregion
# region: list
SORT_COLUMNS = {"id": Item.id, "title": Item.title, "price": Item.price, "created_at": Item.created_at}
#: GET /items' query string, validated by FastAPI (422 for a bad one): the browse page (pages.py) takes it too.
ItemQueryDep = Annotated[ItemQuery, Query()]


def filters(query: ItemQuery) -> list[ColumnElement[bool]]:
    where = []
    if query.q is not None:
        where.append(Item.title_contains(query.q))
    if query.min_price is not None:
        where.append(Item.price >= query.min_price)
    if query.max_price is not None:
        where.append(Item.price <= query.max_price)
    if query.owner is not None:
        where.append(Item.owner.has(User.username == query.owner))  # exact: Alice is not alice
    return where


def order_by(sort: str) -> tuple[ColumnElement[Any], ...]:
    column = SORT_COLUMNS[sort.removeprefix("-")]
    return (column.desc() if sort.startswith("-") else column.asc(), Item.id.asc())


@router.get(
    COLLECTION,
    operation_id="listItems",
    summary="List items, filtered, sorted and paginated.",
    response_model=ItemPage,
    response_description="One page of the items that match the filters.",
    responses=problem_responses(401, 422),
    dependencies=[Depends(get_optional_user)],  # public, but a token sent must be valid (401 invalid_token)
    openapi_extra=ANONYMOUS_TOO,
)
async def list_items(query: ItemQueryDep, session: SessionDep) -> dict[str, Any]:
    return await item_page(session, query)


async def item_page(session: AsyncSession, query: ItemQuery) -> dict[str, Any]:
    """The page of items ``query`` asks for, as ``ItemPage`` holds it: GET /items' answer, the browse page's rows."""
    where = filters(query)
    total = await session.scalar(select(func.count()).select_from(Item).where(*where))
    page = select(Item).where(*where).order_by(*order_by(query.sort)).limit(query.limit).offset(query.offset)
    items = (await session.scalars(page)).all()
    # The ItemPage envelope: FastAPI has no pagination of its own, the response model is the page.
    return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}


# endregion
# region: create
@router.post(
    COLLECTION,
    operation_id="createItem",
    summary="Create an item; its owner is the user the token names.",
    status_code=201,  # FastAPI default: 200
    response_model=ItemPublic,
    response_description="The item was created.",
    responses={201: {"headers": LOCATION, "links": LINKS}, **problem_responses(400, 401, 413, 415, 422)},
)
async def create_item(user: CurrentUser, fields: ItemCreate, session: SessionDep, response: Response) -> Item:
    # DRF's tutorial: perform_create(serializer) saves owner=request.user; here the dependency's user.
    item = Item.new(**fields.model_dump(), owner=user)
    session.add(item)
    await session.commit()
    response.headers["Location"] = router.url_path_for("get_item", item_id=item.id)
    return item


# endregion
# region: retrieve
@router.get(
    ITEM,
    operation_id="getItem",
    summary="Read one item.",
    response_model=ItemPublic,
    response_description="The item.",
    responses=problem_responses(401, 404),
    dependencies=[Depends(get_optional_user)],  # public, but a token sent must be valid (401 invalid_token)
    openapi_extra=ANONYMOUS_TOO,
)
async def get_item(item_id: ItemId, session: SessionDep) -> Item:
    return await get_item_or_404(session, item_id)


# endregion
# region: update
@router.put(
    ITEM,
    operation_id="replaceItem",
    summary="Replace an item; optional fields left out go back to their defaults.",
    response_model=ItemPublic,
    response_description="The item as replaced.",
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
)
async def replace_item(user: CurrentUser, item_id: ItemId, fields: ItemCreate, session: SessionDep) -> Item:
    item = await get_own_item(session, item_id, user)  # the owner stays: not a field of ItemCreate
    item.change(**fields.model_dump())
    await session.commit()
    return item


@router.patch(
    ITEM,
    operation_id="updateItem",
    summary="Change only the fields given; `description` null clears it; `{}` changes nothing.",
    response_model=ItemPublic,
    response_description="The item as updated.",
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
)
async def update_item(user: CurrentUser, item_id: ItemId, changes: ItemPatch, session: SessionDep) -> Item:
    item = await get_own_item(session, item_id, user)
    item.change(**changes.model_dump(exclude_unset=True))
    await session.commit()
    return item


# endregion
# region: delete
@router.delete(
    ITEM,
    operation_id="deleteItem",
    summary="Delete an item.",
    status_code=204,
    response_class=Response,  # FastAPI default: JSONResponse, which labels even an empty 204 application/json
    response_description="The item was deleted; the body is empty.",
    responses=problem_responses(401, 403, 404),
)
async def delete_item(user: CurrentUser, item_id: ItemId, session: SessionDep) -> None:
    await session.delete(await get_own_item(session, item_id, user))
    await session.commit()


# endregion
# region: errors
routing.finish(router)  # HEAD beside GET; 405 with Allow, and OPTIONS 204, for every other method
# endregion
