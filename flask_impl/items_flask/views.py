"""HTTP: the ``items`` blueprint, with ``Items`` for /items and ``ItemById`` for /items/<item_id>.

The ``@blp.arguments`` / ``@blp.response`` / ``@blp.alt_response`` decorators both run the schemas and
write the OpenAPI document. Arguments are validated before a view runs, so ``PUT /items/999`` with an
invalid body is a 422 and only a valid one reaches the 404 of an unknown item. Flask-Login's
``login_required`` sits above them all, so an anonymous write is a 401 before its body is read; the
owner is checked last, in ``get_item`` (flaskr's ``get_post(id, check_author=True)``): 404, then 403.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, url_for
from flask.views import MethodView
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, func, select
from werkzeug.routing import IntegerConverter, Map

from .auth import ANONYMOUS_OR_TOKEN, TOKEN_REQUIRED, authenticate
from .db import db
from .json_body import Blueprint
from .models import Item, User
from .schemas import Item as ItemSchema
from .schemas import ItemCreate, ItemPage, ItemPatch, ItemQueryArgs


# region: validation
class IdConverter(IntegerConverter):
    """``<id:...>``: ASCII digits naming a positive int64 (an item's, a user's); anything else is a 404."""

    regex = r"[0-9]+"  # werkzeug default (int): \d+, which matches "١" too; contract: ASCII digits, else 404

    def __init__(self, map: Map) -> None:
        # werkzeug default (int): 0 and ids beyond int64 match (SQLite: OverflowError); contract: 404.
        super().__init__(map, min=1, max=2**63 - 1)


# endregion
# region: docs
def id_schema(converter: IdConverter) -> dict[str, Any]:
    """How the OpenAPI document shows ``item_id``: ids beyond what a database stores are simply not found."""
    return {"type": "integer", "minimum": converter.min}


# endregion
# region: wiring
blp = Blueprint("items", __name__, description="One CRUD resource.")
# endregion
# region: auth
blp.before_request(authenticate)  # a token that is sent is checked on every operation, reads included
# endregion
# region: docs
LOCATION = {
    "description": "The new item's path, `/items/{id}`.",
    "required": True,
    "schema": {"type": "string", "pattern": "^/items/[1-9][0-9]*$"},
}
LINKS = {
    name: {"operationId": operation, "parameters": {"item_id": "$response.body#/id"}}
    for name, operation in [
        ("GetItem", "getItem"),
        ("ReplaceItem", "replaceItem"),
        ("UpdateItem", "updateItem"),
        ("DeleteItem", "deleteItem"),
    ]
}
ITEM_ID = {
    "in": "path",
    "name": "item_id",
    "description": "A positive integer. Anything else (`abc`, `0`, a number beyond the database's range) is a 404.",
}
# endregion
# region: list
SORT_COLUMNS = {"id": Item.id, "title": Item.title, "price": Item.price, "created_at": Item.created_at}


def filters(args: dict[str, Any]) -> list[ColumnElement[bool]]:
    where = []
    if "q" in args:
        where.append(Item.title_contains(args["q"]))
    if "min_price" in args:
        where.append(Item.price >= args["min_price"])
    if "max_price" in args:
        where.append(Item.price <= args["max_price"])
    if "owner" in args:
        where.append(Item.owner.has(User.username == args["owner"]))
    return where


def order_by(sort: str) -> tuple[ColumnElement[Any], ...]:
    column = SORT_COLUMNS[sort.removeprefix("-")]
    return (column.desc() if sort.startswith("-") else column.asc(), Item.id.asc())


def list_items(args: dict[str, Any]) -> dict[str, Any]:
    """The ``ItemPage`` envelope, ``{"items", "total", "limit", "offset"}``, for ``ItemQueryArgs`` already validated.

    ``GET /items`` answers with it, and the browse page (pages.py) renders it: one query, so they never disagree.
    """
    where = filters(args)
    total = db.session.scalar(select(func.count()).select_from(Item).where(*where))
    page = select(Item).where(*where).order_by(*order_by(args["sort"])).limit(args["limit"]).offset(args["offset"])
    # The ItemPage envelope: flask-smorest's @blp.paginate answers with an X-Pagination header instead.
    return {"items": db.session.scalars(page).all(), "total": total, "limit": args["limit"], "offset": args["offset"]}


# endregion
# region: retrieve
def get_item(item_id: int, check_owner: bool = True) -> Item:
    """The item ``item_id``: 404 if there is none; with ``check_owner``, 403 unless the current user owns it.

    An item that predates accounts (no owner) is no one's: 403 for everyone (the admin changes it).
    """
    item = db.get_or_404(Item, item_id, description=f"There is no item {item_id}.")
    # endregion
    # region: auth
    if check_owner and item.owner_id != current_user.id:
        abort(403, f"Item {item_id} is not yours: only its owner may change or delete it.")
    # endregion
    # region: retrieve
    return item


# endregion
# region: list
@blp.route("/items")
class Items(MethodView):
    @blp.doc(operationId="listItems", security=ANONYMOUS_OR_TOKEN)
    @blp.arguments(ItemQueryArgs, location="query")
    @blp.response(200, ItemPage, description="One page of the items that match the filters.")
    @blp.alt_response(401, "Unauthorized")
    # flask-smorest default: @blp.arguments documents its own JSON 422; the problem+json one replaces it.
    @blp.alt_response(422, "UnprocessableContent")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List items, filtered, sorted and paginated."""
        return list_items(args)

    # endregion
    # region: create
    # flask-smorest default: @blp.arguments reads the body before anything else; contract: 401 first, so
    # Flask-Login's login_required wraps every other decorator.
    @login_required
    @blp.doc(operationId="createItem", security=TOKEN_REQUIRED, responses={201: {"links": LINKS}})
    @blp.arguments(ItemCreate)
    @blp.response(201, ItemSchema, description="The item was created.", headers={"Location": LOCATION})
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def post(self, fields: dict[str, Any]) -> tuple[Item, dict[str, str]]:
        """Create an item; its owner is the user the token names."""
        item = Item.create(fields, owner=current_user._get_current_object())
        db.session.add(item)
        db.session.commit()
        return item, {"Location": url_for(".ItemById", item_id=item.id)}


# endregion
# region: retrieve
@blp.route("/items/<id:item_id>", parameters=[ITEM_ID])
class ItemById(MethodView):
    @blp.doc(operationId="getItem", security=ANONYMOUS_OR_TOKEN)
    @blp.response(200, ItemSchema, description="The item.")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(404, "NotFound")
    def get(self, item_id: int) -> Item:
        """Read one item."""
        return get_item(item_id, check_owner=False)

    # endregion
    # region: update
    @login_required
    @blp.doc(operationId="replaceItem", security=TOKEN_REQUIRED)
    @blp.arguments(ItemCreate)
    @blp.response(200, ItemSchema, description="The item as replaced.")
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(403, "Forbidden")
    @blp.alt_response(404, "NotFound")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def put(self, fields: dict[str, Any], item_id: int) -> Item:
        """Replace an item; optional fields left out go back to their defaults, the owner stays."""
        item = get_item(item_id)
        item.apply(fields)
        db.session.commit()
        return item

    @login_required
    @blp.doc(operationId="updateItem", security=TOKEN_REQUIRED)
    @blp.arguments(ItemPatch)
    @blp.response(200, ItemSchema, description="The item as updated.")
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(403, "Forbidden")
    @blp.alt_response(404, "NotFound")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def patch(self, changes: dict[str, Any], item_id: int) -> Item:
        """Change only the fields given; `description` null clears it; `{}` changes nothing."""
        item = get_item(item_id)
        item.apply(changes)
        db.session.commit()
        return item

    # endregion
    # region: delete
    @login_required
    @blp.doc(operationId="deleteItem", security=TOKEN_REQUIRED)
    @blp.response(204, description="The item was deleted; the body is empty.")
    @blp.alt_response(401, "Unauthorized")
    @blp.alt_response(403, "Forbidden")
    @blp.alt_response(404, "NotFound")
    def delete(self, item_id: int) -> Response:
        """Delete an item."""
        db.session.delete(get_item(item_id))
        db.session.commit()
        response = Response(status=204)
        del response.headers["Content-Type"]  # werkzeug default: text/html even on an empty 204; contract: none
        return response


# endregion
