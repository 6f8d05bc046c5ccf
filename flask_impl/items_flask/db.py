"""The database, flaskr-style: one engine per app, one session per request, and ``flask init-db``.

flaskr keeps a sqlite3 connection in ``g``; here it is a SQLAlchemy 2.0 ``Session`` on the app's engine.
"""

from __future__ import annotations

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import Session

from .config import sqlalchemy_url
from .models import Base


# region: model
def get_engine() -> Engine:
    return current_app.extensions["items_db"]


def get_session() -> Session:
    """This request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine())
    return g.db_session


def close_session(exception: BaseException | None = None) -> None:
    """Close the request's session: whatever was not committed is rolled back, never half-written."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_db() -> None:
    """Create the tables that do not exist yet; existing tables and rows are kept."""
    Base.metadata.create_all(get_engine())


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the tables that do not exist yet (idempotent)."""
    init_db()
    click.echo("Initialized the database.")


def make_engine(database_url: str, connect_timeout: int) -> Engine:
    """The app's engine for a plain database URL (``config.sqlalchemy_url``); ``connect_timeout`` in seconds.

    While the database cannot be reached, every checkout raises ``OperationalError`` within about
    ``connect_timeout`` seconds (problems.py answers 503), and the pool serves again once it is back.
    """
    url = make_url(sqlalchemy_url(database_url))
    # psycopg default: connect_timeout 130 s (what libpq waits for a silent host), so a request hangs;
    # contract: 503 within a few seconds. (SQLite opens a file: nothing to wait for.)
    connect_args = {"connect_timeout": connect_timeout} if url.get_backend_name() == "postgresql" else {}
    # SQLAlchemy default: a pooled connection the server or the network closed is handed out as it is, and the
    # request fails (a 500); contract: pool_pre_ping tests it at checkout and replaces it (SQLAlchemy's pooling docs).
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def init_app(app: Flask) -> None:
    app.extensions["items_db"] = make_engine(app.config["DATABASE_URL"], app.config["DATABASE_CONNECT_TIMEOUT"])
    app.teardown_appcontext(close_session)
    app.cli.add_command(init_db_command)


# endregion
