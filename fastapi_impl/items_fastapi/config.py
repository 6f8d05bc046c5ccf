"""Settings, in the style of FastAPI's "Settings and Environment Variables": pydantic-settings, read once.

``DATABASE_URL``, ``ALLOWED_HOSTS``, ``SECRET_KEY`` and ``TOKEN_TTL_SECONDS`` come from the environment; the
rest is how this API presents itself. The migrations read ``DatabaseSettings`` alone: they sign no token.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, PositiveInt, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

# region: settings
#: The largest request body read, in bytes (the contract's 1 MiB); anything longer is a 413.
MAX_BODY_SIZE = 1024 * 1024
#: The longest request line served, in bytes without its CRLF (gunicorn's default); anything longer is a 414.
MAX_REQUEST_LINE = 8190


class DatabaseSettings(BaseSettings):
    #: A plain URL: ``sqlite:////abs/path.db``, ``sqlite:///relative.db`` or
    #: ``postgresql://user@host:port/dbname``; ``sqlalchemy_url`` picks the async driver.
    database_url: str = "sqlite:///items.db"

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


#: The shortest SECRET_KEY taken: RFC 7518 §3.2 wants an HS256 key of at least 256 bits (32 bytes).
MIN_SECRET_LENGTH = 32
MISSING_SECRET = (
    "SECRET_KEY is not set: it signs the bearer tokens, and every worker of a server must share it. "
    "Set it in the environment, at least 32 characters, for instance the output of "
    "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


class Settings(DatabaseSettings):
    #: The host names served, on any port: ``ALLOWED_HOSTS=api.example.com,localhost``. Exact names only
    #: (compared without regard to case); an IPv6 address in brackets, as the ``Host`` header writes it.
    #: pydantic-settings default: a list is read from the environment as JSON; NoDecode: the validator splits it.
    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1", "[::1]"]

    #: Signs and checks the tokens (HS256). Required: no built-in default, so a server started without one
    #: stops at once with MISSING_SECRET, and every worker started with the same environment agrees.
    # FastAPI template default: secrets.token_urlsafe(32), a new key per process (per worker); contract: required.
    secret_key: SecretStr = Field(min_length=MIN_SECRET_LENGTH)
    #: Seconds a token is valid for, the token response's ``expires_in``.
    token_ttl_seconds: PositiveInt = 3600

    title: str = "Items API"
    version: str = "1.0.0"
    summary: str = "One CRUD contract, implemented three times and judged over HTTP."

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def split_host_names(cls, value: str | list[str]) -> list[str]:
        """``a,b`` as ``["a", "b"]``. Raises ``ValueError`` for a wildcard: Starlette's ``*.example.com`` matches
        every name ending in ``.example.com``, and ``*`` any name; the contract matches names exactly."""
        names = [name.strip() for name in value.split(",")] if isinstance(value, str) else value
        if any("*" in name for name in names):
            raise ValueError("ALLOWED_HOSTS takes exact host names, no wildcard")
        return [name for name in names if name]

    @model_validator(mode="before")
    @classmethod
    def require_secret_key(cls, values: dict[str, object]) -> dict[str, object]:
        """Raises ``ValueError`` (MISSING_SECRET) when ``SECRET_KEY`` is absent or empty.

        pydantic-settings default for a required field: "Field required", naming ``secret_key`` alone.
        """
        if not values.get("secret_key"):
            raise ValueError(MISSING_SECRET)
        return values


@lru_cache
def get_settings() -> Settings:
    return Settings()


# endregion
