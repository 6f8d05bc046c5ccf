"""Databases for the tests: new PostgreSQL databases, ``DATABASE_URL``, Alembic's command API, raw SQL.

PostgreSQL: databases are created through ``TEST_POSTGRES_URL`` (an admin connection, default
``postgresql://postgres@127.0.0.1:5432/postgres``). Where none answers, the tests that need one are
skipped ("PostgreSQL SKIPPED"), except with ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from items_fastapi.config import Settings, get_settings

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The folder alembic.ini is in, where ``alembic`` runs (impl.toml's prepare step runs there too).
APP_FOLDER = Path(__file__).resolve().parent.parent
T = TypeVar("T")


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
    """This implementation's alembic.ini, as the ``alembic`` command line reads it."""
    return Config(APP_FOLDER / "alembic.ini")


def migrate(database_url: str, revision: str = "head") -> None:
    """``alembic upgrade REVISION`` on ``database_url`` (a plain URL), through Alembic's command API."""
    with database_environment(database_url):
        command.upgrade(alembic_config(), revision)


def on_database(database_url: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """``await work(connection)`` in one transaction on ``database_url`` (a plain URL), committed if it returns."""

    async def run() -> T:
        engine = create_async_engine(Settings(database_url=database_url).sqlalchemy_url)
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def stored_users(connection: AsyncConnection) -> list[tuple]:
    """Every user as stored: ``(id, username, is_admin, hashed_password)``, by id."""
    query = "SELECT id, username, is_admin, hashed_password FROM users ORDER BY id"
    return [tuple(row) for row in await connection.execute(text(query))]
