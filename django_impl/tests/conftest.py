"""Each test that asks for ``client`` runs twice: on SQLite, then on PostgreSQL (tests/settings.py).

Where no PostgreSQL answers, its runs are skipped ("PostgreSQL SKIPPED"); with ``CI=true`` they fail.
"""

from __future__ import annotations

import json
import os
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.test import Client
from psycopg import sql
from rest_framework_simplejwt.tokens import AccessToken

from tests import settings as test_settings

JSON = "application/json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "database" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db(databases="__all__"))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Django drops its test database at the end; this drops it even when a connection was left open."""
    if test_settings.POSTGRES_UNAVAILABLE is None:
        with psycopg.connect(test_settings.ADMIN_URL, autocommit=True) as admin:
            name = sql.Identifier(test_settings.POSTGRES_TEST_NAME)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


# region: tests
@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        if test_settings.POSTGRES_UNAVAILABLE is not None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required with CI=true: {test_settings.POSTGRES_UNAVAILABLE}", pytrace=False)
            pytest.skip(f"PostgreSQL SKIPPED: {test_settings.POSTGRES_UNAVAILABLE}")
        alias = "postgres"
    else:
        alias = "default"
    test_settings.ChosenDatabase.alias = alias
    yield alias
    test_settings.ChosenDatabase.alias = "default"


class APIClient(Client):
    """Django's test client, sending bodies as bytes with the content type given, JSON by default."""

    def send(
        self, method: str, path: str, body: Any = None, *, raw: bytes | None = None, content_type: str | None = JSON
    ):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        headers = {"Content-Type": content_type} if content_type else {}
        return self.generic(method, path, data, content_type=content_type or "", headers=headers)


def bearer(user: User) -> dict[str, str]:
    """The ``Authorization`` header of a fresh token for ``user``, as ``POST /token`` would issue it."""
    return {"Authorization": f"Bearer {AccessToken.for_user(user)}"}


@pytest.fixture
def owner(database: str) -> User:
    """The user the ``client`` fixture's requests carry a token of: the owner of the items they create."""
    return User.objects.create_user("owner", password="owner-password")


@pytest.fixture
def anonymous(database: str) -> APIClient:
    # Django's test client default: re-raise a view's exception; production answers with handler500.
    return APIClient(raise_request_exception=False)


@pytest.fixture
def client(database: str, owner: User) -> APIClient:
    """A client whose every request carries ``owner``'s bearer token (reads ignore it, writes need it)."""
    return APIClient(raise_request_exception=False, headers=bearer(owner))


@pytest.fixture
def create(client: APIClient):
    def create(**fields: Any) -> dict:
        response = client.send("POST", "/items", fields)
        assert response.status_code == 201, response.content
        return response.json()

    return create


# endregion
