"""The database: one async engine per running app, one ``AsyncSession`` per request.

The engine lives as long as the app (main.py's lifespan opens it and hands the sessionmaker to every
request through the lifespan state); ``get_session`` is the dependency routes ask for. The tables are
the migrations' (``alembic upgrade head``, migrations/), never created here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine


# region: model
@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """An engine for ``url`` (a SQLAlchemy URL, config.py), its every connection closed at the end.

    Nothing is created here (FastAPI's SQL tutorial calls ``create_all`` at startup): the tables come from
    the migrations, run once before the server starts (``alembic upgrade head``, impl.toml's ``prepare``),
    so several workers may start at once, and a changed model reaches an existing table (``create_all``
    never alters one). On a database not migrated yet, a request that reads the table is a 500.
    """
    # FastAPI's SQL tutorial default: create_all in the lifespan; here: none, the migrations make the tables.
    engine = create_async_engine(url)
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
