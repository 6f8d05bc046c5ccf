"""The migrations: the only maker of the tables, in step with the models, reversible, and kind to existing rows.

The checks run the real commands: ``[serve] prepare`` from impl.toml and ``flask db check`` in a subprocess,
as the contract suite and a developer run them; upgrades and downgrades through Flask-Migrate's functions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flask_migrate
from flask import Flask
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Double,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    inspect,
    text,
)

from items_flask.db import db
from tests.conftest import HEAD, MIGRATIONS, SECRET_KEY, add_user, drop_everything
from tests.problem import assert_problem

FLASK_IMPL = Path(__file__).resolve().parent.parent
REVISION_1 = "856a31e13d97"
REVISION_2 = "6250c0717599"
REVISION_3 = "17095d6e3942"
REVISION_4 = "e8d267e86cd3"
STAMPS = ("created_at", "updated_at")

# models.py at commit 8c1318b, before migrations, as a plain Table: what `flask init-db` (create_all) made.
LEGACY = MetaData()
LEGACY_ITEMS = Table(
    "items",
    LEGACY,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("title", String(200).with_variant(String(200, collation="C"), "postgresql"), nullable=False),
    Column("description", String(2000)),
    Column("price", Double, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)


def flask_command(database_url: str, *args: str, cwd: Path = FLASK_IMPL, **env: str) -> subprocess.CompletedProcess:
    """Run a command as impl.toml's steps run: in this folder, this virtualenv's bin/ first, DATABASE_URL set."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    # Python's default, bytecode written: the commands import the same modules, so the first compiles for the rest.
    inherited = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(
        args,
        cwd=cwd,
        env={**inherited, "PATH": path, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )


def schema(connection: Connection) -> dict[str, Any]:
    """Everything the database says about its tables (Alembic's own left out), comparable with ``==``."""
    inspector = inspect(connection)
    tables: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[name] = {
            "columns": [{key: repr(value) for key, value in column.items()} for column in inspector.get_columns(name)],
            "primary key": inspector.get_pk_constraint(name),
            "indexes": sorted(map(repr, inspector.get_indexes(name))),
            "checks": sorted(map(repr, inspector.get_check_constraints(name))),
            "uniques": sorted(map(repr, inspector.get_unique_constraints(name))),
            "foreign keys": sorted(map(repr, inspector.get_foreign_keys(name))),
        }
        if connection.dialect.name == "sqlite":  # AUTOINCREMENT: in the DDL only; no reflection reads it
            ddl = connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
            )
            tables[name]["autoincrement"] = "AUTOINCREMENT" in ddl
    return tables


def migrated_schema(app: Flask, revision: str) -> dict[str, Any]:
    """The schema that the migrations up to ``revision`` make in an empty database (left there)."""
    with db.engine.begin() as connection:
        drop_everything(connection)
    flask_migrate.upgrade(MIGRATIONS, revision)
    with db.engine.connect() as connection:
        return schema(connection)


def test_prepare_runs_the_migrations_idempotently_and_the_models_agree(make_app, database_url):
    """`[serve] prepare` twice on an empty database, then `flask db check` (a database at head) finds nothing."""
    app = make_app(revision=None)
    prepare = tomllib.loads((FLASK_IMPL / "impl.toml").read_text())["serve"]["prepare"]
    assert prepare == [["flask", "--app", "items_flask.app", "db", "upgrade"]]
    for _ in range(2):
        done = flask_command(database_url, *prepare[0])
        assert done.returncode == 0, done.stdout
    assert "Running upgrade  -> 856a31e13d97" not in done.stdout  # the second run had nothing to do
    done = flask_command(database_url, "flask", "--app", "items_flask.app", "db", "check")
    assert done.returncode == 0, done.stdout
    assert "No new upgrade operations detected." in done.stdout
    with app.app_context(), db.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD


def test_prepare_without_secret_key_stops_with_a_sentence_that_says_so(database_url):
    done = flask_command(database_url, "flask", "--app", "items_flask.app", "db", "upgrade", SECRET_KEY="")
    assert done.returncode != 0
    assert "RuntimeError: SECRET_KEY is not set: set it in the environment" in done.stdout, done.stdout


def test_check_fails_when_a_field_is_added_to_a_model_alone(make_app, database_url, tmp_path):
    """The self-check: the same `flask db check`, run on a copy whose model gained a column and no migration."""
    make_app()  # at head
    for folder in ("items_flask", "migrations"):
        shutil.copytree(FLASK_IMPL / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    models = tmp_path / "items_flask" / "models.py"
    anchor = "    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)\n"
    source = models.read_text()
    assert source.count(anchor) == 1, "the line to add a field after has moved"
    models.write_text(source.replace(anchor, anchor + "    sku: Mapped[str | None] = mapped_column(String(32))\n"))

    done = flask_command(
        database_url, "flask", "--app", "items_flask.app", "db", "check", cwd=tmp_path, PYTHONPATH=str(tmp_path)
    )
    assert done.returncode == 1, done.stdout
    assert "New upgrade operations detected" in done.stdout and "'add_column'" in done.stdout, done.stdout
    assert "Column('sku', String(length=32)" in done.stdout, done.stdout


def test_the_migrated_schema_is_the_declared_schema(make_app):
    """What `flask db check` does not compare (CHECK constraints, SQLite's AUTOINCREMENT) matches too."""
    app = make_app(revision=None)
    with app.app_context():
        migrated = migrated_schema(app, "head")
        with db.engine.begin() as connection:
            drop_everything(connection)
            db.metadata.create_all(connection)
            declared = schema(connection)
    assert migrated == declared
    assert migrated["items"]["checks"] and migrated["items"]["indexes"]


def test_revision_1_is_the_table_that_create_all_made_before_migrations(make_app):
    """A database made by the code before migrations is stamped at revision 1 and upgraded, rows and all."""
    app = make_app(revision=None)
    with app.app_context():
        revision_1 = migrated_schema(app, REVISION_1)
        with db.engine.begin() as connection:
            sqlite_ddl = "SELECT sql FROM sqlite_master WHERE name = 'items'"
            migrated_ddl = connection.scalar(text(sqlite_ddl)) if connection.dialect.name == "sqlite" else None
            drop_everything(connection)
            LEGACY.create_all(connection)
            assert schema(connection) == revision_1
            if migrated_ddl is not None:  # SQLite keeps the CREATE TABLE text: the same, character for character
                assert connection.scalar(text(sqlite_ddl)) == migrated_ddl
            connection.execute(LEGACY_ITEMS.insert(), ROWS)
            before = rows(connection)
        flask_migrate.stamp(MIGRATIONS, REVISION_1)
        flask_migrate.upgrade(MIGRATIONS)
        with db.engine.connect() as connection:
            assert rows(connection) == before
    assert app.test_client().get("/items").get_json()["total"] == len(ROWS)


def test_upgrade_from_empty_to_head_and_downgrade_back_to_empty(make_app):
    app = make_app(revision=None)
    with app.app_context():
        head = migrated_schema(app, "head")
        assert set(head) == {"items", "users"}
        flask_migrate.downgrade(MIGRATIONS, "base")
        with db.engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["alembic_version"]
            assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 0
            if connection.dialect.name == "postgresql":  # no sequence or index left behind either
                left = connection.scalars(
                    text("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")
                )
                assert set(left) == {"alembic_version", "alembic_version_pkc"}
        flask_migrate.upgrade(MIGRATIONS)
        with db.engine.connect() as connection:
            assert schema(connection) == head


T0 = datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
ROWS = [
    {"title": "pen", "description": "blue ink", "price": 1.5, "quantity": 3},
    {"title": "Éclair ✓ 日本 😀", "description": None, "price": 5e-324, "quantity": 0},
    {"title": "x" * 200, "description": "d" * 2000, "price": 1_000_000.0, "quantity": 1_000_000},
    {"title": "a", "description": "", "price": 0.1, "quantity": 42},
    {"title": "the highest id, deleted before the upgrade", "description": "gone", "price": 2.0, "quantity": 1},
]
for number, row in enumerate(ROWS):
    row.update(created_at=T0 + timedelta(days=number), updated_at=T0 + timedelta(days=number, microseconds=7))


def rows(connection: Connection) -> list[tuple]:
    """Every row's columns of revision 1 as the database stores them (no type processing: SQLite's timestamps
    are its text)."""
    columns = ", ".join(column.name for column in LEGACY_ITEMS.columns)
    return [tuple(row) for row in connection.execute(text(f"SELECT {columns} FROM items ORDER BY id"))]


def insert_rows_and_delete_the_last(connection: Connection) -> list[tuple]:
    """``ROWS`` written as revision 1's table takes them, the highest id then deleted; the rows left."""
    connection.execute(LEGACY_ITEMS.insert(), ROWS)
    connection.execute(delete(LEGACY_ITEMS).where(LEGACY_ITEMS.c.id == len(ROWS)))
    left = rows(connection)
    assert [row[0] for row in left] == [1, 2, 3, 4]
    return left


def test_upgrade_from_revision_1_keeps_every_row_and_value_and_the_id_high_water_mark(make_app):
    """Rows written at revision 1 survive revision 2 and its downgrade exactly; a deleted id is never reused."""
    app = make_app(revision=REVISION_1)
    with app.app_context():
        with db.engine.begin() as connection:
            before = insert_rows_and_delete_the_last(connection)
        flask_migrate.upgrade(MIGRATIONS)
        with db.engine.connect() as connection:
            assert rows(connection) == before
        flask_migrate.downgrade(MIGRATIONS, REVISION_1)
        with db.engine.connect() as connection:
            assert rows(connection) == before
        flask_migrate.upgrade(MIGRATIONS)

    client = app.test_client()
    for number, row in enumerate(ROWS[:4], start=1):
        item = client.get(f"/items/{number}").get_json()
        stamps = {key: row[key].isoformat(timespec="microseconds").replace("+00:00", "Z") for key in STAMPS}
        assert item == {"id": number, **row, "owner": None, **stamps}
    user = add_user(app, "newcomer", "scrypt:no-password-matches-this")
    new = client.post("/items", json={"title": "new", "price": 1}, headers=user.headers).get_json()
    assert (new["id"], new["owner"]) == (len(ROWS) + 1, "newcomer")


def test_revision_3_adds_users_and_an_owner_to_items_in_place(make_app):
    """Items stored at revision 2 keep every value and get no owner; the id high-water mark survives the copy."""
    app = make_app(revision=REVISION_2)
    with app.app_context():
        with db.engine.begin() as connection:
            before = insert_rows_and_delete_the_last(connection)
        flask_migrate.upgrade(MIGRATIONS, REVISION_3)
        with db.engine.connect() as connection:
            assert rows(connection) == before
            assert connection.scalar(text("SELECT count(*) FROM items WHERE owner_id IS NOT NULL")) == 0
            assert connection.scalar(text("SELECT count(*) FROM users")) == 0
        flask_migrate.downgrade(MIGRATIONS, REVISION_2)
        with db.engine.connect() as connection:
            assert rows(connection) == before
            assert "users" not in inspect(connection).get_table_names()
        flask_migrate.upgrade(MIGRATIONS)  # on to head, whose models the app has

    client = app.test_client()
    assert {item["owner"] for item in client.get("/items").get_json()["items"]} == {None}
    user = add_user(app, "newcomer", "scrypt:no-password-matches-this")
    # An item that predates accounts is no one's: 403 for every user through the API (the admin changes it).
    assert_problem(client.patch("/items/1", json={"price": 2}, headers=user.headers), 403)
    assert_problem(client.delete("/items/1", headers=user.headers), 403)
    new = client.post("/items", json={"title": "new", "price": 1}, headers=user.headers).get_json()
    assert (new["id"], new["owner"]) == (len(ROWS) + 1, "newcomer")
    assert [item["id"] for item in client.get("/items?owner=newcomer").get_json()["items"]] == [new["id"]]


def test_revision_4_adds_is_admin_in_place_and_makes_no_one_an_administrator(make_app):
    """Users stored at revision 3 keep their rows, are no administrators; the table is altered, never copied."""
    app = make_app(revision=REVISION_3)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO users (username, password_hash) VALUES ('old', 'x'), ('gone', 'y')"))
            connection.execute(text("DELETE FROM users WHERE username = 'gone'"))
            before = schema(connection)
        flask_migrate.upgrade(MIGRATIONS, REVISION_4)
        with db.engine.connect() as connection:
            assert [tuple(row) for row in connection.execute(text("SELECT id, username, is_admin FROM users"))] == [
                (1, "old", False)
            ]
        flask_migrate.downgrade(MIGRATIONS, REVISION_3)
        with db.engine.connect() as connection:
            assert schema(connection) == before  # AUTOINCREMENT on SQLite included
        flask_migrate.upgrade(MIGRATIONS)
    response = app.test_client().post("/users", json={"username": "new", "password": "long enough"})
    assert response.get_json()["id"] == 3  # the deleted highest id is not handed out again
