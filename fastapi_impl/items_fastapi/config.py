"""Settings, in the style of FastAPI's "Settings and Environment Variables": pydantic-settings, read once.

Only ``DATABASE_URL`` comes from the environment; the rest is how this API presents itself.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings

# region: settings
#: The largest request body read, in bytes (the contract's 1 MiB); anything longer is a 413.
MAX_BODY_SIZE = 1024 * 1024


class Settings(BaseSettings):
    #: A plain URL: ``sqlite:////abs/path.db``, ``sqlite:///relative.db`` or
    #: ``postgresql://user@host:port/dbname``; ``sqlalchemy_url`` picks the async driver.
    database_url: str = "sqlite:///items.db"

    title: str = "Items API"
    version: str = "1.0.0"
    summary: str = "One CRUD contract, implemented three times and judged over HTTP."

    @property
    def sqlalchemy_url(self) -> str:
        """The SQLAlchemy URL for ``database_url``, through an asyncio driver.

        SQLAlchemy's defaults are the blocking pysqlite and psycopg2: here aiosqlite and asyncpg.
        """
        scheme, sep, rest = self.database_url.partition("://")
        if scheme == "sqlite":
            return f"sqlite+aiosqlite{sep}{rest}"
        if scheme in {"postgres", "postgresql"}:
            return f"postgresql+asyncpg{sep}{rest}"
        return self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()


# endregion
