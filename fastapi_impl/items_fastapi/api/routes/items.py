"""HTTP: the six path operations on /items and /items/{item_id}, HEAD, and the answer to any other method.

FastAPI validates the query string and the body before an operation runs, so ``PUT /items/999`` with an
invalid body is a 422, and only a valid one reaches the 404 of an unknown item.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.routing import APIRoute
from sqlalchemy import ColumnElement, func, select
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from items_fastapi.api.deps import SessionDep, get_item_or_404
from items_fastapi.api.json_body import JSONBodyRoute
from items_fastapi.models import Item
from items_fastapi.problems import problem_responses
from items_fastapi.schemas import ItemCreate, ItemPage, ItemPatch, ItemPublic, ItemQuery


# region: validation
def positive_integers_up_to(limit: int) -> str:
    """A regular expression for the ASCII decimal numbers 1 to ``limit`` (leading zeros allowed)."""
    digits = str(limit)
    # Fewer digits than limit has, or as many with a smaller digit where they first differ, or limit itself.
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    smaller_at = [
        f"{digits[:at]}[{int(at == 0)}-{int(digit) - 1}][0-9]{{{len(digits) - at - 1}}}"
        for at, digit in enumerate(digits)
        if int(digit) > int(at == 0)
    ]
    return f"0*(?:{'|'.join([*shorter, *smaller_at, digits])})"


class ItemIdConvertor(Convertor[int]):
    """``{item_id:item_id}``: a positive int64 in ASCII digits; anything else is no route at all (404)."""

    # Starlette default (int): [0-9]+, so 0 and ids beyond int64 reach the operation; contract: 404 first.
    regex = positive_integers_up_to(2**63 - 1)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("item_id", ItemIdConvertor())
# endregion
# region: wiring
router = APIRouter(tags=["items"], route_class=JSONBodyRoute)  # FastAPI default: APIRoute, see json_body.py

COLLECTION = "/items"
ITEM = "/items/{item_id:item_id}"
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


def filters(query: ItemQuery) -> list[ColumnElement[bool]]:
    where = []
    if query.q is not None:
        where.append(Item.title_contains(query.q))
    if query.min_price is not None:
        where.append(Item.price >= query.min_price)
    if query.max_price is not None:
        where.append(Item.price <= query.max_price)
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
    responses=problem_responses(422),
)
async def list_items(query: Annotated[ItemQuery, Query()], session: SessionDep) -> dict[str, Any]:
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
    summary="Create an item.",
    status_code=201,  # FastAPI default: 200
    response_model=ItemPublic,
    response_description="The item was created.",
    responses={201: {"headers": LOCATION, "links": LINKS}, **problem_responses(400, 413, 415, 422)},
)
async def create_item(fields: ItemCreate, session: SessionDep, response: Response) -> Item:
    item = Item.new(**fields.model_dump())
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
    responses=problem_responses(404),
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
    responses=problem_responses(400, 404, 413, 415, 422),
)
async def replace_item(item_id: ItemId, fields: ItemCreate, session: SessionDep) -> Item:
    item = await get_item_or_404(session, item_id)
    item.change(**fields.model_dump())
    await session.commit()
    return item


@router.patch(
    ITEM,
    operation_id="updateItem",
    summary="Change only the fields given; `description` null clears it; `{}` changes nothing.",
    response_model=ItemPublic,
    response_description="The item as updated.",
    responses=problem_responses(400, 404, 413, 415, 422),
)
async def update_item(item_id: ItemId, changes: ItemPatch, session: SessionDep) -> Item:
    item = await get_item_or_404(session, item_id)
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
    responses=problem_responses(404),
)
async def delete_item(item_id: ItemId, session: SessionDep) -> None:
    await session.delete(await get_item_or_404(session, item_id))
    await session.commit()


# endregion
# region: errors
class OtherMethods:
    """An ASGI app for the methods no operation on ``path`` defines: 405, or 204 for ``OPTIONS``, with ``Allow``.

    An app rather than a function, so that Starlette routes every method to it (a function gets GET only).
    """

    def __init__(self, path: str) -> None:
        operations = [route for route in router.routes if isinstance(route, APIRoute) and route.path == path]
        self.allow = ", ".join(sorted(method for route in operations for method in route.methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "OPTIONS":
            raise HTTPException(405, headers={"Allow": self.allow})
        await Response(status_code=204, headers={"Allow": self.allow})(scope, receive, send)


# FastAPI default: an APIRoute takes only the methods it is given, so HEAD is a 405; RFC 9110 §9.3.2 (so the
# contract): HEAD answers as GET, without the body (uvicorn sends none). A HEAD route beside each GET one, left
# out of the document: the spec defines no HEAD operation (methods=["GET", "HEAD"] would document one).
for get in [route for route in router.routes if isinstance(route, APIRoute) and "GET" in route.methods]:
    router.add_api_route(
        get.path,
        get.endpoint,
        methods=["HEAD"],
        response_model=get.response_model,
        status_code=get.status_code,
        name=f"{get.name}_head",
        include_in_schema=False,
    )

# Starlette default: a 405 whose Allow names the methods of the first route on the path only (GET alone
# for /items), and OPTIONS is a 405 like any other; contract: Allow names every method, OPTIONS is a 204.
# The router falls back on a route that takes every method, added after the operations.
for path in (COLLECTION, ITEM):
    router.add_route(path, OtherMethods(path), include_in_schema=False)
# endregion
