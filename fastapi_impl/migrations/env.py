import asyncio
from logging.config import fileConfig
from typing import Literal

from sqlalchemy import pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import async_engine_from_config
from sqlalchemy.types import TypeDecorator

from alembic import context
from alembic.autogenerate.api import AutogenContext
from items_fastapi.config import get_settings
from items_fastapi.models import Base

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# region: migrations
# The models' tables and their constraints: what autogenerate and `alembic check` compare the database with.
target_metadata = Base.metadata

# Every constraint is named by the models' naming convention, the condition that this plugin asks for.
# Alembic default: the plugins "alembic.autogenerate.*", which skip CHECK constraints; here: compared by name too.
AUTOGENERATE_PLUGINS = ["alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"]


def get_url() -> str:
    """DATABASE_URL read by the app's own settings, with its async driver (config.py): the database it serves."""
    # Alembic default: sqlalchemy.url from alembic.ini; here: the app's settings, as the full-stack template does.
    return get_settings().sqlalchemy_url


def render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    """A column type of the models' own (a ``TypeDecorator``, models.py) written as the type it stores as."""
    # Alembic default: the TypeDecorator by its module path, which no revision imports; here: its impl, sa.DateTime.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def configure_options(dialect_name: str) -> dict:
    """What context.configure gets besides the connection or URL, online and offline alike."""
    return {
        "target_metadata": target_metadata,
        # SQLite's ALTER TABLE cannot add a constraint or change a column: a new table, rows copied, the old dropped.
        # Alembic default: ALTER TABLE as written, on every database; here: on SQLite, batch "move and copy" operations.
        "render_as_batch": dialect_name == "sqlite",
        "autogenerate_plugins": AUTOGENERATE_PLUGINS,
        "render_item": render_item,
    }


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = get_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_options(make_url(url).get_backend_name()),
    )

    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **configure_options(connection.dialect.name))

    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    configuration = config.get_section(config.config_ini_section, {})
    configuration["sqlalchemy.url"] = get_url()
    connectable = async_engine_from_config(
        configuration,
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)

    await connectable.dispose()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode."""

    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
# endregion
