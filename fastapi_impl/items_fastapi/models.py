"""Persistence: the ``users`` and ``items`` tables as SQLAlchemy 2.0 typed declarative models.

Also the pieces of SQL that must mean the same on SQLite and PostgreSQL: title order by code point,
a substring match that folds the ASCII letters only, and "no NUL character". The table itself is
made and changed by the migrations (migrations/versions/), which must agree with this module:
``alembic check`` (tests/test_migrations.py).
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    column,
    event,
    false,
    func,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, object_session, relationship
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

# region: model
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def utc_now() -> datetime:
    return datetime.now(UTC)


def later_than(previous: datetime) -> datetime:
    """Now, or a microsecond past ``previous`` if the clock has not passed it (a coarse clock, or one set back)."""
    return max(utc_now(), previous + timedelta(microseconds=1))


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, written and read back in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite default: a naive datetime back, even for DateTime(timezone=True); contract: UTC, so "Z".
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ascii_lower(GenericFunction[str]):
    """``lower()`` for A-Z alone, whatever the database."""

    type = String()
    inherit_cache = True


@compiles(ascii_lower, "sqlite")
def _sqlite_ascii_lower(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.lower(*element.clauses), **kw)  # SQLite's lower() folds ASCII only


@compiles(ascii_lower, "postgresql")
def _postgresql_ascii_lower(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL default: lower() and ILIKE fold É to é as well; contract: A-Z only.
    folded = func.translate(*element.clauses, string.ascii_uppercase, string.ascii_lowercase)
    return compiler.process(folded, **kw)


class no_nul(GenericFunction[bool]):
    """True when a text holds no NUL character (U+0000); NULL for NULL, as a CHECK constraint wants it."""

    type = Boolean()
    inherit_cache = True


@compiles(no_nul, "sqlite")
def _sqlite_no_nul(element: no_nul, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's text functions (length(), instr()) stop at the first NUL; the UTF-8 bytes hold a 0 for NUL alone.
    return f"instr(CAST({compiler.process(element.clauses, **kw)} AS BLOB), X'00') = 0"


@compiles(no_nul, "postgresql")
def _postgresql_no_nul(element: no_nul, compiler: SQLCompiler, **kw: Any) -> str:
    return "true"  # PostgreSQL's text cannot hold a NUL at all: the type refuses it, so nothing is left to check


# endregion
# region: auth
class username_characters(GenericFunction[bool]):
    """True when a text holds only ``A-Z a-z 0-9 . @ + _ -`` (the username rule, schemas.py); NULL for NULL."""

    type = Boolean()
    inherit_cache = True


@compiles(username_characters, "sqlite")
def _sqlite_username_characters(element: username_characters, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} NOT GLOB '*[^-A-Za-z0-9.@+_]*'"  # GLOB compares code points


@compiles(username_characters, "postgresql")
def _postgresql_username_characters(element: username_characters, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} ~ '^[-A-Za-z0-9.@+_]*$'"  # ranges by code point, any locale


# endregion
# region: model
class Base(DeclarativeBase):
    # Every constraint named, but the primary key: it keeps the name revision 1 found (items_pkey on PostgreSQL).
    # SQLAlchemy default: no naming convention (unnamed, or the database's name); here: names a migration can use.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )


# endregion
# region: auth
class User(Base):
    """An account: ``username`` unique, compared exactly (``Alice`` is not ``alice``); the password as a hash only."""

    __tablename__ = "users"
    __table_args__ = (
        # The username rule the API enforces (schemas.py), kept by the database too, like the items' bounds.
        CheckConstraint("length(username) BETWEEN 1 AND 150", name="username_length"),
        CheckConstraint(username_characters(column("username")), name="username_characters"),
        # SQLite default: a deleted highest id is handed out again, and the tokens of the user who had it with it
        # (a token names its user by id); here: never (AUTOINCREMENT). PostgreSQL's sequence never does.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    # Unique (uq_users_username): a taken name is a 409, even for two sign-ups at the same instant.
    username: Mapped[str] = mapped_column(String(150), unique=True)
    #: pwdlib's PHC string (``$argon2id$v=19$m=...``); never in an answer or a log line.
    hashed_password: Mapped[str] = mapped_column(String(255))
    #: May log into the admin (admin.py); set by ``python -m items_fastapi.cli create-admin``, never by the API.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __str__(self) -> str:  # Python default: <User object at 0x...>, which the admin shows for an item's owner
        return self.username


# endregion
# region: model
class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        # The bounds the API enforces (schemas.py), kept by the database too: nothing that reaches it by another
        # path (an admin form, a script) stores what the API refuses. Named ck_items_<name> by the convention.
        CheckConstraint("price > 0 AND price <= 1000000", name="price_range"),
        CheckConstraint("quantity >= 0 AND quantity <= 1000000", name="quantity_range"),
        CheckConstraint("length(title) BETWEEN 1 AND 200", name="title_length"),  # characters, on both databases
        CheckConstraint("length(description) <= 2000", name="description_length"),
        CheckConstraint(no_nul(column("title")), name="title_no_nul"),
        CheckConstraint(no_nul(column("description")), name="description_no_nul"),
        # SQLite default: a deleted highest id is handed out again; contract: never (AUTOINCREMENT, like a sequence).
        {"sqlite_autoincrement": True},
    )

    # SQLite autoincrements only an INTEGER PRIMARY KEY (64-bit there anyway); PostgreSQL gets BIGINT.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    # Its index (like every sort key's, index=True) takes the column's collation, so it serves ORDER BY title.
    # PostgreSQL default: the database locale's collation; contract: code point order ("C", SQLite's BINARY).
    title: Mapped[str] = mapped_column(String(200).with_variant(String(200, collation="C"), "postgresql"), index=True)
    description: Mapped[str | None] = mapped_column(String(2000))
    price: Mapped[float] = mapped_column(Double(), index=True)
    quantity: Mapped[int] = mapped_column(Integer())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # endregion
    # region: auth
    # The creator; NULL for the items that predate accounts (migration 3 leaves them so). Indexed: ?owner=.
    owner_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("users.id"), index=True
    )
    # SQLAlchemy default: lazy="select", a query when item.owner is first read, which asyncio cannot do
    # implicitly; here: the owner joined into every SELECT of items (one LEFT OUTER JOIN, no extra round trip).
    owner: Mapped[User | None] = relationship(lazy="joined")

    def owned_by(self, user: User) -> bool:
        """Whether ``user`` created this item; an item with no owner (it predates accounts) is nobody's."""
        return self.owner_id is not None and self.owner_id == user.id

    # endregion
    # region: model

    @classmethod
    def new(cls, **fields: Any) -> Item:
        """An item created now: ``created_at`` and ``updated_at`` are the same instant."""
        now = utc_now()
        return cls(**fields, created_at=now, updated_at=now)

    def change(self, **fields: Any) -> None:
        """Set the fields given; the flush moves ``updated_at`` if a stored value changed (``stamp_change``)."""
        for name, value in fields.items():
            setattr(self, name, value)

    @classmethod
    def title_contains(cls, text: str) -> ColumnElement[bool]:
        """``text`` is in the title, taken literally (``%`` and ``_`` too), A-Z matching a-z."""
        return ascii_lower(cls.title).contains(text.translate(ASCII_LOWER), autoescape=True)


@event.listens_for(Item, "before_update")
def stamp_change(mapper: Mapper[Item], connection: Connection, item: Item) -> None:
    """``updated_at`` strictly later when a flush writes a changed stored value, from the API or the admin.

    SQLAlchemy calls this for every item marked dirty, one whose fields were only set to the values they had
    included (a PUT of the item's own values); ``Session.is_modified`` compares with the values loaded (the
    attribute history: ``5`` over ``5.0`` is no change), so such an item keeps its ``updated_at``.
    """
    if object_session(item).is_modified(item, include_collections=False):
        item.updated_at = later_than(item.updated_at)


# endregion
