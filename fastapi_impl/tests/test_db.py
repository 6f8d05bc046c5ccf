"""Settings and the database layer: plain URLs, a restart, and a failure half-way through a request."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from items_fastapi.config import Settings
from items_fastapi.main import app
from tests.support import assert_problem, sign_up


@pytest.mark.parametrize(
    ("plain", "engine_url"),
    [
        ("sqlite:///items.db", "sqlite+aiosqlite:///items.db"),
        ("sqlite:////tmp/items.db", "sqlite+aiosqlite:////tmp/items.db"),
        ("postgresql://postgres@127.0.0.1:5432/items", "postgresql+asyncpg://postgres@127.0.0.1:5432/items"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_plain_database_urls_get_their_async_driver(plain, engine_url):
    assert Settings(database_url=plain).sqlalchemy_url == engine_url


def test_restarting_keeps_the_tables_and_their_rows(database_env, create):
    create(title="pen", price=1)
    with TestClient(app, base_url="http://localhost") as again:  # a second startup: the same table, the same rows
        assert again.get("/items").json()["total"] == 1


def test_unexpected_error_is_a_500_problem_without_trace_and_writes_nothing(database_env, monkeypatch):
    async def fail(self: AsyncSession) -> None:
        await self.flush()  # the row reaches the database inside the transaction, then the commit fails
        raise RuntimeError("secret detail")

    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        client.headers.update(sign_up(client, "owner"))
        monkeypatch.setattr(AsyncSession, "commit", fail)
        response = client.post("/items", json={"title": "pen", "price": 1})
        body = assert_problem(response, 500)
        assert "secret" not in response.text and "Traceback" not in body["detail"]
        monkeypatch.undo()
        assert client.get("/items").json()["total"] == 0
