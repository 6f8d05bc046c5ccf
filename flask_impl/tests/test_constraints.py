"""Revision 2's CHECK constraints: each refuses a row written around the API, and none refuses what the API accepts.

Rows go in with a raw INSERT or UPDATE on the ORM's connection (``db.session.execute`` of a Core statement: no
schema, no model method), which is how a script or an admin form would reach the table.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import exc, insert, inspect, update

from items_flask.db import db
from items_flask.models import Item

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
VALID = {"title": "pen", "description": None, "price": 1.5, "quantity": 3, "created_at": NOW, "updated_at": NOW}
# PostgreSQL refuses some values before any CHECK runs: varchar(n) its longer strings, and the driver every NUL
# (PostgreSQL's text cannot hold one). Either way the database never stores them.
PG_TOO_LONG = "value too long for type character varying"
PG_NUL = "cannot contain NUL (0x00) bytes"
# So PostgreSQL's varchar(2000) always refuses a longer description first: its CHECK is there, and never first.
SHADOWED_ON_POSTGRESQL = {"ck_items_description_length"}

# (changes to a valid row, what refuses them on SQLite, on PostgreSQL)
REFUSED = [
    ({"price": 0}, "ck_items_price_range", "ck_items_price_range"),
    ({"price": -1.5}, "ck_items_price_range", "ck_items_price_range"),
    ({"price": math.nextafter(1_000_000, math.inf)}, "ck_items_price_range", "ck_items_price_range"),
    ({"price": math.inf}, "ck_items_price_range", "ck_items_price_range"),
    ({"price": math.nan}, "NOT NULL constraint failed: items.price", "ck_items_price_range"),  # SQLite: NaN is NULL
    ({"quantity": -1}, "ck_items_quantity_range", "ck_items_quantity_range"),
    ({"quantity": 1_000_001}, "ck_items_quantity_range", "ck_items_quantity_range"),
    ({"title": ""}, "ck_items_title_length", "ck_items_title_length"),
    ({"title": "x" * 201}, "ck_items_title_length", PG_TOO_LONG),
    ({"title": "é" * 201}, "ck_items_title_length", PG_TOO_LONG),
    ({"description": "d" * 2001}, "ck_items_description_length", PG_TOO_LONG),
    ({"title": "a\0b"}, "ck_items_title_no_nul", PG_NUL),
    # SQLite's length() stops at the NUL and counts 1 here: the byte test is what refuses it.
    ({"title": "a\0" + "b" * 300}, "ck_items_title_no_nul", PG_NUL),
    ({"description": "x\0"}, "ck_items_description_no_nul", PG_NUL),
]
ACCEPTED = [
    {"price": 1_000_000},
    {"price": 5e-324},  # the smallest positive double
    {"quantity": 0},
    {"quantity": 1_000_000},
    {"title": "x"},
    {"title": "x" * 200},
    {"title": "é" * 200},
    {"title": "😀" * 200},  # 200 code points, 800 bytes
    {"description": ""},
    {"description": "d" * 2000},
    {"description": "日" * 2000},
]


def refusal(database_url: str, sqlite: str, postgresql: str) -> str:
    return sqlite if database_url.startswith("sqlite") else postgresql


@pytest.mark.parametrize(("changes", "sqlite", "postgresql"), REFUSED)
@pytest.mark.parametrize("statement", ["INSERT", "UPDATE"])
def test_the_database_refuses_a_row_written_around_the_api(app, database_url, statement, changes, sqlite, postgresql):
    with app.app_context():
        if statement == "INSERT":
            write = insert(Item).values({**VALID, **changes})
        else:
            item_id = db.session.execute(insert(Item).values(VALID).returning(Item.id)).scalar_one()
            db.session.commit()
            write = update(Item).where(Item.id == item_id).values(changes)
        with pytest.raises(exc.StatementError) as refused:
            db.session.execute(write)
        assert refusal(database_url, sqlite, postgresql) in str(refused.value), str(refused.value)
        db.session.rollback()
        assert [item.title for item in db.session.scalars(db.select(Item))] == (
            [] if statement == "INSERT" else ["pen"]
        )


def test_every_check_constraint_has_a_row_it_refuses(app, database_url):
    with app.app_context(), db.engine.connect() as connection:
        names = {check["name"] for check in inspect(connection).get_check_constraints("items")}
    refusing = {refusal(database_url, sqlite, postgresql) for _, sqlite, postgresql in REFUSED}
    if database_url.startswith("sqlite"):
        assert names == {name for name in refusing if name.startswith("ck_")} and len(names) == 6
    else:
        assert names == {name for name in refusing if name.startswith("ck_")} | SHADOWED_ON_POSTGRESQL
        assert len(names) == 4  # no NUL test: PostgreSQL's text cannot hold NUL


@pytest.mark.parametrize("changes", ACCEPTED)
def test_the_database_accepts_the_bounds_that_the_api_accepts(app, client, changes):
    with app.app_context():
        db.session.execute(insert(Item).values({**VALID, **changes}))
        db.session.commit()
    body: dict[str, Any] = {**{key: VALID[key] for key in ("title", "price", "quantity")}, **changes}
    response = client.post("/items", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert {key: response.get_json()[key] for key in changes} == changes
    assert client.get("/items").get_json()["total"] == 2
