"""Each test gets a fresh app on a database made by the migrations: SQLite, then PostgreSQL.

``client`` sends the bearer token of a user, ``owner``, made for the test; ``anonymous`` sends none. Users
are made in the database with one password hash computed once (Werkzeug's scrypt takes a fifth of a second
on purpose) and their tokens signed directly; tests/test_auth.py goes through ``POST /users`` and ``/token``.

PostgreSQL: a uniquely named database is created through ``TEST_POSTGRES_URL`` (an admin connection,
default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end. Where none answers,
those tests are skipped, except with ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import flask_migrate
import psycopg
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql
from sqlalchemy import Connection, MetaData, inspect, text
from werkzeug.security import generate_password_hash

from items_flask import auth
from items_flask.app import create_app
from items_flask.config import sqlalchemy_url
from items_flask.db import db
from items_flask.models import User

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: flask_impl/migrations, wherever pytest runs from (Flask-Migrate's default is relative to the working directory).
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
HEAD = ScriptDirectory(MIGRATIONS).get_current_head()
SECRET_KEY = "the tests' own secret key"
PASSWORD = "correct horse battery"


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
@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "items.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        flask_migrate.upgrade(MIGRATIONS)
        db.engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        path = shutil.copyfile(request.getfixturevalue("sqlite_at_head"), tmp_path / "items.db")
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


def drop_everything(connection: Connection) -> None:
    """Drop every table, Alembic's version table included: the database as new."""
    tables = MetaData()
    tables.reflect(connection)
    tables.drop_all(connection)


def empty_tables(connection: Connection) -> None:
    """Delete every row but Alembic's, and start the ids at 1 again."""
    names = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        return
    for name in names:
        connection.execute(text(f"DELETE FROM {name}"))
    connection.execute(text("DELETE FROM sqlite_sequence"))


def migrate_fresh(revision: str | None) -> None:
    """In an app context: the database at ``revision`` with no rows (``None``: no tables at all)."""
    with db.engine.begin() as connection:
        if revision == "head" and MigrationContext.configure(connection).get_current_revision() == HEAD:
            empty_tables(connection)  # already migrated by an earlier test: much quicker than migrating again
            return
        drop_everything(connection)
    if revision is not None:
        flask_migrate.upgrade(MIGRATIONS, revision)


@pytest.fixture
def make_app(database_url: str) -> Iterator:
    """Build an app on this test's database; the first one brings it to ``revision`` with no rows.

    The tables are made by the migrations, start empty, and ids start at 1. ``revision=None``: no tables.
    """
    apps: list[Flask] = []

    def make(revision: str | None = "head", **config) -> Flask:
        uri = sqlalchemy_url(database_url)
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": SECRET_KEY, **config})
        if not apps:
            with app.app_context():
                migrate_fresh(revision)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The hash of ``PASSWORD``, computed once."""
    return generate_password_hash(PASSWORD)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def bearer(app: Flask, user_id: int) -> str:
    """A token for user ``user_id``, signed as ``POST /token`` signs it (no database needed)."""
    with app.app_context():
        return auth.serializer().dumps(user_id)


def add_user(app: Flask, username: str, password_hash: str) -> Account:
    """A user stored straight into ``app``'s database, and its ``Account`` with a token."""
    with app.app_context():
        user = User(username=username, password_hash=password_hash)
        db.session.add(user)
        db.session.commit()
        return Account(user.id, username, bearer(app, user.id))


@pytest.fixture
def make_user(app: Flask, password_hash: str):
    """Make a user whose password is ``PASSWORD``; returns its ``Account`` with a token."""
    return lambda username: add_user(app, username, password_hash)


@pytest.fixture
def owner(make_user) -> Account:
    return make_user("owner")


@pytest.fixture
def client(app: Flask, owner: Account) -> FlaskClient:
    """A client that sends ``owner``'s token."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = owner.headers["Authorization"]
    return client


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def create(client: FlaskClient):
    def create(**fields) -> dict:
        response = client.post("/items", json=fields)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    return create


# endregion
