"""The database URL; a failure half-way through a request (a 500 that writes nothing); a database out of reach."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy.orm import Session

from items_flask.app import create_app
from items_flask.config import sqlalchemy_url
from items_flask.db import db
from tests.conftest import SECRET_KEY, bearer
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


def test_unexpected_error_is_a_500_problem_without_trace_and_writes_nothing(make_app, owner, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # TESTING re-raises by default; production answers
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = owner.headers["Authorization"]

    def fail(self):
        self.flush()  # the row reaches the database inside the transaction, then the commit fails
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Session, "commit", fail)
    response = client.post("/items", json={"title": "pen", "price": 1})
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in body["detail"]
    monkeypatch.undo()
    assert client.get("/items").get_json()["total"] == 0


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never answers (a black-holed database)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("fault", ["refused", "silent"])
def test_database_out_of_reach_is_503_with_retry_after_within_seconds(request, fault):
    port = free_port() if fault == "refused" else request.getfixturevalue("silent_port")
    uri = sqlalchemy_url(f"postgresql://postgres@127.0.0.1:{port}/items")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": SECRET_KEY})
    client = app.test_client()
    token = {"Authorization": f"Bearer {bearer(app, 1)}"}  # its user is looked up: the database is needed
    started = time.monotonic()
    responses = [
        client.get("/items"),
        client.post("/items", json={"title": "pen", "price": 1}, headers=token),
        client.get("/items", headers=token),
    ]
    for response in responses:
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "1"
    assert time.monotonic() - started < len(responses) * (app.config["DATABASE_CONNECT_TIMEOUT"] + 1)
    with app.app_context():
        db.engine.dispose()
