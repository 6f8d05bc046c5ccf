"""Each test gets a fresh app on an empty database: SQLite, then PostgreSQL.

PostgreSQL: a uniquely named database is created through ``TEST_POSTGRES_URL`` (an admin connection,
default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end. Where none answers,
those tests are skipped, except with ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql

from items_flask.app import create_app
from items_flask.db import get_engine, init_db
from items_flask.models import Base

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {ADMIN_URL} is unreachable and CI=true requires it: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL SKIPPED: {ADMIN_URL} is unreachable ({error})")
    name = f"items_flask_test_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            parts = urlsplit(ADMIN_URL)
            yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# region: tests
@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'items.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def make_app(database_url: str) -> Iterator:
    """Build an app on this test's database; the tables start empty, ids start at 1."""
    apps: list[Flask] = []

    def make(**config) -> Flask:
        app = create_app({"TESTING": True, "DATABASE_URL": database_url, **config})
        with app.app_context():
            if not apps:
                Base.metadata.drop_all(get_engine())
            init_db()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["items_db"].dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def create(client: FlaskClient):
    def create(**fields) -> dict:
        response = client.post("/items", json=fields)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    return create


# endregion
