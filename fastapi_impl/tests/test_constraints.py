"""The database keeps the API's bounds too (revision 2), and each sort key has an index its ORDER BY uses.

Rows are written around the API: a plain INSERT or UPDATE on the models' table, on a database at head,
SQLite then PostgreSQL. Where PostgreSQL's column type refuses a value before any constraint is
checked (a ``varchar(200)`` too long, a NUL that its text cannot hold), that refusal is what is expected.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from items_fastapi.api.routes.items import order_by
from items_fastapi.models import Item
from items_fastapi.schemas import MAX_PRICE, MAX_QUANTITY
from tests.databases import on_database

ITEMS = Item.__table__
NOW = datetime.now(UTC)
VALID = {"title": "pen", "description": None, "price": 1.0, "quantity": 0, "created_at": NOW, "updated_at": NOW}
TOO_LONG = "value too long for type character varying"
NUL_IN_TEXT = 'invalid byte sequence for encoding "UTF8": 0x00'

# (field, value, what refuses it on SQLite, on PostgreSQL): a constraint's name, or the database's own words.
REFUSED = [
    ("price", 0.0, "ck_items_price_range", "ck_items_price_range"),
    ("price", -1.0, "ck_items_price_range", "ck_items_price_range"),
    ("price", math.nextafter(MAX_PRICE, math.inf), "ck_items_price_range", "ck_items_price_range"),
    ("price", math.inf, "ck_items_price_range", "ck_items_price_range"),
    ("price", math.nan, "NOT NULL constraint failed: items.price", "ck_items_price_range"),  # SQLite: NaN is NULL
    ("quantity", -1, "ck_items_quantity_range", "ck_items_quantity_range"),
    ("quantity", MAX_QUANTITY + 1, "ck_items_quantity_range", "ck_items_quantity_range"),
    ("title", "", "ck_items_title_length", "ck_items_title_length"),
    ("title", "t" * 201, "ck_items_title_length", TOO_LONG),
    ("title", "😀" * 201, "ck_items_title_length", TOO_LONG),
    ("title", "a\x00b", "ck_items_title_no_nul", NUL_IN_TEXT),  # SQLite's length() sees "a": 1 character
    ("description", "d" * 2001, "ck_items_description_length", TOO_LONG),
    ("description", "\x00", "ck_items_description_no_nul", NUL_IN_TEXT),
]
# The API's bounds (schemas.py), each of which the database takes as well.
ACCEPTED = [
    ("price", math.ulp(0.0)),  # the smallest float above 0 (5e-324)
    ("price", float(MAX_PRICE)),
    ("quantity", 0),
    ("quantity", MAX_QUANTITY),
    ("title", "t"),
    ("title", "😀" * 200),  # 200 characters, 800 UTF-8 bytes
    ("description", None),
    ("description", ""),
    ("description", "é" * 2000),
]


def case_id(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}...({len(value)} chars)"  # type: ignore[arg-type]


async def count_items(connection: AsyncConnection) -> int:
    return await connection.scalar(select(func.count()).select_from(ITEMS))


@pytest.mark.parametrize("statement", ["INSERT", "UPDATE"])
@pytest.mark.parametrize(("field", "value", "on_sqlite", "on_postgresql"), REFUSED, ids=case_id)
def test_the_database_refuses_what_the_api_refuses(database_url, statement, field, value, on_sqlite, on_postgresql):
    async def write(connection: AsyncConnection) -> None:
        if statement == "INSERT":
            await connection.execute(insert(ITEMS).values({**VALID, field: value}))
        else:
            item_id = (await connection.execute(insert(ITEMS).values(VALID))).inserted_primary_key[0]
            await connection.execute(update(ITEMS).where(ITEMS.c.id == item_id).values({field: value}))

    with pytest.raises(DBAPIError) as refused:
        on_database(database_url, write)
    expected = on_sqlite if database_url.startswith("sqlite") else on_postgresql
    assert expected in str(refused.value.orig)
    if expected.startswith("ck_"):
        assert isinstance(refused.value, IntegrityError)
    assert on_database(database_url, count_items) == 0  # the transaction was rolled back whole


@pytest.mark.parametrize(("field", "value"), ACCEPTED, ids=case_id)
def test_the_database_takes_the_bounds_the_api_takes(client, database_url, field, value):
    created = client.post("/items", json={**{"title": "pen", "price": 1}, field: value})
    assert created.status_code == 201, created.text  # the API takes it, and so the database did

    async def stored(connection: AsyncConnection) -> object:
        return await connection.scalar(select(ITEMS.c[field]).where(ITEMS.c.id == created.json()["id"]))

    assert on_database(database_url, stored) == value


@pytest.mark.parametrize("sort", ["title", "-title", "price", "-price", "created_at", "-created_at"])
def test_each_sort_key_has_an_index_that_the_list_query_uses(database_url, sort):
    """The plan of GET /items' own query (the route's ORDER BY, then a page) reads the key's index.

    On PostgreSQL the title index is a plain one on the column, whose collation is "C": the index takes
    it, and so serves ``ORDER BY title`` (an index in another collation could not). The table is empty,
    so PostgreSQL is told to avoid a sequential scan, which would otherwise always be cheapest.
    """
    page = select(Item).order_by(*order_by(sort)).limit(20)

    async def plan(connection: AsyncConnection) -> str:
        query = str(page.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "sqlite":
            return "\n".join(row[-1] for row in await connection.execute(text(f"EXPLAIN QUERY PLAN {query}")))
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(row[0] for row in await connection.execute(text(f"EXPLAIN {query}")))

    assert f"ix_items_{sort.removeprefix('-')}" in on_database(database_url, plan)
