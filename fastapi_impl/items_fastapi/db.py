"""The database: one async engine per running app, one ``AsyncSession`` per request.

The engine lives as long as the app (main.py's lifespan opens it and hands the sessionmaker to every
request through the lifespan state); ``get_session`` is the dependency routes ask for. The tables are
the migrations' (``alembic upgrade head``, migrations/), never created here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

# region: model
#: Seconds a new connection to PostgreSQL may take (TCP, start-up, authentication) before the request gets a 503.
CONNECT_TIMEOUT = 2


def engine_options(url: str) -> dict[str, Any]:
    """``create_async_engine`` options for ``url``: a server database is reached over a network that fails.

    A pooled connection that the network or the server has closed is found out and replaced before a request
    uses it, and a new one that gets no answer gives up after ``CONNECT_TIMEOUT`` seconds
    (``problems.database_problem`` then answers 503 with ``Retry-After``). A SQLite file has no connection to
    lose: SQLAlchemy's defaults.
    """
    if make_url(url).get_backend_name() != "postgresql":
        return {}
    return {
        # SQLAlchemy default: a pooled connection is used as it is, so the first request after the database
        # dropped it fails; pre-ping tests it at checkout (a ping: BEGIN, an empty query, ROLLBACK) and replaces it.
        "pool_pre_ping": True,
        # asyncpg default: connect(timeout=60), a minute of waiting on a database that does not answer.
        "connect_args": {"timeout": CONNECT_TIMEOUT},
    }


def configure_sqlite(connection: Any, record: Any) -> None:
    """Each new SQLite connection checks foreign keys (items.owner_id), as PostgreSQL always does, and writes ahead."""
    cursor = connection.cursor()
    # SQLite default: foreign keys parsed but not enforced, per connection (PRAGMA foreign_keys = OFF).
    cursor.execute("PRAGMA foreign_keys = ON")
    # SQLite default: a rollback journal, where the writer blocks every reader (the other worker's too), synced at
    # each commit; WAL lets reads go on beside the one writer, NORMAL syncs at checkpoints (SQLite's "WAL" page).
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """An engine for ``url`` (a SQLAlchemy URL, config.py), its every connection closed at the end.

    Nothing is created here (FastAPI's SQL tutorial calls ``create_all`` at startup): the tables come from
    the migrations, run once before the server starts (``alembic upgrade head``, impl.toml's ``prepare``),
    so several workers may start at once, and a changed model reaches an existing table (``create_all``
    never alters one). On a database not migrated yet, a request that reads the table is a 500.
    """
    # FastAPI's SQL tutorial default: create_all in the lifespan; here: none, the migrations make the tables.
    # SQLAlchemy default: an error's message (and so a logged traceback) shows the statement's parameters, a
    # password hash among them; hide_parameters=True: the statement only.
    engine = create_async_engine(url, hide_parameters=True, **engine_options(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", configure_sqlite)
    try:
        # SQLAlchemy default: attributes expire at commit, so reading one after it would lazy-load (not in async).
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """This request's session. Closing it rolls back whatever was not committed: nothing half-written."""
    async with request.state.sessionmaker() as session:
        yield session


# endregion
