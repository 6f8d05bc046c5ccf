"""The project's settings, with a PostgreSQL database beside SQLite so that every test runs on both.

PostgreSQL: a uniquely named test database is created through ``TEST_POSTGRES_URL`` (an admin
connection, default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped at the end. The
``database`` fixture (conftest.py) points ``ChosenDatabase`` at one alias for the whole of a test.
"""

import os
import uuid

import psycopg

# items_django.settings refuses to start without a SECRET_KEY (DEBUG off): the tests' own, unless one is set.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")

from items_django.settings import *  # noqa: E402, F403
from items_django.settings import DATABASES, database  # noqa: E402

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
POSTGRES_TEST_NAME = f"items_django_test_{uuid.uuid4().hex[:8]}"


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        return f"{ADMIN_URL} is unreachable ({error})".strip()
    return None


POSTGRES_UNAVAILABLE = postgres_unavailable()

DATABASES["default"] = database("sqlite:///items.db")  # the tests' own in-memory copy
if POSTGRES_UNAVAILABLE is None:
    DATABASES["postgres"] = {**database(ADMIN_URL), "TEST": {"NAME": POSTGRES_TEST_NAME}}


class ChosenDatabase:
    """Sends every query to the database the running test chose."""

    alias = "default"

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias


DATABASE_ROUTERS = ["tests.settings.ChosenDatabase"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for tests only
