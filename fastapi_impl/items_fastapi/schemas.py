"""Validation: Pydantic v2 models for the bodies, the query string and the answers.

Pydantic's lax mode coerces (``"12.5"`` and ``true`` are floats, ``"3"`` is an int) and a model
ignores unknown fields. The contract is JSON Schema's strictness, so every field below is strict on
its own (not ``strict=True`` on the model: FastAPI hands Pydantic already-parsed Python objects, and
JSON Schema's integer takes ``3.0``), and every request body forbids unknown fields.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StrictInt, StrictStr

# region: validation
MAX_PRICE = 1_000_000
MAX_QUANTITY = 1_000_000
MAX_OFFSET = 2**63 - 1  # what every database can store
NO_NUL = r"^[^\u0000]*$"  # written the JSON Schema way, so the document shows it as the spec does
QUERY_INTEGER = re.compile(r"-?[0-9]+")
QUERY_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
#: The smallest power of two no float holds: what an integer field reads for a JSON integer beyond float's range.
FLOAT_OVERFLOW = 2**1024


def integer_literal(literal: str) -> int:
    """The int that ``literal`` (ASCII digits, an optional leading ``-``) names.

    CPython's ``int()`` refuses more than 4,300 digits (``sys.get_int_max_str_digits()``, the fix for
    CVE-2020-10735: converting is quadratic); the limit stays, and a longer literal (leading zeros aside)
    reads as ``FLOAT_OVERFLOW`` with its sign: beyond every bound, so the field says too_large or too_small.
    Raises ``ValueError`` for anything else than digits.
    """
    sign, digits = ("-", literal[1:]) if literal.startswith("-") else ("", literal)
    digits = digits.lstrip("0") or "0"
    if len(digits) > sys.get_int_max_str_digits() > 0 and digits.isdigit():
        return -FLOAT_OVERFLOW if sign else FLOAT_OVERFLOW
    return int(sign + digits)


def integral_float_as_int(value: Any) -> Any:
    # Pydantic default: StrictInt refuses 3.0, which JSON Schema's integer (so the contract) takes, as 3; and
    # 1e400 (json reads it as infinity), an integer in JSON Schema's sense, is int_type: here beyond every bound.
    if isinstance(value, float) and math.isinf(value):
        return FLOAT_OVERFLOW if value > 0 else -FLOAT_OVERFLOW
    return int(value) if isinstance(value, float) and value.is_integer() else value


def int_beyond_float_as_infinity(value: Any) -> Any:
    # Pydantic default: an int no float holds is float_type; contract: out of range, like 1e400 (inf).
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max:
        return math.inf if value > 0 else -math.inf
    return value


def query_integer(value: Any) -> Any:
    # Pydantic default (lax): int()'s rules, so "5_0", "+5", " 5" and "1.0" are 5, 5, 5, 1, and int() refuses
    # 4,301 digits; contract: JSON digits, at any length (integer_literal).
    return integer_literal(value) if isinstance(value, str) and QUERY_INTEGER.fullmatch(value) else value


def query_number(value: Any) -> Any:
    # Pydantic default (lax): float()'s rules, so "nan", "inf", "1_0" and " 1" are floats; contract: JSON numbers.
    # (1e400, and an integer of any length, reads as infinity, which the bounds then refuse: too_large or
    # too_small, as in a body; float() has no digit limit.)
    return float(value) if isinstance(value, str) and QUERY_NUMBER.fullmatch(value) else value


# StrictStr: Pydantic v2's str already refuses numbers; strict says so, and refuses str subclasses too.
Title = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="1 to 200 characters (code points), no NUL character.",
    ),
]
Description = Annotated[
    StrictStr | None,
    Field(max_length=2000, pattern=NO_NUL, description="At most 2000 characters, no NUL character; null when absent."),
]
# Pydantic default (lax): "12.5" and true are floats; strict refuses them and still takes the JSON integer 3.
Price = Annotated[float, Strict(), Field(gt=0, le=MAX_PRICE), BeforeValidator(int_beyond_float_as_infinity)]
# Pydantic default (lax): "3" and true are ints; strict refuses them, and 3.0 is let through as 3 first.
Quantity = Annotated[StrictInt, Field(ge=0, le=MAX_QUANTITY), BeforeValidator(integral_float_as_int)]
Timestamp = Annotated[
    datetime,  # Pydantic writes an aware UTC datetime with "Z"; models.py makes every datetime one.
    Field(
        description="RFC 3339 in UTC with a `Z` suffix.",
        json_schema_extra={"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"},
    ),
]
Sort = Literal["id", "-id", "title", "-title", "price", "-price", "created_at", "-created_at"]
# endregion
# region: auth
MAX_USERNAME = 150
Username = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_USERNAME,
        # Pydantic's default regex engine (Rust's): $ is the end of the text, so "alice\n" does not match.
        pattern=r"^[A-Za-z0-9.@+_-]+$",
        description="1 to 150 of `A-Z a-z 0-9 . @ + _ -` (Django's ASCII username rule), compared exactly.",
    ),
]
Password = Annotated[
    StrictStr,
    Field(
        min_length=8,
        max_length=128,
        pattern=NO_NUL,
        description="8 to 128 characters, no NUL; stored only as a hash.",
    ),
]


# endregion
# region: docs
def without_defaults(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for a model whose None defaults only mean "left out": documents no default."""
    for field in schema["properties"].values():
        field.pop("default", None)


# endregion
# region: validation
class ItemCreate(BaseModel):
    """The body of POST and PUT. Types are strict (JSON Schema 2020-12): `"12.5"` is not a number,
    `3.5` is not an integer, `3.0` is the integer 3. Unknown and read-only fields are refused."""

    model_config = ConfigDict(extra="forbid")  # Pydantic default: unknown fields ignored; contract: unknown_field

    title: Title
    description: Description = None
    price: Price
    quantity: Quantity = 0


# endregion
# region: docs
def document_null_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with ItemCreate's ``None`` defaults written back in (PUT resets to them)."""
    properties = document["components"]["schemas"]["ItemCreate"]["properties"]
    for name, field in ItemCreate.model_fields.items():
        if field.default is None:
            properties[name]["default"] = None  # FastAPI default: a None default is left out of the document
    return document


# endregion
# region: validation
class ItemPatch(BaseModel):
    """The body of PATCH: any subset of the fields of ItemCreate. Only `description` may be null."""

    # Pydantic default: a None default is documented as "default": null, a value these fields refuse.
    model_config = ConfigDict(extra="forbid", json_schema_extra=without_defaults)

    # None marks a field left out (routes read model_dump(exclude_unset=True)); a null sent is still a 422.
    title: Title = None
    description: Description = None
    price: Price = None
    quantity: Quantity = None


# endregion
# region: auth
def username_of(owner: Any) -> Any:
    # DRF's tutorial: owner = ReadOnlyField(source="owner.username"); Pydantic reads item.owner, a User or None.
    return getattr(owner, "username", owner)


#: The creator's username, null for an item that predates accounts. Read-only: the request bodies forbid it.
OwnerName = Annotated[
    str | None,
    BeforeValidator(username_of),
    Field(description="The username of the user who created the item; null for an item that predates accounts."),
]


# endregion
# region: validation
class ItemPublic(BaseModel):
    """An item as the API answers with it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: Annotated[int, Field(ge=1)]
    title: Title
    description: Description
    price: Price
    quantity: Quantity
    owner: OwnerName
    created_at: Timestamp
    updated_at: Timestamp


class ItemPage(BaseModel):
    """One page of items: the contract's envelope, where FastAPI has no pagination of its own."""

    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[ItemPublic], Field(max_length=100)]
    total: Annotated[int, Field(ge=0, description="Every item that matches the filters, on any page.")]
    limit: Annotated[int, Field(ge=1, le=100)]
    offset: Annotated[int, Field(ge=0)]


# A query value is text: these parse it as JSON would, then hold the result to the strict type.
# The bounds go before the parser: Pydantic default, bounds after a BeforeValidator are documented as
# "ge"/"le", words JSON Schema does not know; before it, as "minimum"/"maximum".
def query_integer_within(**bounds: Any) -> Any:
    return Annotated[StrictInt, Field(**bounds), BeforeValidator(query_integer)]


def query_number_within(**bounds: Any) -> Any:
    return Annotated[float, Strict(), Field(**bounds), BeforeValidator(query_number)]


class ItemQuery(BaseModel):
    """The query string of GET /items. Numbers are written as JSON writes them, in ASCII."""

    limit: query_integer_within(ge=1, le=100, description="Page size.") = 20
    offset: query_integer_within(
        ge=0, le=MAX_OFFSET, description="Items to skip; at most 2^63 - 1, what every database can store."
    ) = 0
    sort: Annotated[
        Sort,
        Field(
            description="Sort key, `-` for descending; ties are broken by `id` ascending. "
            "Titles sort by code point on every database."
        ),
    ] = "id"
    q: Annotated[
        str,
        Field(
            max_length=200,
            pattern=NO_NUL,
            description="Keeps items whose title contains this text; ASCII letters match regardless of case.",
        ),
    ] = None
    min_price: query_number_within(
        ge=0,
        le=MAX_PRICE,
        description="Keeps items with `price >= min_price`; the same range as a price, 0 allowed.",
    ) = None
    max_price: query_number_within(
        ge=0,
        le=MAX_PRICE,
        description="Keeps items with `price <= max_price`; the same range as a price, 0 allowed.",
    ) = None
    owner: Annotated[
        str,
        Field(
            max_length=MAX_USERNAME,
            pattern=NO_NUL,
            description="Keeps items whose owner has exactly this username (case and all); a name no user has "
            "matches nothing.",
        ),
    ] = None


# endregion
# region: auth
class UserCreate(BaseModel):
    """The body of POST /users: a username and a password, nothing else."""

    model_config = ConfigDict(extra="forbid")  # Pydantic default: unknown fields ignored; contract: unknown_field

    username: Username
    password: Password


class UserPublic(BaseModel):
    """A user as the API answers with it: never the password, nor its hash."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: Annotated[int, Field(ge=1)]
    username: Username


class TokenRequest(BaseModel):
    """The form of POST /token (RFC 6749 §4.3.2), as documented; auth.token_request reads it (RFC 6749 errors)."""

    grant_type: Literal["password"]
    username: str
    password: str


class Token(BaseModel):
    """RFC 6749 §5.1's successful answer (no refresh token, no scope)."""

    model_config = ConfigDict(extra="forbid")

    access_token: Annotated[str, Field(min_length=1, description="Opaque to clients.")]
    token_type: Literal["Bearer"]
    expires_in: Annotated[
        int, Field(ge=1, description="Seconds the token is valid for (the server's `TOKEN_TTL_SECONDS`).")
    ]


# endregion
