"""The seed: the same 10,000 items for every target, written with SQL into the table the target created.

Flask and FastAPI name their table ``items``, Django ``items_item``; whichever table has the item's columns
is the one seeded, so a new implementation with the same columns needs nothing here. The raw-driver
ceilings get a table made by ``create_items_table``, the DDL that SQLAlchemy emits for the same model.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

SEED_ITEMS = 10_000
COLUMNS = ("id", "title", "description", "price", "quantity", "created_at", "updated_at")
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()  # noqa: SIM905
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

POSTGRES_DDL = """CREATE TABLE {table} (
    id BIGSERIAL PRIMARY KEY,
    title VARCHAR(200) COLLATE "C" NOT NULL,
    description VARCHAR(2000),
    price DOUBLE PRECISION NOT NULL,
    quantity INTEGER NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
)"""
SQLITE_DDL = """CREATE TABLE {table} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title VARCHAR(200) NOT NULL,
    description VARCHAR(2000),
    price FLOAT NOT NULL,
    quantity INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
)"""


class SeedError(RuntimeError):
    """No table to seed, or the seed did not come back over HTTP."""


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql"}


def items(count: int = SEED_ITEMS) -> list[tuple]:
    """The seed rows, identical on every run: (title, description, price, quantity, created_at)."""
    rng = random.Random(7)
    rows = []
    for n in range(1, count + 1):
        words = " ".join(rng.choice(WORDS) for _ in range(3))
        description = None if n % 3 == 0 else f"Seed item {n}: {words}."
        price = round(rng.uniform(0.5, 999.5), 2)
        stamp = EPOCH + timedelta(seconds=n, microseconds=n % 997 + 1)
        rows.append((f"Item {n:05d} {words}", description, price, rng.randint(0, 500), stamp))
    return rows


def _connect_postgres(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def sqlite_path(url: str) -> str:
    """``sqlite:////abs/path.db`` or ``sqlite:///relative.db``, read as Django and SQLAlchemy read them."""
    return unquote(urlsplit(url).path.removeprefix("/"))


def find_table(url: str) -> str:
    """The one table holding the item's columns."""
    wanted = set(COLUMNS)
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            found = connection.execute(
                "SELECT table_name, array_agg(column_name::text) FROM information_schema.columns "
                "WHERE table_schema = 'public' GROUP BY table_name"
            ).fetchall()
        tables = [name for name, columns in found if wanted <= set(columns)]
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            tables = [
                name
                for name in names
                if wanted <= {row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')}
            ]
    if len(tables) != 1:
        raise SeedError(f"expected one table with columns {', '.join(COLUMNS)}, found {tables or 'none'}")
    return tables[0]


def create_items_table(url: str, table: str = "items") -> None:
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            connection.execute(POSTGRES_DDL.format(table=table))
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            connection.execute(SQLITE_DDL.format(table=table))
            connection.commit()


def seed(url: str, table: str, rows: list[tuple]) -> None:
    """Insert ``rows`` (ids 1..N in an empty table); created_at and updated_at are the same instant."""
    if is_postgres(url):
        with _connect_postgres(url) as connection, connection.cursor() as cursor:
            with connection.transaction():
                columns = "title, description, price, quantity, created_at, updated_at"
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((*row, row[4]))
            connection.execute(f"ANALYZE {table}")
        return
    text = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy and Django both write for a datetime on SQLite
    with closing(sqlite3.connect(sqlite_path(url))) as connection:
        connection.executemany(
            f"INSERT INTO {table} (title, description, price, quantity, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(*row[:4], row[4].strftime(text), row[4].strftime(text)) for row in rows],
        )
        connection.commit()


def count(url: str, table: str) -> int:
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    with closing(sqlite3.connect(sqlite_path(url), timeout=30)) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def reset(url: str, table: str) -> None:
    """Delete every row past the seed, so that every run starts from the same items."""
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            connection.execute(f"DELETE FROM {table} WHERE id > %s", (SEED_ITEMS,))
            connection.execute(f"VACUUM ANALYZE {table}")
        return
    with closing(sqlite3.connect(sqlite_path(url), timeout=30)) as connection:
        connection.execute(f"DELETE FROM {table} WHERE id > ?", (SEED_ITEMS,))
        connection.commit()
