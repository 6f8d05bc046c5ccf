"""Validation: the ``Item`` serializer, as strict as JSON Schema, and the query of ``GET /items``.

DRF's fields coerce: ``FloatField`` takes ``"12.5"`` and even ``false``, ``IntegerField`` takes
``"3"``, ``CharField`` takes ``12345``. The strict fields below refuse what JSON Schema refuses and
accept what it accepts (``3.0`` is the integer 3); ``ItemSerializer`` maps the model's fields onto
them. Every error keeps DRF's own code, which problems.py maps onto the contract's closed list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from .models import MAX_PRICE, GreaterThanValidator, Item
from .parsers import json_integer

# region: validation
MAX_OFFSET = 2**63 - 1  # what every database can store
SORTS = ["id", "-id", "title", "-title", "price", "-price", "created_at", "-created_at"]
NO_NUL = r"^[^\u0000]*$"  # DRF's CharField refuses NUL (ProhibitNullCharactersValidator); the spec says so thus
TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"
USERNAME_LENGTH = 150  # django.contrib.auth's User.username
USERNAME_PATTERN = "^[A-Za-z0-9.@+_-]+$"  # ASCIIUsernameValidator's ^[\w.@+-]+\Z (\w in ASCII), for JSON Schema


class StrictCharField(serializers.CharField):
    """A JSON string, kept as sent."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)  # DRF default: strips surrounding whitespace; contract: as sent
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):  # DRF default: CharField takes 12345 as "12345"; contract: wrong_type
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    """A JSON number, int or float; never a string, never a bool."""

    def to_internal_value(self, data: Any) -> float:
        # DRF default: FloatField takes "12.5" and false; contract: wrong_type.
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        # DRF default: inf (1e400 in JSON) is invalid; contract: out of range, left to the min/max validators.
        try:
            return float(data)
        except OverflowError:  # an integer literal beyond any float
            return math.inf if data > 0 else -math.inf


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, 3.0 included (JSON Schema's integer is a number with no fraction)."""

    def to_internal_value(self, data: Any) -> int | float:
        # DRF default: IntegerField takes "3" (and "3.0"); contract: wrong_type, while the number 3.0 is 3.
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        elif isinstance(data, float) and math.isinf(data):
            # DRF default: inf (1e400, or 4,301 digits: parsers.py) is invalid; contract: an integer (no fraction)
            # beyond every bound, left to the min/max validators: too_large, too_small.
            return data
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """An integer in a query string, written as JSON writes it: ASCII digits, maybe after a minus.

    Over 4,300 digits it is ``±inf`` (``parsers.json_integer``), which the min/max validators refuse.
    """

    pattern = re.compile(r"-?[0-9]+")

    def to_internal_value(self, data: Any) -> int | float:
        # DRF default: int() after dropping ".0", so "1.0", "+5", " 5", "5_0" and "٥" pass; contract: wrong_type.
        if not (isinstance(data, str) and self.pattern.fullmatch(data)):
            self.fail("invalid")
        return json_integer(data)  # Python default: int() refuses over 4,300 digits; here ±inf, out of range


class QueryFloatField(serializers.FloatField):
    """A number in a query string, written as JSON writes it (``12.5``, ``1e3``)."""

    pattern = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")

    def to_internal_value(self, data: Any) -> float:
        # DRF default: float(), which takes "1_0", " 1" and "١" (and calls 1e400 invalid); contract: wrong_type,
        # while 1e400 (inf) is left to the min/max validators: too_large, as in a body (float() reads any number of
        # digits: "1" and 4,300 zeros is inf too).
        if not (isinstance(data, str) and self.pattern.fullmatch(data)):
            self.fail("invalid")
        return float(data)


# drf-spectacular default: a DateTimeField is any date-time; contract: UTC with a Z, as DRF writes it (USE_TZ, UTC).
@extend_schema_field({"type": "string", "format": "date-time", "pattern": TIMESTAMP})
class TimestampField(serializers.DateTimeField):
    """DRF's ``DateTimeField``: an aware datetime, written in UTC with a ``Z`` (``TIME_ZONE = "UTC"``)."""


class ClosedSerializer(serializers.Serializer):
    """A serializer that refuses the keys it does not write: ``unknown_field``, read-only ones (``id``) included."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # DRF default: keys naming no writable field (read-only ones included) are ignored; contract: unknown_field.
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = {
            name: [ErrorDetail("Unknown field.", code="unknown_field")]
            for name in (data.keys() - writable if isinstance(data, Mapping) else ())
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# endregion
# region: auth
# drf-spectacular default: the type of the source, owner.username (a string with Django's Unicode username pattern);
# contract: the owner's username, or null for an item that predates accounts (allow_null adds the "null").
@extend_schema_field(
    {
        "type": "string",
        "description": "The username of the user who created the item; null for an item that predates accounts. "
        "Read-only: in a request body it is an unknown field.",
    }
)
class OwnerField(serializers.ReadOnlyField):
    """DRF tutorial part 4's ``owner = ReadOnlyField(source="owner.username")``: null when there is no owner."""


# endregion
# region: validation
class ItemSerializer(ClosedSerializer, serializers.ModelSerializer):
    # DRF default: the model's fields become the lenient CharField, FloatField, IntegerField; contract: strict types.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.FloatField: StrictFloatField,
        models.IntegerField: StrictIntegerField,
        models.DateTimeField: TimestampField,
    }
    # drf-spectacular default (from the model's AutoField): an integer with no bound; contract: ids start at 1.
    id = serializers.IntegerField(read_only=True, min_value=1)
    owner = OwnerField(source="owner.username", allow_null=True)  # read-only: unknown_field in a body

    class Meta:
        model = Item
        fields = ["id", "title", "description", "price", "quantity", "owner", "created_at", "updated_at"]
        # DRF default: a field left out of a PUT keeps its value; contract: back to the default (PATCH: kept).
        extra_kwargs = {
            "description": {"default": None, "validators": []},
            "quantity": {"default": 0},
            # ModelSerializer default: the model's validators first, NUL before max_length; contract: size first.
            "title": {"validators": []},  # model's min_length 1 (drf-spectacular default: minLength in requests only)
        }

    # endregion
    # region: update
    def update(self, instance: Item, validated_data: dict[str, Any]) -> Item:
        if not validated_data:  # an empty PATCH changes nothing, updated_at included
            return instance
        return super().update(instance, validated_data)


# endregion
# region: validation
class ItemQuerySerializer(serializers.Serializer):
    """The query of ``GET /items``: query values are strings, so these are DRF's own (parsing) fields."""

    limit = QueryIntegerField(default=20, min_value=1, max_value=100, help_text="Page size.")
    offset = QueryIntegerField(
        default=0,
        min_value=0,
        max_value=MAX_OFFSET,
        help_text="Items to skip; at most 2^63 - 1, what every database can store.",
    )
    sort = serializers.ChoiceField(
        SORTS,
        default="id",
        help_text="Sort key, `-` for descending; ties are broken by `id` ascending. Titles sort by code point.",
    )
    q = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Keeps items whose title contains this text; ASCII letters match regardless of case.",
    )
    min_price = QueryFloatField(
        required=False, min_value=0, max_value=MAX_PRICE, help_text="Keeps items with `price >= min_price`."
    )
    max_price = QueryFloatField(
        required=False, min_value=0, max_value=MAX_PRICE, help_text="Keeps items with `price <= max_price`."
    )
    owner = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=USERNAME_LENGTH,
        help_text="Keeps items whose owner has exactly this username (case and all); a name no user has matches "
        "nothing.",
    )


# endregion
# region: auth
# drf-spectacular default: the validator's Python regex, ^[\w.@+-]+\Z, which JSON Schema (ECMA-262) reads otherwise.
@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": USERNAME_LENGTH,
        "pattern": USERNAME_PATTERN,
        "description": "1 to 150 of `A-Z a-z 0-9 . @ + _ -` (Django's ASCII username rule), compared exactly.",
    }
)
class UsernameField(StrictCharField):
    """A username: 1 to 150 characters, Django's ``ASCIIUsernameValidator`` (``A-Z a-z 0-9 . @ + _ -``).

    Django's default ``User`` validates with ``UnicodeUsernameValidator``, which takes ``é`` too; the contract takes
    ASCII only. The pattern is checked after the length (type, then size, then content: a 151-character name is
    ``too_long``), and its code maps to ``invalid_value`` (``invalid`` would read as ``wrong_type``, problems.py).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=USERNAME_LENGTH, **kwargs)
        # DRF default: a field's validators= run before its length validators; contract: size before content.
        self.validators.append(ASCIIUsernameValidator(code="invalid_username"))


class UserSerializer(ClosedSerializer, serializers.ModelSerializer):
    """``POST /users``' body ``{"username", "password"}`` and every answer's ``{"id", "username"}``.

    The password is hashed by ``create_user`` (``PASSWORD_HASHERS``: PBKDF2 by default) and never written out.
    A taken username is not checked here (DRF default: ModelSerializer's ``UniqueValidator``, a 400 among the field
    errors); the database's unique constraint decides, answered 409 after every 422 (auth.py).
    """

    id = serializers.IntegerField(read_only=True, min_value=1)
    username = UsernameField()
    # 8 to 128 characters, no NUL (DRF's CharField refuses it), kept as sent (no strip).
    password = StrictCharField(write_only=True, min_length=8, max_length=128, style={"input_type": "password"})

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "password"]

    def create(self, validated_data: dict[str, Any]):
        return self.Meta.model.objects.create_user(**validated_data)


# endregion
# region: docs
def refusing_nul(schema: dict[str, Any], serializer: serializers.Serializer) -> dict[str, Any]:
    """``schema`` with the NUL pattern on each string ``serializer`` reads (set here, not on the field: drf-spectacular
    turns a pattern on a field that allows "" into a oneOf, which "" then fails, as it matches both)."""
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.CharField) and not field.read_only and name in schema["properties"]:
            # drf-spectacular default: nothing for DRF's own NUL check; contract: pattern ^[^\u0000]*$ (a username's
            # own pattern already leaves NUL out).
            schema["properties"][name].setdefault("pattern", NO_NUL)
    return schema


class StrictFloatFieldSchema(OpenApiSerializerFieldExtension):
    """drf-spectacular's schema of a ``StrictFloatField``, with the bound of its ``GreaterThanValidator``."""

    target_class = StrictFloatField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        for validator in self.target.validators:
            if isinstance(validator, GreaterThanValidator):
                # drf-spectacular default: a validator it does not know is left out; contract: price's exclusiveMinimum.
                schema["exclusiveMinimum"] = validator.limit_value
        return schema


class ClosedSerializerSchema(OpenApiSerializerExtension):
    """drf-spectacular's schemas of a ``ClosedSerializer``, done: ``ItemSerializer``'s (``Item``, ``ItemRequest``,
    ``PatchedItemRequest``), ``UserSerializer``'s (``User``, ``UserRequest``) and /token's answer (auth.py)."""

    target_class = ClosedSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = refusing_nul(auto_schema._map_serializer(self.target, direction, bypass_extensions=True), self.target)
        # drf-spectacular default: other keys are not mentioned; contract: refused (to_internal_value), never sent.
        schema["additionalProperties"] = False
        properties = schema["properties"]
        if direction == "response":
            # drf-spectacular default: a field with a default is optional in answers too; contract: all are sent.
            schema["required"] = list(properties)
        for name, field in self.target.fields.items():
            if name not in properties:
                continue
            if direction == "response" or self.target.partial:
                # drf-spectacular default: a field's default in answers and PATCH bodies; contract: POST and PUT only.
                properties[name].pop("default", None)
            elif field.default is None:
                # drf-spectacular default: a None default is left out; contract: description's default null (PUT).
                properties[name]["default"] = None
        return schema


class ItemQuerySerializerSchema(OpenApiSerializerExtension):
    """drf-spectacular's parameters from ``ItemQuerySerializer``, ``q`` with the NUL pattern."""

    target_class = ItemQuerySerializer

    def map_serializer(self, auto_schema, direction):
        return refusing_nul(auto_schema._map_serializer(self.target, direction, bypass_extensions=True), self.target)


# endregion
