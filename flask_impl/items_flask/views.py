"""HTTP: the ``items`` blueprint, with ``Items`` for /items and ``ItemById`` for /items/<item_id>.

The ``@blp.arguments`` / ``@blp.response`` / ``@blp.alt_response`` decorators both run the schemas and
write the OpenAPI document. Arguments are validated before a view runs, so ``PUT /items/999`` with an
invalid body is a 422 and only a valid one reaches the 404 of an unknown item.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Response, url_for
from flask.views import MethodView
from sqlalchemy import ColumnElement, func, select
from werkzeug.routing import IntegerConverter, Map

from .db import db
from .json_body import JSONObjectParser
from .models import Item
from .schemas import Item as ItemSchema
from .schemas import ItemCreate, ItemPage, ItemPatch, ItemQueryArgs


# region: validation
class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JSONObjectParser()  # flask-smorest default: webargs' FlaskParser as it comes


class ItemIdConverter(IntegerConverter):
    """``<item_id:...>``: ASCII digits naming a positive int64; anything else is an unknown route (404)."""

    regex = r"[0-9]+"  # werkzeug default (int): \d+, which matches "١" too; contract: ASCII digits, else 404

    def __init__(self, map: Map) -> None:
        # werkzeug default (int): 0 and ids beyond int64 match (SQLite: OverflowError); contract: 404.
        super().__init__(map, min=1, max=2**63 - 1)


# endregion
# region: docs
def item_id_schema(converter: ItemIdConverter) -> dict[str, Any]:
    """How the OpenAPI document shows ``item_id``: ids beyond what a database stores are simply not found."""
    return {"type": "integer", "minimum": converter.min}


# endregion
# region: wiring
blp = Blueprint("items", __name__, description="One CRUD resource.")
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
    return where


def order_by(sort: str) -> tuple[ColumnElement[Any], ...]:
    column = SORT_COLUMNS[sort.removeprefix("-")]
    return (column.desc() if sort.startswith("-") else column.asc(), Item.id.asc())


# endregion
# region: retrieve
def get_item_or_404(item_id: int) -> Item:
    return db.get_or_404(Item, item_id, description=f"There is no item {item_id}.")


# endregion
# region: list
@blp.route("/items")
class Items(MethodView):
    @blp.doc(operationId="listItems")
    @blp.arguments(ItemQueryArgs, location="query")
    @blp.response(200, ItemPage, description="One page of the items that match the filters.")
    # flask-smorest default: @blp.arguments documents its own JSON 422; the problem+json one replaces it.
    @blp.alt_response(422, "UnprocessableContent")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List items, filtered, sorted and paginated."""
        where = filters(args)
        total = db.session.scalar(select(func.count()).select_from(Item).where(*where))
        page = select(Item).where(*where).order_by(*order_by(args["sort"])).limit(args["limit"]).offset(args["offset"])
        # The ItemPage envelope: flask-smorest's @blp.paginate answers with an X-Pagination header instead.
        return {
            "items": db.session.scalars(page).all(),
            "total": total,
            "limit": args["limit"],
            "offset": args["offset"],
        }

    # endregion
    # region: create
    @blp.doc(operationId="createItem", responses={201: {"links": LINKS}})
    @blp.arguments(ItemCreate)
    @blp.response(201, ItemSchema, description="The item was created.", headers={"Location": LOCATION})
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def post(self, fields: dict[str, Any]) -> tuple[Item, dict[str, str]]:
        """Create an item."""
        item = Item.create(fields)
        db.session.add(item)
        db.session.commit()
        return item, {"Location": url_for(".ItemById", item_id=item.id)}


# endregion
# region: retrieve
@blp.route("/items/<item_id:item_id>", parameters=[ITEM_ID])
class ItemById(MethodView):
    @blp.doc(operationId="getItem")
    @blp.response(200, ItemSchema, description="The item.")
    @blp.alt_response(404, "NotFound")
    def get(self, item_id: int) -> Item:
        """Read one item."""
        return get_item_or_404(item_id)

    # endregion
    # region: update
    @blp.doc(operationId="replaceItem")
    @blp.arguments(ItemCreate)
    @blp.response(200, ItemSchema, description="The item as replaced.")
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(404, "NotFound")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def put(self, fields: dict[str, Any], item_id: int) -> Item:
        """Replace an item; optional fields left out go back to their defaults."""
        item = get_item_or_404(item_id)
        item.apply(fields)
        db.session.commit()
        return item

    @blp.doc(operationId="updateItem")
    @blp.arguments(ItemPatch)
    @blp.response(200, ItemSchema, description="The item as updated.")
    @blp.alt_response(400, "BadRequest")
    @blp.alt_response(404, "NotFound")
    @blp.alt_response(413, "ContentTooLarge")
    @blp.alt_response(415, "UnsupportedMediaType")
    @blp.alt_response(422, "UnprocessableContent")
    def patch(self, changes: dict[str, Any], item_id: int) -> Item:
        """Change only the fields given; `description` null clears it; `{}` changes nothing."""
        item = get_item_or_404(item_id)
        item.apply(changes)
        db.session.commit()
        return item

    # endregion
    # region: delete
    @blp.doc(operationId="deleteItem")
    @blp.response(204, description="The item was deleted; the body is empty.")
    @blp.alt_response(404, "NotFound")
    def delete(self, item_id: int) -> Response:
        """Delete an item."""
        db.session.delete(get_item_or_404(item_id))
        db.session.commit()
        response = Response(status=204)
        del response.headers["Content-Type"]  # werkzeug default: text/html even on an empty 204; contract: none
        return response


# endregion
