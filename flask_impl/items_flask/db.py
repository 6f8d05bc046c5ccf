"""The database, flaskr-style: one engine per app, one session per request, and ``flask init-db``.

flaskr keeps a sqlite3 connection in ``g``; here it is a SQLAlchemy 2.0 ``Session`` on the app's engine.
"""

from __future__ import annotations

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import Engine, create_engine
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


def init_app(app: Flask) -> None:
    app.extensions["items_db"] = create_engine(sqlalchemy_url(app.config["DATABASE_URL"]))
    app.teardown_appcontext(close_session)
    app.cli.add_command(init_db_command)


# endregion
