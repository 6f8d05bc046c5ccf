"""Settings, migrations, and an unexpected failure: a 500 problem that writes nothing."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from items.views import ItemViewSet
from items_django.settings import database
from tests.problem import assert_problem

SQLITE = {
    "ENGINE": "django.db.backends.sqlite3",
    "CONN_MAX_AGE": None,
    "OPTIONS": {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    },
}


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


def start(**environment: str) -> subprocess.CompletedProcess:
    """``django.setup()`` in a fresh interpreter with the production settings and this environment."""
    env = {name: value for name, value in os.environ.items() if name not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    env |= {"DJANGO_SETTINGS_MODULE": "items_django.settings", "DATABASE_URL": "sqlite:///unused.db", **environment}
    script = (
        "import django; django.setup(); from rest_framework_simplejwt.tokens import AccessToken; "
        "print(AccessToken.lifetime.total_seconds())"
    )
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)


def test_a_production_start_without_secret_key_stops_with_a_clear_error():
    refused = start()
    assert refused.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY in the environment" in refused.stderr
    assert start(DJANGO_DEBUG="1").returncode == 0  # DEBUG: a development key


def test_token_lifetime_comes_from_the_environment():
    assert start(SECRET_KEY="k").stdout.strip() == "3600.0"
    assert start(SECRET_KEY="k", TOKEN_TTL_SECONDS="2").stdout.strip() == "2.0"


def test_unexpected_errors_reach_stderr_with_debug_off(settings):
    """Django's own handlers need DEBUG (console) or ADMINS (mail); settings.py's LOGGING needs neither."""
    assert settings.DEBUG is False
    handlers = logging.getLogger("django").handlers
    assert any(type(handler) is logging.StreamHandler and not handler.filters for handler in handlers), handlers
