"""Persistence: the ``Item`` model, and the SQL that must mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

from string import ascii_lowercase, ascii_uppercase

from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import CharField, F, Func, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# region: model
MAX_PRICE = 1_000_000
MAX_QUANTITY = 1_000_000
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


class CodePointOrder(Collate):
    """A text column compared by code point, like SQLite's default BINARY collation."""

    def __init__(self, expression):
        # PostgreSQL default: the database locale's collation; contract: code points, so "C".
        super().__init__(expression, "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])  # BINARY: UTF-8 bytes sort as code points


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
    title = models.CharField(max_length=200)
    description = models.CharField(max_length=2000, null=True, blank=True, default=None)
    price = models.FloatField(
        validators=[GreaterThanValidator(0), MaxValueValidator(MAX_PRICE)],
        help_text=f"Greater than 0, at most {MAX_PRICE}.",
    )
    quantity = models.IntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(MAX_QUANTITY)])
    created_at = models.DateTimeField(editable=False)
    updated_at = models.DateTimeField(editable=False)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Django default (auto_now_add, auto_now): each reads the clock, so they differ; contract: equal on create.
        self.updated_at = timezone.now()
        if self._state.adding:
            self.created_at = self.updated_at
        super().save(*args, **kwargs)


# endregion
