"""The database: one async engine per running app, one ``AsyncSession`` per request.

The engine lives as long as the app (main.py's lifespan opens it and hands the sessionmaker to every
request through the lifespan state); ``get_session`` is the dependency routes ask for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from items_fastapi.models import Base


# region: model
@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Connect to ``url``, create the tables that do not exist yet, and close every connection at the end.

    Tables are created here, at startup, as FastAPI's SQL tutorial does, rather than in a separate
    ``prepare`` step: uvicorn runs one worker (impl.toml), so no second process races this
    ``CREATE TABLE``, and ``uvicorn items_fastapi.main:app`` alone is enough to serve a new database.
    """
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        # SQLAlchemy default: attributes expire at commit, so reading one after it would lazy-load (not in async).
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """This request's session. Closing it rolls back whatever was not committed: nothing half-written."""
    async with request.state.sessionmaker() as session:
        yield session


# endregion
