"""Each test gets the app, started through its lifespan, on an empty database: SQLite, then PostgreSQL.

The tables are the migrations' (``alembic upgrade head`` through Alembic's command API, once per run):
each SQLite test gets a copy of a file migrated so, and the PostgreSQL tests share one database so
migrated, its table emptied before each test.

PostgreSQL: uniquely named databases are created through ``TEST_POSTGRES_URL`` (an admin connection,
default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end (tests/databases.py).
Where none answers, those tests are skipped, except with ``CI=true``, where that fails the run.

``client`` sends the token of a user signed up for the test (``owner``); ``anonymous`` sends none.
``SECRET_KEY`` is set here, before the app is imported: its settings are read then.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))  # one per run, as the contract suite does

from items_fastapi import auth  # noqa: E402  (after SECRET_KEY)
from items_fastapi.main import app  # noqa: E402
from tests.databases import database_environment, migrate, new_postgres_database, on_database  # noqa: E402
from tests.support import sign_up  # noqa: E402

#: Argon2id at its cheapest, for the tests' many sign-ups (0.5 s each with the real parameters on a busy
#: machine); tests/test_accounts.py checks the real ones, and the contract suite runs with them.
CHEAP_HASH = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_password_hashes"):
        return
    monkeypatch.setattr(auth, "password_hash", CHEAP_HASH)
    monkeypatch.setattr(auth, "DUMMY_HASH", CHEAP_HASH.hash("dummy"))


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
    await connection.execute(text("TRUNCATE items, users RESTART IDENTITY"))


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
    """A database at head with empty items and users tables, their ids starting from 1."""
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
def anonymous(database_env: str) -> Iterator[TestClient]:
    """A client that sends no credentials."""
    # TestClient default: Host testserver, which ALLOWED_HOSTS does not name; localhost is in its default.
    with TestClient(app, base_url="http://localhost") as client:  # the lifespan: the engine; tables: migrations
        yield client


@pytest.fixture
def client(database_env: str) -> Iterator[TestClient]:
    """A client that sends the token of ``owner``, a user signed up for this test: the owner of what it creates."""
    with TestClient(app, base_url="http://localhost") as client:
        client.headers.update(sign_up(client, "owner"))
        yield client


@pytest.fixture
def create(client: TestClient) -> Callable[..., dict]:
    def create(**fields: Any) -> dict:
        response = client.post("/items", json=fields)
        assert response.status_code == 201, response.text
        return response.json()

    return create


# endregion
