"""Each test gets the app, started through its lifespan, on an empty database: SQLite, then PostgreSQL.

The tables are the migrations' (``alembic upgrade head`` through Alembic's command API, once per run):
each SQLite test gets a copy of a file migrated so, and the PostgreSQL tests share one database so
migrated, its table emptied before each test.

PostgreSQL: uniquely named databases are created through ``TEST_POSTGRES_URL`` (an admin connection,
default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end (tests/databases.py).
Where none answers, those tests are skipped, except with ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from items_fastapi.main import app
from tests.databases import database_environment, migrate, new_postgres_database, on_database


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL database at head for the whole run."""
    with new_postgres_database() as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at head, made once: each test gets a copy."""
    path = tmp_path_factory.mktemp("migrated") / "items.db"
    migrate(f"sqlite:///{path}")
    return path


async def empty_items(connection: AsyncConnection) -> None:
    await connection.execute(text("TRUNCATE items RESTART IDENTITY"))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own with no table at all, not even Alembic's: for the tests that migrate."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with new_postgres_database() as url:
        yield url


# region: tests
@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database at head with an empty items table, its ids starting from 1."""
    if request.param == "sqlite":
        path = shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), tmp_path / "items.db")
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    on_database(url, empty_items)
    return url


@pytest.fixture
def database_env(database_url: str) -> Iterator[str]:
    """``DATABASE_URL`` for this test, read by the app's settings as uvicorn's process would read it."""
    with database_environment(database_url):
        yield database_url


@pytest.fixture
def client(database_env: str) -> Iterator[TestClient]:
    # TestClient default: Host testserver, which ALLOWED_HOSTS does not name; localhost is in its default.
    with TestClient(app, base_url="http://localhost") as client:  # the lifespan: the engine; tables: migrations
        yield client


@pytest.fixture
def create(client: TestClient) -> Callable[..., dict]:
    def create(**fields: Any) -> dict:
        response = client.post("/items", json=fields)
        assert response.status_code == 201, response.text
        return response.json()

    return create


# endregion
