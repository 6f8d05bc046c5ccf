"""Persistence: the ``Item`` model, and the SQL that must mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from string import ascii_lowercase, ascii_uppercase

from django.conf import settings
from django.core.validators import (
    BaseValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.db.models import BooleanField, CharField, F, Func, Q, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate, Length
from django.db.models.lookups import LessThanOrEqual, Range
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# region: model
MAX_PRICE = 1_000_000
MAX_QUANTITY = 1_000_000
MAX_TITLE_LENGTH = 200  # characters (code points)
MAX_DESCRIPTION_LENGTH = 2000
ASCII_LOWER = str.maketrans(ascii_uppercase, ascii_lowercase)


class GreaterThanValidator(BaseValidator):
    """``value > limit``: Django's MinValueValidator is inclusive, and the contract wants ``price > 0``."""

    message = _("Ensure this value is greater than %(limit_value)s.")
    code = "min_value"

    def compare(self, a, b):
        return a <= b


class AsciiLower(Func):
    """``lower()`` for the letters A-Z only, on every database."""

    function = "LOWER"  # SQLite's built-in lower() folds ASCII letters only
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # PostgreSQL default: lower() (and UPPER(), which Django's icontains uses) fold É to é too; contract: A-Z only.
        translate = Func(*self.get_source_expressions(), Value(ascii_uppercase), Value(ascii_lowercase))
        return translate.as_sql(compiler, connection, function="TRANSLATE", **extra_context)


class CodePointOrder(Func):
    """A text column compared by code point, like SQLite's default BINARY collation.

    A ``Func`` around ``Collate`` rather than a subclass of it, so that an ``Index`` can take it: Django's ``Index``
    treats a ``Collate`` as a wrapper and accepts only that exact class there.
    """

    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL default: the database locale's collation; contract: code points, so "C".
        return Collate(*self.get_source_expressions(), "C").as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])  # BINARY: UTF-8 bytes sort as code points


class NulFree(Func):
    """True when a text holds no NUL character (U+0000); NULL for NULL, which a ``CHECK`` lets through."""

    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's length() counts only up to a NUL and a LIKE pattern ends at one; instr() on a BLOB reads every byte.
        template = "instr(CAST(%(expressions)s AS BLOB), X'00') = 0"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return "TRUE", []  # PostgreSQL's text type cannot hold NUL (its input refuses 0x00): nothing to check


class ItemQuerySet(models.QuerySet):
    def title_contains(self, text: str) -> ItemQuerySet:
        """``text`` appears in the title, literally (``contains`` escapes LIKE's wildcards), A-Z in any case."""
        return self.alias(folded_title=AsciiLower("title")).filter(folded_title__contains=text.translate(ASCII_LOWER))


def ordering(sort: str) -> list[OrderBy]:
    """``sort`` is a field name, ``-`` first for descending; ties go by ``id`` ascending."""
    name = sort.removeprefix("-")
    key = CodePointOrder(name) if name == "title" else F(name)
    return [OrderBy(key, descending=sort.startswith("-")), F("id").asc()]


class Item(models.Model):
    # Every bound of the API is a field validator (max_length is one): full_clean(), and with it the admin's forms,
    # names the field at fault before the CHECK constraints below are tried (PostgreSQL cannot even try the NUL one).
    title = models.CharField(
        max_length=MAX_TITLE_LENGTH, validators=[MinLengthValidator(1), ProhibitNullCharactersValidator()]
    )
    description = models.CharField(
        max_length=MAX_DESCRIPTION_LENGTH,
        null=True,
        blank=True,
        default=None,
        validators=[ProhibitNullCharactersValidator()],
    )
    price = models.FloatField(
        validators=[GreaterThanValidator(0), MaxValueValidator(MAX_PRICE)],
        help_text=f"Greater than 0, at most {MAX_PRICE}.",
    )
    quantity = models.IntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(MAX_QUANTITY)])
    created_at = models.DateTimeField(editable=False)
    updated_at = models.DateTimeField(editable=False)
    # endregion
    # region: auth
    # DRF tutorial part 4's owner: the user who created the item (ItemViewSet.perform_create). NULL for the items
    # that predate accounts (migration 0003 adds the column to rows that have no owner); a user's items go with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="items", null=True, blank=True, on_delete=models.CASCADE
    )
    # endregion
    # region: model

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        # The API's bounds again, in the database, for every other way in (a script, the shell, a bulk update).
        # full_clean() runs them too, after the field validators. A CHECK lets NULL through.
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0, price__lte=MAX_PRICE),
                name="ck_items_price_range",
                violation_error_message=f"The price must be greater than 0 and at most {MAX_PRICE}.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0, quantity__lte=MAX_QUANTITY),
                name="ck_items_quantity_range",
                violation_error_message=f"The quantity must be from 0 to {MAX_QUANTITY}.",
            ),
            models.CheckConstraint(
                condition=Range(Length("title"), (1, MAX_TITLE_LENGTH)),
                name="ck_items_title_length",
                violation_error_message=f"The title must be 1 to {MAX_TITLE_LENGTH} characters.",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), MAX_DESCRIPTION_LENGTH),
                name="ck_items_description_length",
                violation_error_message=f"The description must be at most {MAX_DESCRIPTION_LENGTH} characters.",
            ),
            # length() above counts only up to a NUL on SQLite; these refuse the NUL itself.
            models.CheckConstraint(
                condition=NulFree("title"),
                name="ck_items_title_no_nul",
                violation_error_message="The title must not contain NUL characters.",
            ),
            models.CheckConstraint(
                condition=NulFree("description"),
                name="ck_items_description_no_nul",
                violation_error_message="The description must not contain NUL characters.",
            ),
        ]
        # One per sort key (id is the primary key); each ORDER BY key, id reads its key's index, either direction.
        indexes = [
            # Django default: fields=["title"] indexes in the column's collation (PostgreSQL: the locale's), which
            # ordering()'s title COLLATE "C" cannot read; here the same expression (SQLite: the plain column).
            models.Index(CodePointOrder("title"), name="ix_items_title"),
            models.Index(fields=["price"], name="ix_items_price"),
            models.Index(fields=["created_at"], name="ix_items_created_at"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        # Django's documented hook ("Customizing model loading"): the values as loaded, for save() to compare with.
        item = super().from_db(db, field_names, values)
        item._stored = dict(zip(field_names, values, strict=True))
        return item

    def save(self, *args, **kwargs) -> None:
        # Django default (auto_now_add, auto_now): each reads the clock, so they differ, and auto_now moves updated_at
        # on every save, one that writes the values already stored too; contract: equal on create, then moved
        # (strictly later) only by a change. A PUT of the item's own values, or an unchanged admin form, keeps it.
        if self._state.adding:
            self.created_at = self.updated_at = timezone.now()
        elif any(getattr(self, name) != value for name, value in getattr(self, "_stored", {}).items()):
            # A microsecond past the last value if the clock has not passed it (a coarse clock, or one set back).
            self.updated_at = max(timezone.now(), self.updated_at + timedelta(microseconds=1))
        super().save(*args, **kwargs)
        self._stored = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}


# endregion
