"""Fresh, throw-away databases for one server run: a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

ADMIN_URL = os.environ.get("CONTRACT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL could not be reached."""


def unavailable(error: DatabaseUnavailable) -> NoReturn:
    """Skip the test, saying "PostgreSQL SKIPPED"; with ``CI=true`` (where PostgreSQL is required) fail it."""
    import pytest  # the benchmark uses this module too, without pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"{error} (CI=true: PostgreSQL is required)", pytrace=False)
    pytest.skip(f"PostgreSQL SKIPPED: {error}")


@contextlib.contextmanager
def sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="contract-sqlite-") as folder:
        yield f"sqlite:///{Path(folder) / 'items.db'}"


@contextlib.contextmanager
def postgres(label: str) -> Iterator[str]:
    """Create a uniquely named database on the admin server, yield its URL, drop it afterwards."""
    import psycopg

    name = f"contract_{label}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise DatabaseUnavailable(f"PostgreSQL at {ADMIN_URL} is unreachable: {error}") from error
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            parts = urlsplit(ADMIN_URL)
            yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
