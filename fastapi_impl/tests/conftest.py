"""Each test gets the app, started through its lifespan, on an empty database: SQLite, then PostgreSQL.

The tables are the migrations' (``alembic upgrade head`` through Alembic's command API, once per run):
each SQLite test gets a copy of a file migrated so, and the PostgreSQL tests share one database so
migrated, its table emptied before each test.

PostgreSQL: uniquely named databases are created through ``TEST_POSTGRES_URL`` (an admin connection,
default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end. Where none answers,
those tests are skipped, except with ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from items_fastapi.config import Settings, get_settings
from items_fastapi.main import app

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def run_as_admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """The plain URL of a new, empty, uniquely named PostgreSQL database, dropped at the end."""
    name = f"items_fastapi_test_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(run_as_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {ADMIN_URL} is unreachable and CI=true requires it: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL SKIPPED: {ADMIN_URL} is unreachable ({error})")
    try:
        parts = urlsplit(ADMIN_URL)
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        asyncio.run(run_as_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def database_environment(database_url: str) -> Iterator[str]:
    """``DATABASE_URL`` set, as uvicorn's process and ``alembic`` read it, and the app's settings read again."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DATABASE_URL", database_url)
        get_settings.cache_clear()
        try:
            yield database_url
        finally:
            get_settings.cache_clear()


def alembic_config() -> Config:
    """This folder's alembic.ini, as the ``alembic`` command line reads it."""
    return Config(Path(__file__).resolve().parent.parent / "alembic.ini")


def migrate(database_url: str, revision: str = "head") -> None:
    """``alembic upgrade REVISION`` on ``database_url`` (a plain URL), through Alembic's command API."""
    with database_environment(database_url):
        command.upgrade(alembic_config(), revision)


T = TypeVar("T")


def on_database(database_url: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """``await work(connection)`` in one transaction on ``database_url``, committed if it returns."""

    async def run() -> T:
        engine = create_async_engine(Settings(database_url=database_url).sqlalchemy_url)
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(run())


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
    with TestClient(app) as client:  # runs the lifespan: the engine (the tables are the migrations')
        yield client


@pytest.fixture
def create(client: TestClient) -> Callable[..., dict]:
    def create(**fields: Any) -> dict:
        response = client.post("/items", json=fields)
        assert response.status_code == 201, response.text
        return response.json()

    return create


# endregion
