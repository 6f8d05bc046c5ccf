"""Persistence: the ``items`` and ``users`` tables, and the SQL that must mean the same on SQLite and PostgreSQL.

The models declare every column, CHECK constraint and index that ``migrations/`` creates;
``flask db check`` (tests/test_migrations.py) fails when the two disagree.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    false,
    func,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from .db import db

# region: model
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored and read back in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        # SQLAlchemy on SQLite default: naive datetimes back, even for DateTime(timezone=True); contract: UTC.
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ascii_lower(FunctionElement[str]):
    """``lower()`` for the letters A-Z only, on every database."""

    type = String()
    inherit_cache = True


@compiles(ascii_lower)
def _lower(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # SQLite's built-in lower() folds ASCII letters only.
    return compiler.process(func.lower(*element.clauses), **kw)


@compiles(ascii_lower, "postgresql")
def _translate_ascii(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # PostgreSQL default: lower() and ILIKE also fold É to é; contract: A-Z only, so translate().
    return compiler.process(func.translate(*element.clauses, string.ascii_uppercase, string.ascii_lowercase), **kw)


#: SQLite only autoincrements an INTEGER PRIMARY KEY (its INTEGER is 64-bit anyway); PostgreSQL gets a bigint.
ID = BigInteger().with_variant(Integer, "sqlite")


# endregion
# region: auth
class User(db.Model, UserMixin):
    """An account: Flask-Login's ``UserMixin`` (``is_authenticated``, ``get_id``) over the ``users`` table.

    Only a hash of the password is stored: Werkzeug's ``generate_password_hash`` (its default method, scrypt,
    with a random salt), checked by ``check_password_hash`` in constant time.
    """

    __tablename__ = "users"  # Flask-SQLAlchemy default: "user", a reserved word in PostgreSQL
    __table_args__ = (
        # The API's username rule (schemas.USERNAME_PATTERN), so no other path into the database stores another.
        CheckConstraint("length(username) BETWEEN 1 AND 150", name="username_length"),
        CheckConstraint("username NOT GLOB '*[^A-Za-z0-9.@+_-]*'", name="username_characters").ddl_if(dialect="sqlite"),
        CheckConstraint("username ~ '^[A-Za-z0-9.@+_-]+$'", name="username_characters").ddl_if(dialect="postgresql"),
        # SQLite default: a deleted highest id is handed out again (and a token naming it would name a new user).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    # Compared exactly (Alice is not alice): SQLite's BINARY and PostgreSQL's equality are both exact.
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # "scrypt:32768:8:1$<salt>$<hex>": 162 characters
    # May log into the admin (admin.py); only `flask create-admin` and the admin set it, never the API (revision 4).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


# endregion
# region: model
class Item(db.Model):
    __tablename__ = "items"  # Flask-SQLAlchemy default: "item", from the class name
    __table_args__ = (
        # The API's bounds (schemas.py, from the spec), so that no other path into the database stores what the
        # API refuses. Named ck_items_<name> by the naming convention in db.py; revision 2 creates them.
        CheckConstraint("price > 0 AND price <= 1000000", name="price_range"),
        CheckConstraint("quantity >= 0 AND quantity <= 1000000", name="quantity_range"),
        CheckConstraint("length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint("length(description) <= 2000", name="description_length"),
        # PostgreSQL's text cannot hold NUL at all. SQLite's can, and its length() and instr() stop at the first
        # NUL of a text, so the byte test runs on the text's bytes (as a BLOB).
        CheckConstraint("instr(CAST(title AS BLOB), X'00') = 0", name="title_no_nul").ddl_if(dialect="sqlite"),
        CheckConstraint("instr(CAST(description AS BLOB), X'00') = 0", name="description_no_nul").ddl_if(
            dialect="sqlite"
        ),
        # SQLite default: a deleted highest id is handed out again; contract: never (PostgreSQL's sequences agree).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    # Indexed: the sort keys (views.SORT_COLUMNS). On PostgreSQL the title index takes the column's "C" collation.
    # PostgreSQL default: the database locale's collation; contract: code point order ("C", SQLite's BINARY).
    title: Mapped[str] = mapped_column(String(200).with_variant(String(200, collation="C"), "postgresql"), index=True)
    description: Mapped[str | None] = mapped_column(String(2000))
    price: Mapped[float] = mapped_column(Double, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # endregion
    # region: auth
    # Null for the items that predate accounts (revision 3 adds the column). Deleting a user deletes their items,
    # as the DRF tutorial's owner and FastAPI's full-stack template do (ON DELETE CASCADE).
    owner_id: Mapped[int | None] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SQLAlchemy default: lazy="select", one more query per item of a page; here: joined to the item's own SELECT.
    owner: Mapped[User | None] = relationship(lazy="joined")

    @property
    def owner_username(self) -> str | None:
        """What the API shows as ``owner``: the owner's username, or None for an item that predates accounts."""
        return None if self.owner is None else self.owner.username

    # endregion
    # region: model
    @classmethod
    def create(cls, fields: Mapping[str, Any], owner: User) -> Item:
        """A new item of ``owner``'s whose ``created_at`` and ``updated_at`` are the same instant."""
        now = utcnow()
        return cls(**fields, owner=owner, created_at=now, updated_at=now)

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Set the fields given; a changed stored value moves ``updated_at`` strictly later, none leaves it.

        ``Session.is_modified`` compares each field with the value loaded (SQLAlchemy's attribute history), so a
        field set to the value it had (``5`` over ``5.0`` too: a PUT of the item's own values) is no change.
        """
        for name, value in changes.items():
            setattr(self, name, value)
        self.stamp_change()

    def stamp_change(self) -> None:
        """If a stored value changed, ``updated_at`` to now, or a microsecond past it if the clock has not passed
        it (coarse, or set back); the API's ``apply`` and the admin's edits both end here."""
        if db.session.is_modified(self):
            self.updated_at = max(utcnow(), self.updated_at + timedelta(microseconds=1))

    @classmethod
    def title_contains(cls, text: str) -> ColumnElement[bool]:
        """``text`` appears in the title, literally (no LIKE wildcards), ASCII letters in any case."""
        return ascii_lower(cls.title).contains(text.translate(ASCII_LOWER), autoescape=True)


# endregion
