"""The schema under Alembic: migrations/ agrees with models.py, upgrades, downgrades, and carries rows over.

Every test runs on SQLite and on PostgreSQL, through Alembic's command API (what the ``alembic``
command line runs) or, for the self-check, through the ``alembic`` command line in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import BigInteger, Column, DateTime, Double, Integer, MetaData, String, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from items_fastapi.main import app
from tests.databases import APP_FOLDER, alembic_config, database_environment, migrate, on_database
from tests.support import assert_problem, sign_up

REVISION_1 = "66f2fd875581"
REVISION_2 = "329eb4b3688a"  # the last before accounts

# The items table exactly as models.py declared it before there were migrations (main at 8c1318b), when the
# app's lifespan made it with create_all: what a database from that time holds.
BEFORE_MIGRATIONS = MetaData()
ITEMS_BEFORE_MIGRATIONS = Table(
    "items",
    BEFORE_MIGRATIONS,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("title", String(200).with_variant(String(200, collation="C"), "postgresql"), nullable=False),
    Column("description", String(2000)),
    Column("price", Double(), nullable=False),
    Column("quantity", Integer(), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)


def at(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


# Every column filled, a NULL description, the API's extreme values, non-ASCII text, an inexact float.
ROWS = [
    {"title": "pen", "description": "blue ink", "price": 1.5, "quantity": 3},
    {"title": "Ünïcode ☃ 😀", "description": None, "price": 1_000_000.0, "quantity": 1_000_000},
    {"title": "t" * 200, "description": "d" * 2000, "price": 0.1 + 0.2, "quantity": 0},
    {"title": "100% _literal_ \\", "description": "", "price": 0.01, "quantity": 7},
    {"title": "deleted before the upgrade", "description": "its id is never reused", "price": 2.0, "quantity": 1},
]
ROWS = [
    {**row, "created_at": at(2024, 2, 29, 23, 59, 59, 999_999), "updated_at": at(2026, 1, n + 1, 12, 0, 0, n)}
    for n, row in enumerate(ROWS)
]


async def current_revision(connection: AsyncConnection) -> str | None:
    return await connection.scalar(text("SELECT version_num FROM alembic_version"))


async def schema_objects(connection: AsyncConnection) -> set[str]:
    """The names of the tables, indexes and sequences in the database, less SQLite's own (``sqlite_*``)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    return set((await connection.scalars(text(query))).all())


async def describe_items(connection: AsyncConnection) -> list[tuple]:
    """The items table as the database itself describes it, indexes and constraints included."""
    if connection.dialect.name == "sqlite":
        queries = ["SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'items' ORDER BY name"]
    else:
        queries = [
            "SELECT column_name, data_type, character_maximum_length, collation_name, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position",
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'items'::regclass"
            " ORDER BY conname",
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'items' ORDER BY indexname",
            "SELECT sequence_name, data_type, start_value FROM information_schema.sequences ORDER BY sequence_name",
        ]
    return [tuple(row) for query in queries for row in await connection.execute(text(query))]


async def create_all_as_before_migrations(connection: AsyncConnection) -> None:
    await connection.run_sync(BEFORE_MIGRATIONS.create_all)


async def stored_rows(connection: AsyncConnection) -> list[tuple]:
    """Every row as the database hands it out, unconverted (SQLite's timestamps as the text it stores)."""
    query = text("SELECT id, title, description, price, quantity, created_at, updated_at FROM items ORDER BY id")
    return [tuple(row) for row in await connection.execute(query)]


async def fill(connection: AsyncConnection) -> list[tuple]:
    """ROWS inserted, the last one (the highest id) deleted again; the rows left, as stored."""
    await connection.execute(insert(ITEMS_BEFORE_MIGRATIONS), ROWS)
    await connection.execute(text("DELETE FROM items WHERE id = :id"), {"id": len(ROWS)})
    return await stored_rows(connection)


def test_the_models_and_the_migrations_agree(database_url):
    """``alembic check`` on a database at head: autogenerate finds nothing (columns, types, indexes, CHECKs)."""
    with database_environment(database_url):
        command.check(alembic_config())  # raises AutoGenerateDiffsDetected, naming every difference


QUANTITY = "    quantity: Mapped[int] = mapped_column(Integer())\n"
ITEM_AUTOINCREMENT = (
    "        # SQLite default: a deleted highest id is handed out again; contract: never (AUTOINCREMENT"
)
TABLE_ARGS_END = ITEM_AUTOINCREMENT + ', like a sequence).\n        {"sqlite_autoincrement": True},\n'
MODEL_CHANGES = {
    # name: [(a line of models.py, what it becomes)], and the words `alembic check` must print then
    "unchanged": ([], []),
    "a column": (
        [(QUANTITY, QUANTITY + "    colour: Mapped[str | None] = mapped_column(String(20))\n")],
        ["add_column", "colour"],
    ),
    "an index and a CHECK constraint": (
        [
            (QUANTITY, "    quantity: Mapped[int] = mapped_column(Integer(), index=True)\n"),
            (TABLE_ARGS_END, '        CheckConstraint("quantity <= 999", name="quantity_cap"),\n' + TABLE_ARGS_END),
        ],
        ["add_index", "ix_items_quantity", "add_constraint", "ck_items_quantity_cap"],
    ),
}


@pytest.mark.parametrize("change", MODEL_CHANGES)
def test_alembic_check_fails_when_only_the_model_changes(database_url, tmp_path, change):
    """The self-check: ``alembic check`` itself, run on a copy of this folder whose models.py gained a field.

    The copy (alembic.ini, migrations/, items_fastapi/) is imported first, as alembic.ini's
    ``prepend_sys_path = .`` puts the folder ``alembic`` runs in at the front of ``sys.path``;
    the unchanged copy passes, so a failure comes from the change alone.
    """
    copy = tmp_path / "fastapi_impl"
    copy.mkdir()
    shutil.copy(APP_FOLDER / "alembic.ini", copy)
    for package in ("migrations", "items_fastapi"):
        shutil.copytree(APP_FOLDER / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    edits, named = MODEL_CHANGES[change]
    models = copy / "items_fastapi" / "models.py"
    source = models.read_text(encoding="utf-8")
    for line, changed in edits:
        assert source.count(line) == 1, f"models.py no longer has {line!r}: update this test"
        source = source.replace(line, changed)
    models.write_text(source, encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "alembic", "check"],
        cwd=copy,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    if not edits:
        assert done.returncode == 0, output
        assert "No new upgrade operations detected." in output
    else:
        assert done.returncode != 0, output
        assert "New upgrade operations detected" in output
        assert all(word in output for word in named), output


def test_upgrade_from_empty_to_head_then_downgrade_to_empty(empty_database_url):
    url, config = empty_database_url, alembic_config()
    migrate(url)
    migrate(url)  # idempotent, as impl.toml's prepare step must be: a database at head is left alone
    assert on_database(url, current_revision) == ScriptDirectory.from_config(config).get_current_head()
    assert {"alembic_version", "items", "ix_items_title", "ix_items_price", "ix_items_created_at"} <= on_database(
        url, schema_objects
    )

    with database_environment(url):
        command.downgrade(config, "base")
    left = {"alembic_version"} if url.startswith("sqlite") else {"alembic_version", "alembic_version_pkc"}
    assert on_database(url, schema_objects) == left  # on PostgreSQL, alembic_version's primary key index too
    assert on_database(url, current_revision) is None

    migrate(url)  # and up again: downgrade left nothing in the way
    assert on_database(url, current_revision) == ScriptDirectory.from_config(config).get_current_head()


def test_revision_1_makes_the_table_create_all_made(empty_database_url):
    """Revision 1 is the table as the app made it before migrations: columns, types, collation, keys, sequence."""
    url = empty_database_url

    async def create_describe_drop(connection: AsyncConnection) -> list[tuple]:
        await create_all_as_before_migrations(connection)
        described = await describe_items(connection)
        await connection.run_sync(BEFORE_MIGRATIONS.drop_all)
        return described

    before_migrations = on_database(url, create_describe_drop)
    migrate(url, REVISION_1)
    assert on_database(url, describe_items) == before_migrations


@pytest.mark.parametrize("start", ["alembic upgrade to revision 1", "create_all as before, alembic stamp revision 1"])
def test_upgrading_from_revision_1_keeps_every_row_and_value(empty_database_url, start):
    url = empty_database_url
    if start.startswith("alembic upgrade"):
        migrate(url, REVISION_1)
    else:
        on_database(url, create_all_as_before_migrations)
        with database_environment(url):
            command.stamp(alembic_config(), REVISION_1)
    before = on_database(url, fill)
    assert len(before) == len(ROWS) - 1

    migrate(url)
    assert on_database(url, stored_rows) == before
    with database_environment(url):
        command.check(alembic_config())  # and the table is now the models' own
        with TestClient(app, base_url="http://localhost") as client:
            assert client.get("/items", params={"sort": "title"}).json()["items"][0] == {
                "id": 4,
                "title": "100% _literal_ \\",
                "description": "",
                "price": 0.01,
                "quantity": 7,
                "owner": None,  # it predates accounts
                "created_at": "2024-02-29T23:59:59.999999Z",
                "updated_at": "2026-01-04T12:00:00.000003Z",
            }
            client.headers.update(sign_up(client, "owner"))
            created = client.post("/items", json={"title": "after the upgrade", "price": 1})
            assert created.json()["id"] == len(ROWS) + 1  # the deleted highest id is still never handed out
            assert client.delete(f"/items/{len(ROWS) + 1}").status_code == 204


async def owners_and_tables(connection: AsyncConnection) -> tuple[list, list]:
    """Each item's owner_id; on SQLite, the tables declared AUTOINCREMENT."""
    owners = list(await connection.scalars(text("SELECT owner_id FROM items ORDER BY id")))
    if connection.dialect.name != "sqlite":
        return owners, []
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%' ORDER BY name"
    return owners, list(await connection.scalars(text(query)))


def test_upgrading_to_accounts_keeps_every_item_and_leaves_it_without_owner(empty_database_url):
    """Revision 3 (users, items.owner_id) on a database holding items: every row kept as it was, each owner NULL,
    the id counter kept (a SQLite copy of the table); such items are nobody's to change through the API."""
    url = empty_database_url
    migrate(url, REVISION_2)
    before = on_database(url, fill)  # the highest id, len(ROWS), deleted
    migrate(url)
    assert on_database(url, stored_rows) == before
    owners, autoincrement = on_database(url, owners_and_tables)
    assert owners == [None] * len(before)
    if url.startswith("sqlite"):
        assert autoincrement == ["items", "users"]
    with database_environment(url), TestClient(app, base_url="http://localhost") as client:
        assert {item["owner"] for item in client.get("/items").json()["items"]} == {None}
        client.headers.update(sign_up(client, "someone"))
        assert_problem(client.put("/items/1", json={"title": "mine now?", "price": 1}), 403)
        assert_problem(client.patch("/items/1", json={}), 403)
        assert_problem(client.delete("/items/1"), 403)
        created = client.post("/items", json={"title": "after accounts", "price": 1}).json()
        assert (created["id"], created["owner"]) == (len(ROWS) + 1, "someone")
        assert client.get("/items", params={"owner": "someone"}).json()["total"] == 1


def test_downgrading_to_revision_1_keeps_every_row_and_the_id_counter(empty_database_url):
    """Back down, SQLite's copy of the table again: rows unchanged, AUTOINCREMENT and its counter kept."""
    url = empty_database_url
    migrate(url, REVISION_1)
    before = on_database(url, fill)  # the highest id, len(ROWS), deleted
    migrate(url)
    with database_environment(url):
        command.downgrade(alembic_config(), REVISION_1)
    assert on_database(url, stored_rows) == before

    async def insert_one(connection: AsyncConnection) -> int:
        return (await connection.execute(insert(ITEMS_BEFORE_MIGRATIONS), ROWS[0])).inserted_primary_key[0]

    assert on_database(url, insert_one) == len(ROWS) + 1


def test_the_app_creates_no_table_at_startup(empty_database_url):
    """Only the migrations make tables: started on an empty database, the app answers 500 and leaves it empty."""
    with (
        database_environment(empty_database_url),
        TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client,
    ):
        assert client.get("/items").status_code == 500
    assert on_database(empty_database_url, schema_objects) == set()
