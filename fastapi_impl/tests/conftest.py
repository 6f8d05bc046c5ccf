"""Each test gets the app, started through its lifespan, on an empty database: SQLite, then PostgreSQL.

PostgreSQL: a uniquely named database is created through ``TEST_POSTGRES_URL`` (an admin connection,
default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end. Where none answers,
those tests are skipped, except with ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import create_async_engine

from items_fastapi.config import Settings, get_settings
from items_fastapi.main import app
from items_fastapi.models import Base

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def run_as_admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
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


async def drop_tables(database_url: str) -> None:
    engine = create_async_engine(Settings(database_url=database_url).sqlalchemy_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
    await engine.dispose()


# region: tests
@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'items.db'}"
    url = request.getfixturevalue("postgres_url")
    asyncio.run(drop_tables(url))  # the lifespan creates them again: empty, ids from 1
    return url


@pytest.fixture
def database_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``DATABASE_URL`` for this test, read by the app's settings as uvicorn's process would read it."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture
def client(database_env: str) -> Iterator[TestClient]:
    # TestClient default: Host testserver, which ALLOWED_HOSTS does not name; localhost is in its default.
    with TestClient(app, base_url="http://localhost") as client:  # runs the lifespan: engine, tables
        yield client


@pytest.fixture
def create(client: TestClient) -> Callable[..., dict]:
    def create(**fields: Any) -> dict:
        response = client.post("/items", json=fields)
        assert response.status_code == 201, response.text
        return response.json()

    return create


# endregion
