"""The database URL, and a failure half-way through a request: a 500 that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from items_flask.config import sqlalchemy_url
from tests.problem import assert_problem


@pytest.mark.parametrize(
    ("plain", "engine_url"),
    [
        ("sqlite:///items.db", "sqlite:///items.db"),
        ("sqlite:////tmp/items.db", "sqlite:////tmp/items.db"),
        ("postgresql://postgres@127.0.0.1:5432/items", "postgresql+psycopg://postgres@127.0.0.1:5432/items"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_plain_database_urls_get_their_driver(plain, engine_url):
    assert sqlalchemy_url(plain) == engine_url


def test_unexpected_error_is_a_500_problem_without_trace_and_writes_nothing(make_app, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # TESTING re-raises by default; production answers
    client = app.test_client()

    def fail(self):
        self.flush()  # the row reaches the database inside the transaction, then the commit fails
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Session, "commit", fail)
    response = client.post("/items", json={"title": "pen", "price": 1})
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in body["detail"]
    monkeypatch.undo()
    assert client.get("/items").get_json()["total"] == 0
