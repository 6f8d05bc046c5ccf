"""Validation: marshmallow schemas, as strict as JSON Schema, and the words of every error they report.

marshmallow's fields coerce: ``Float`` takes ``"12.5"``, ``Integer`` takes ``"3"`` and truncates
``3.5`` to 3. The strict fields below refuse what JSON Schema refuses, and accept what it accepts
(``3.0`` is the integer 3). The same schemas feed flask-smorest's OpenAPI document.
"""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

# region: validation
# marshmallow reports a message and never a code, so each message below is written for exactly one
# contract error code, and problems.py reads the code back from it (problems.ERROR_CODES).
MISSING = "Missing data for required field."
NULL = "Field may not be null."
UNKNOWN_FIELD = "Unknown field."
NOT_A_STRING = "Not a valid string."
NOT_A_NUMBER = "Not a valid number."
NOT_AN_INTEGER = "Not a valid integer."
TOO_SHORT = "Shorter than minimum length {min}."
TOO_LONG = "Longer than maximum length {max}."
NOT_ABOVE = "Must be greater than {min}."
BELOW = "Must be greater than or equal to {min}."
ABOVE = "Must be less than or equal to {max}."
HAS_NUL = "Must not contain the NUL character."
NOT_A_CHOICE = "Must be one of: {choices}."
NOT_A_USERNAME = "Only letters, digits and . @ + _ - are allowed."

MAX_PRICE = 1_000_000
MAX_QUANTITY = 1_000_000
MAX_OFFSET = 2**63 - 1  # what every database can store
SORTS = ("id", "-id", "title", "-title", "price", "-price", "created_at", "-created_at")
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"
USERNAME_PATTERN = r"^[A-Za-z0-9.@+_-]+$"  # Django's ASCII username rule

# Written the JSON Schema way so the document shows it as is; Python's re reads \u0000 too.
NO_NUL = validate.Regexp(r"^[^\u0000]*$", error=HAS_NUL)
FIELD_MESSAGES = {"required": MISSING, "null": NULL}


def integer(literal: str) -> int | float:
    """The value of an integer literal (``-?[0-9]+``, as JSON writes integers) of any length.

    CPython's ``int()`` refuses more than ``sys.get_int_max_str_digits()`` digits (4,300: the fix for
    CVE-2020-10735, quadratic parsing), and that limit stays. A literal that long is beyond every bound
    here, so it reads as the float it rounds to, ``inf`` or ``-inf``, as ``1e400`` does: the Range
    validators then say too_large or too_small. Returns an ``int`` otherwise.
    """
    try:
        return int(literal)
    except ValueError:
        return float(literal)  # float() has no digit limit and overflows to +-inf


class StrictString(fields.String):
    """A JSON string: marshmallow's String already refuses numbers; only the messages are ours."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": NOT_A_STRING}


class StrictNumber(fields.Float):
    """A JSON number, int or float; never a string, never a bool."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": NOT_A_NUMBER}

    def _validated(self, value: Any) -> float:
        # marshmallow default: Float takes the string "12.5"; contract: wrong_type. NaN (value != value) is no number.
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise self.make_error("invalid")
        # 1e400 and an integer literal past CPython's digit limit (``integer()``) read as infinity, and an int is
        # never converted (float() would overflow): the Range validators compare, too_large or too_small.
        return value


class StrictInteger(fields.Integer):
    """A JSON integer, 3.0 included (JSON Schema's integer is a number with no fraction)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": NOT_AN_INTEGER}

    def _validated(self, value: Any) -> int | float:
        # marshmallow default: Integer takes "3" and truncates 3.5 to 3; contract: both wrong_type.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        # marshmallow default: int(inf) overflows, "Number too large." for -inf too; contract: 1e400 (and a literal past
        # CPython's digit limit, ``integer()``) is an integer beyond every bound: the Range validators say which side.
        if isinstance(value, float) and math.isinf(value):
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class QueryInteger(fields.Integer):
    """An integer in a query string, written as JSON writes it: ASCII digits, maybe after a minus."""

    default_error_messages = {"invalid": NOT_AN_INTEGER}
    pattern = re.compile(r"-?[0-9]+")

    def _validated(self, value: Any) -> int | float:
        # marshmallow default: int(), which takes "5_0", "+5", " 5" and non-ASCII digits; contract: wrong_type.
        if not (isinstance(value, str) and self.pattern.fullmatch(value)):
            raise self.make_error("invalid")
        # int() default: ValueError past 4,300 digits (a 500); contract: too_large / too_small, as in a body.
        return integer(value)


class QueryNumber(fields.Float):
    """A number in a query string, written as JSON writes it (``12.5``, ``1e3``)."""

    default_error_messages = {"invalid": NOT_A_NUMBER}
    pattern = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")

    def _validated(self, value: Any) -> float:
        # marshmallow default: float(), which takes "nan", "inf", "1_0" and " 1"; contract: wrong_type.
        if not (isinstance(value, str) and self.pattern.fullmatch(value)):
            raise self.make_error("invalid")
        # 1e400 parses as infinity: left to the Range validators, it is too large, as in a body.
        return float(value)


class UTCDateTime(fields.DateTime):
    """RFC 3339 in UTC with a ``Z`` suffix, from the UTC datetimes models.py reads back."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        # marshmallow default: isoformat, "+00:00"; contract: "Z".
        return None if value is None else value.isoformat().replace("+00:00", "Z")


# One definition per property, shared by the request and the response schemas.
def title_field(**options: Any) -> fields.Field:
    return StrictString(
        validate=[validate.Length(min=1, error=TOO_SHORT), validate.Length(max=200, error=TOO_LONG), NO_NUL],
        metadata={"description": "1 to 200 characters (code points), no NUL character."},
        **options,
    )


def description_field(**options: Any) -> fields.Field:
    return StrictString(
        allow_none=True,
        validate=[validate.Length(max=2000, error=TOO_LONG), NO_NUL],
        metadata={"description": "At most 2000 characters, no NUL character; null when absent."},
        **options,
    )


def price_field(**options: Any) -> fields.Field:
    return StrictNumber(
        validate=[
            validate.Range(min=0, min_inclusive=False, error=NOT_ABOVE),
            validate.Range(max=MAX_PRICE, error=ABOVE),
        ],
        **options,
    )


def quantity_field(**options: Any) -> fields.Field:
    return StrictInteger(
        validate=[validate.Range(min=0, error=BELOW), validate.Range(max=MAX_QUANTITY, error=ABOVE)],
        **options,
    )


def timestamp_field() -> fields.Field:
    return UTCDateTime(
        required=True,
        metadata={"description": "RFC 3339 in UTC with a `Z` suffix.", "pattern": TIMESTAMP_PATTERN},
    )


class StrictSchema(Schema):
    """Refuses unknown fields, read-only ones (``id``, ``created_at``) included."""

    error_messages = {"unknown": UNKNOWN_FIELD}

    class Meta:
        unknown = RAISE  # marshmallow's default too, stated: webargs passes EXCLUDE for query strings


class ItemPatch(StrictSchema):
    """The body of PATCH: any subset of the fields of ItemCreate. Only `description` may be null."""

    title = title_field()
    description = description_field()
    price = price_field()
    quantity = quantity_field()


class ItemCreate(StrictSchema):
    """The body of POST and PUT: optional fields left out take their defaults."""

    title = title_field(required=True)
    description = description_field(load_default=None)
    price = price_field(required=True)
    quantity = quantity_field(load_default=0)


class Item(StrictSchema):
    id = StrictInteger(required=True, validate=validate.Range(min=1))
    title = title_field(required=True)
    description = description_field(required=True)
    price = price_field(required=True)
    quantity = quantity_field(required=True)
    # Read-only: no request schema has it, so in a body it is an unknown field.
    owner = StrictString(
        attribute="owner_username",
        required=True,
        allow_none=True,
        metadata={"description": "The username of the user who created the item; null for one that predates accounts."},
    )
    created_at = timestamp_field()
    updated_at = timestamp_field()


class ItemPage(StrictSchema):
    items = fields.List(fields.Nested(Item), required=True, validate=validate.Length(max=100))
    total = StrictInteger(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "Every item that matches the filters, on any page."},
    )
    limit = StrictInteger(required=True, validate=[validate.Range(min=1), validate.Range(max=100)])
    offset = StrictInteger(required=True, validate=validate.Range(min=0))


class ItemQueryArgs(Schema):
    """GET /items query parameters. Query values are strings, so these fields parse "3" and "2.5"."""

    @pre_load
    def last_value_of_each(self, query: Any, **kwargs: Any) -> dict[str, str]:
        # webargs default: a repeated parameter counts by its first value; contract: by its last.
        return {name: query.getlist(name)[-1] for name in query}

    limit = QueryInteger(
        load_default=20,
        validate=[validate.Range(min=1, error=BELOW), validate.Range(max=100, error=ABOVE)],
        metadata={"description": "Page size."},
    )
    offset = QueryInteger(
        load_default=0,
        validate=[validate.Range(min=0, error=BELOW), validate.Range(max=MAX_OFFSET, error=ABOVE)],
        metadata={"description": "Items to skip; at most 2^63 - 1, what every database can store."},
    )
    sort = fields.String(
        load_default="id",
        validate=validate.OneOf(SORTS, error=NOT_A_CHOICE),
        metadata={"description": "Sort key, `-` for descending; ties are broken by `id` ascending."},
    )
    q = fields.String(
        validate=[validate.Length(max=200, error=TOO_LONG), NO_NUL],
        metadata={"description": "Keeps items whose title contains this text; ASCII letters match regardless of case."},
    )
    min_price = QueryNumber(
        validate=[validate.Range(min=0, error=BELOW), validate.Range(max=MAX_PRICE, error=ABOVE)],
        metadata={"description": "Keeps items with `price >= min_price`."},
    )
    max_price = QueryNumber(
        validate=[validate.Range(min=0, error=BELOW), validate.Range(max=MAX_PRICE, error=ABOVE)],
        metadata={"description": "Keeps items with `price <= max_price`."},
    )
    owner = fields.String(
        validate=[validate.Length(max=150, error=TOO_LONG), NO_NUL],
        metadata={"description": "Keeps items whose owner has exactly this username (case and all)."},
    )


# endregion
# region: auth
class FullMatch(validate.Regexp):
    """``Regexp`` on the whole value; the OpenAPI document shows its pattern as written."""

    def __call__(self, value: str) -> str:
        # marshmallow default: re.match, whose $ also matches before a final newline ("alice\n"); here: fullmatch.
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def username_field(**options: Any) -> fields.Field:
    return StrictString(
        validate=[
            validate.Length(min=1, error=TOO_SHORT),
            validate.Length(max=150, error=TOO_LONG),
            FullMatch(USERNAME_PATTERN, error=NOT_A_USERNAME),
        ],
        metadata={"description": "1 to 150 of `A-Z a-z 0-9 . @ + _ -`, compared exactly."},
        **options,
    )


class UserCreate(StrictSchema):
    """The body of POST /users."""

    username = username_field(required=True)
    password = StrictString(
        required=True,
        validate=[validate.Length(min=8, error=TOO_SHORT), validate.Length(max=128, error=TOO_LONG), NO_NUL],
        metadata={"description": "8 to 128 characters, no NUL; stored only as a hash."},
    )


class User(StrictSchema):
    id = StrictInteger(required=True, validate=validate.Range(min=1))
    username = username_field(required=True)


class TokenRequest(Schema):
    """The form of POST /token (RFC 6749 §4.3.2); documentation only: auth.password_grant reads the form."""

    class Meta:
        unknown = EXCLUDE  # documents no additionalProperties: other parameters are ignored (RFC 6749 §3.2)

    grant_type = fields.String(required=True, validate=validate.Equal("password"))
    username = fields.String(required=True)
    password = fields.String(required=True)


class Token(StrictSchema):
    """RFC 6749 §5.1's successful answer; ``expires_in`` in seconds."""

    access_token = StrictString(required=True, validate=validate.Length(min=1), metadata={"description": "Opaque."})
    token_type = StrictString(required=True, validate=validate.Equal("Bearer"))
    expires_in = StrictInteger(required=True, validate=validate.Range(min=1))


# endregion
# region: docs
def exclusive_range2properties(self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: a bound a Range validator excludes is ``exclusiveMinimum``/``exclusiveMaximum``.

    apispec writes every Range bound as ``minimum``/``maximum``, inclusive or not.
    """
    extra: dict[str, Any] = {}
    for validator in field.validators:
        if not isinstance(validator, validate.Range):
            continue
        if validator.min is not None and not validator.min_inclusive:
            ret.pop("minimum", None)
            extra["exclusiveMinimum"] = field._serialize(validator.min, None, None)
        if validator.max is not None and not validator.max_inclusive:
            ret.pop("maximum", None)
            extra["exclusiveMaximum"] = field._serialize(validator.max, None, None)
    return extra


# endregion
