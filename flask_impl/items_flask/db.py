"""The database, the way Flask-SQLAlchemy's and Flask-Migrate's docs wire it into an application factory.

``db`` gives every model its ``db.Model`` base and every request its ``db.session`` (removed when the app
context ends, so whatever was not committed is rolled back, never half-written). ``migrate`` adds the
``flask db`` commands; the tables are created only by the revisions in ``migrations/``
(``flask --app items_flask.app db upgrade``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, event, make_url
from sqlalchemy.orm import DeclarativeBase


# region: model
class Base(DeclarativeBase):
    # SQLAlchemy default: constraints and indexes without a name (the database names them); here: named, so that
    # a migration can drop them by name. No "pk" key: PostgreSQL's own items_pkey stays as revision 1 made it.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )


# SQLAlchemy default: expire_on_commit=True, so the answer to a write, read after its commit, loads the row again
# (one more SELECT per POST, PUT, PATCH: 18% of a POST's time in the profile); every value it shows was just written.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


def engine_options(uri: str, connect_timeout: int) -> dict[str, Any]:
    """``SQLALCHEMY_ENGINE_OPTIONS`` for the database at ``uri``; ``connect_timeout`` in seconds.

    While the database cannot be reached, every checkout raises ``OperationalError`` within about
    ``connect_timeout`` seconds (problems.py answers 503), and the pool serves again once it is back.
    """
    # psycopg default: connect_timeout 130 s (what libpq waits for a silent host), so a request hangs;
    # contract: 503 within a few seconds. (SQLite opens a file: nothing to wait for.)
    postgresql = make_url(uri).get_backend_name() == "postgresql"
    connect_args = {"connect_timeout": connect_timeout} if postgresql else {}
    # SQLAlchemy default: a pooled connection the server or the network closed is handed out as it is, and the
    # request fails (a 500); contract: pool_pre_ping tests it at checkout and replaces it (SQLAlchemy's pooling docs).
    # SQLAlchemy default: an error's text quotes the statement's parameters, and Flask logs it with a 500; contract:
    # no password hash in any log line (hide_parameters).
    return {"pool_pre_ping": True, "hide_parameters": True, "connect_args": connect_args}


@event.listens_for(Engine, "connect")
def configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """Every new SQLite connection enforces FOREIGN KEY clauses and writes ahead (SQLAlchemy's SQLite docs,
    "Foreign Key Support"; SQLite's "Write-Ahead Logging" page)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        # SQLite default: foreign keys parsed and never enforced (items.owner_id's ON DELETE CASCADE would do
        # nothing); here: enforced, as on PostgreSQL.
        cursor.execute("PRAGMA foreign_keys = ON")
        # SQLite default: a rollback journal (a writer blocks the readers of the other worker) synced at every
        # commit; WAL: reads go on beside the one writer; synchronous NORMAL: synced at checkpoints, still durable
        # against a crash of the application (SQLite's "Write-Ahead Logging" and "PRAGMA synchronous" pages).
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


# endregion
# region: migrations
# Flask-Migrate's defaults as its docs show them: migrations/ in the working directory, compare_type and
# render_as_batch on (SQLite alters a table by copying it; PostgreSQL gets plain ALTER TABLE).
migrate = Migrate()
# endregion
