"""The seed: the same 10,000 items for every target, written with SQL into the table the target created.

Flask and FastAPI name their table ``items``, Django ``items_item``; whichever table has the item's columns
is the one seeded, so a new implementation with the same columns needs nothing here. The raw-driver
ceilings get a table made by ``create_items_table``, the DDL that SQLAlchemy emits for the same model.

An implementation's items have an owner: a nullable foreign key to its users table (``owner_id`` to
``users`` in Flask and FastAPI, to Django's ``auth_user`` in Django). ``owner_column`` finds it from the
database's own catalogue (the items table's one foreign key, or the one whose name says owner), and the
seed gives every item the bench user's id as the server reported it (``GET /users/me``).
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


def _foreign_keys(url: str, table: str) -> dict[str, str]:
    """The foreign-key columns of ``table``: {column: referenced table}."""
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            found = connection.execute(
                "SELECT a.attname::text, c.confrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
                (table,),
            ).fetchall()
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            found = [(row[3], row[2]) for row in connection.execute(f'PRAGMA foreign_key_list("{table}")')]
    return {column: target.strip('"') for column, target in found}


def owner_column(url: str, table: str) -> str:
    """The column of ``table`` that holds an item's owner: its one foreign key, else the one named owner."""
    keys = _foreign_keys(url, table)
    named = [column for column in keys if "owner" in column.lower()]
    if len(keys) == 1:
        return next(iter(keys))
    if len(named) == 1:
        return named[0]
    raise SeedError(
        f"expected one owner column (a foreign key to the users table) in {table}, found foreign keys {keys or 'none'}"
    )


def create_items_table(url: str, table: str = "items") -> None:
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            connection.execute(POSTGRES_DDL.format(table=table))
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            connection.execute(SQLITE_DDL.format(table=table))
            connection.commit()


def seed(url: str, table: str, rows: list[tuple], owner: tuple[str, int] | None = None) -> None:
    """Insert ``rows`` (ids 1..N in an empty table); created_at and updated_at are the same instant.

    ``owner``: (owner column, user id) to give every row that owner; None for a table without owners.
    """
    columns = ["title", "description", "price", "quantity", "created_at", "updated_at"]
    extra: tuple = ()
    if owner is not None:
        columns.append(owner[0])
        extra = (owner[1],)
    names = ", ".join(f'"{column}"' for column in columns)
    if is_postgres(url):
        with _connect_postgres(url) as connection, connection.cursor() as cursor:
            with connection.transaction(), cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, row[4], *extra))
            connection.execute(f"ANALYZE {table}")
        return
    text = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy and Django both write for a datetime on SQLite
    with closing(sqlite3.connect(sqlite_path(url))) as connection:
        connection.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})",
            [(*row[:4], row[4].strftime(text), row[4].strftime(text), *extra) for row in rows],
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
