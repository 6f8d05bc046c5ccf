"""Settings, migrations, and an unexpected failure: a 500 problem that writes nothing."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command

from items.views import ItemViewSet
from items_django.settings import database
from tests.problem import assert_problem

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"transaction_mode": "IMMEDIATE"}}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///items.db", {**SQLITE, "NAME": "items.db"}),
        ("sqlite:////tmp/items.db", {**SQLITE, "NAME": "/tmp/items.db"}),
        (
            "postgresql://postgres:s%40cret@127.0.0.1:5433/items",
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "items",
                "USER": "postgres",
                "PASSWORD": "s@cret",
                "HOST": "127.0.0.1",
                "PORT": "5433",
                "OPTIONS": {
                    "pool": {"min_size": 1, "max_size": 4, "timeout": 3, "reconnect_timeout": 2},
                    "connect_timeout": 2,
                },
                "CONN_HEALTH_CHECKS": True,
            },
        ),
    ],
)
def test_database_url_is_parsed(url, expected):
    assert database(url) == expected


def test_checked_in_migrations_match_the_models(database):
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def test_unexpected_error_is_a_500_problem_that_writes_nothing(client, monkeypatch):
    def fail(self, serializer):
        serializer.save()  # the row reaches the database inside the request's transaction, then:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(ItemViewSet, "perform_create", fail)
    response = client.send("POST", "/items", {"title": "pen", "price": 1})
    body = assert_problem(response, 500)
    assert "secret" not in response.content.decode() and "Traceback" not in body["detail"]
    monkeypatch.undo()
    assert client.get("/items").json()["total"] == 0


def test_unexpected_errors_reach_stderr_with_debug_off(settings):
    """Django's own handlers need DEBUG (console) or ADMINS (mail); settings.py's LOGGING needs neither."""
    assert settings.DEBUG is False
    handlers = logging.getLogger("django").handlers
    assert any(type(handler) is logging.StreamHandler and not handler.filters for handler in handlers), handlers
