"""Migrations, on SQLite and PostgreSQL: they build the schema from nothing and take it back, revisions 2 and 3 carry
an older database forward row for row (3: every item with no owner), and the CHECK constraints refuse what the API
refuses.

That the checked-in migrations match the models (``makemigrations --check``) is tested in test_project.py; the
self-check below shows that the same check fails when a field is added to a model alone.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DataError, IntegrityError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from items.models import Item, ordering

PROJECT = Path(__file__).resolve().parent.parent
REVISION_1 = ("items", "0001_initial")
REVISION_2 = ("items", "0002_item_constraints_and_sort_indexes")
CONSTRAINTS = {
    "ck_items_price_range",
    "ck_items_quantity_range",
    "ck_items_title_length",
    "ck_items_description_length",
    "ck_items_title_no_nul",
    "ck_items_description_no_nul",
}
INDEXES = {"title": "ix_items_title", "price": "ix_items_price", "created_at": "ix_items_created_at"}
NOW = datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
COLUMNS = ["id", "title", "description", "price", "quantity", "created_at", "updated_at"]


def migrate(alias: str, *args: str) -> None:
    call_command("migrate", *args, database=alias, interactive=False, verbosity=0)


def migrate_to_zero(alias: str) -> None:
    """Unapplies every app's migrations, the framework's own included."""
    executor = MigrationExecutor(connections[alias])
    executor.migrate([(app, None) for app in executor.loader.migrated_apps])


def tables(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        return sorted(connections[alias].introspection.table_names(cursor))


def stored_rows(alias: str) -> list[tuple]:
    """The rows as the database driver returns them, before any model field converts them."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM items_item ORDER BY id")
        return cursor.fetchall()


def insert_row(alias: str, **values) -> None:
    """A raw INSERT through the ORM's connection: no model, no validation."""
    connection = connections[alias]
    row = {"title": "pen", "description": None, "price": 1.0, "quantity": 0, "created_at": NOW, "updated_at": NOW}
    row.update(values)
    for name in ("created_at", "updated_at"):
        row[name] = connection.ops.adapt_datetimefield_value(row[name])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO items_item ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})", list(row.values())
        )


# --- the check that models and migrations agree, shown to fail ------------------------------------------------


def makemigrations_check(project: Path, database_file: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "items_django.settings",
        "DATABASE_URL": f"sqlite:///{database_file}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_makemigrations_check_fails_when_a_field_is_added_to_the_model_alone(tmp_path):
    copy = tmp_path / "django_impl"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.db", ".*"))
    checked_in = sorted((copy / "items" / "migrations").glob("0*.py"))
    unchanged = makemigrations_check(copy, tmp_path / "check.db")
    assert (unchanged.returncode, unchanged.stdout.strip()) == (0, "No changes detected"), unchanged.stderr

    models = copy / "items" / "models.py"
    last_field = "    updated_at = models.DateTimeField(editable=False)\n"
    assert last_field in models.read_text()
    models.write_text(
        models.read_text().replace(last_field, last_field + "    colour = models.TextField(default='')\n")
    )
    changed = makemigrations_check(copy, tmp_path / "check.db")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "+ Add field colour to item" in changed.stdout  # the copy's models were read, not the installed ones
    assert sorted((copy / "items" / "migrations").glob("0*.py")) == checked_in  # --dry-run wrote nothing


# --- upgrade and downgrade ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_migrate_builds_everything_from_empty_and_takes_it_all_back(database):
    try:
        migrate_to_zero(database)
        assert tables(database) == ["django_migrations"]

        migrate(database)
        assert {"items_item", "auth_user"} <= set(tables(database))
        assert "owner_id" in columns(database, "items_item")
        executor = MigrationExecutor(connections[database])
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
        with connections[database].cursor() as cursor:
            found = connections[database].introspection.get_constraints(cursor, "items_item")
        assert {name for name, about in found.items() if about["check"]} >= CONSTRAINTS
        assert {name for name, about in found.items() if about["index"]} >= set(INDEXES.values())

        migrate(database, "items", "zero")
        assert "items_item" not in tables(database)
        migrate_to_zero(database)
        assert tables(database) == ["django_migrations"]
    finally:
        migrate(database)


# Every column filled, at the bounds and beyond ASCII; the last row, the newest, is deleted before the upgrade.
ROWS = [
    {**fields, "created_at": NOW.replace(year=year), "updated_at": NOW.replace(year=year, microsecond=year % 7)}
    for year, fields in enumerate(
        [
            {"title": "pen", "description": None, "price": 1.5, "quantity": 0},
            {"title": "é😀'\"%_\\", "description": "", "price": 5e-324, "quantity": 1},
            {"title": "t" * 200, "description": "d" * 2000, "price": 1_000_000.0, "quantity": 1_000_000},
            {"title": "Zebra", "description": "two\nlines", "price": 0.1, "quantity": 42},
            {"title": "deleted", "description": "gone", "price": 2.0, "quantity": 3},
        ],
        start=2020,
    )
]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_upgrade_from_revision_1_keeps_every_row_and_value(database):
    try:
        migrate(database, *REVISION_1)
        state = MigrationExecutor(connections[database]).loader.project_state(REVISION_1)
        revision_1_item = state.apps.get_model("items", "Item")  # the model as revision 1 has it
        for row in ROWS:
            revision_1_item.objects.using(database).create(**row)
        deleted = revision_1_item.objects.using(database).get(title="deleted").pk
        revision_1_item.objects.using(database).filter(pk=deleted).delete()
        before = stored_rows(database)
        assert len(before) == len(ROWS) - 1

        migrate(database)
        assert stored_rows(database) == before
        kept = Item.objects.using(database).order_by("id").values(*COLUMNS[1:])
        assert list(kept) == ROWS[:-1]
        # SQLite rebuilds the table to add a CHECK; AUTOINCREMENT must still never hand out a deleted item's id.
        newest = Item.objects.using(database).create(title="new", price=1)
        assert newest.pk == deleted + 1
        newest.delete()
        migrate(database, *REVISION_1)  # and back: the rebuild that drops the CHECKs keeps the counter too
        assert stored_rows(database) == before
        assert revision_1_item.objects.using(database).create(**ROWS[0]).pk == deleted + 2
    finally:
        migrate(database)


def columns(alias: str, table: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        return [column.name for column in connections[alias].introspection.get_table_description(cursor, table)]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_upgrade_from_revision_2_keeps_every_row_with_no_owner(database):
    """Revision 3 adds ``owner_id`` (a nullable foreign key to Django's ``auth_user``) to a table holding items."""
    try:
        migrate(database, *REVISION_2)
        state = MigrationExecutor(connections[database]).loader.project_state(REVISION_2)
        revision_2_item = state.apps.get_model("items", "Item")
        for row in ROWS:
            revision_2_item.objects.using(database).create(**row)
        deleted = revision_2_item.objects.using(database).get(title="deleted").pk
        revision_2_item.objects.using(database).filter(pk=deleted).delete()
        before = stored_rows(database)
        assert "owner_id" not in columns(database, "items_item")

        migrate(database)
        assert stored_rows(database) == before
        assert list(Item.objects.using(database).order_by("id").values(*COLUMNS[1:])) == ROWS[:-1]
        assert set(Item.objects.using(database).values_list("owner", flat=True)) == {None}  # they predate accounts
        user = User.objects.db_manager(database).create_user("owner", password="owner-password")
        newest = Item.objects.using(database).create(title="new", price=1, owner=user)
        assert newest.pk == deleted + 1 and Item.objects.using(database).get(owner=user) == newest
        newest.delete()

        # Back to revision 2: SQLite rebuilds the table to drop a foreign key, and keeps the counter.
        migrate(database, *REVISION_2)
        assert "owner_id" not in columns(database, "items_item")
        assert stored_rows(database) == before
        assert revision_2_item.objects.using(database).create(**ROWS[0]).pk == deleted + 2
    finally:
        migrate(database)


# --- the CHECK constraints ------------------------------------------------------------------------------------

REFUSED = [  # field, value, the constraint that refuses it, and what refuses it first on PostgreSQL if its type does
    ("price", 0.0, "ck_items_price_range", None),
    ("price", -1.0, "ck_items_price_range", None),
    ("price", math.nextafter(1_000_000, math.inf), "ck_items_price_range", None),
    ("price", math.inf, "ck_items_price_range", None),
    ("quantity", -1, "ck_items_quantity_range", None),
    ("quantity", 1_000_001, "ck_items_quantity_range", None),
    ("title", "", "ck_items_title_length", None),
    ("title", "é" * 201, "ck_items_title_length", "value too long"),  # PostgreSQL: varchar(200)
    ("description", "d" * 2001, "ck_items_description_length", "value too long"),  # varchar(2000)
    ("title", "a\x00b", "ck_items_title_no_nul", "NUL"),  # PostgreSQL: text cannot hold NUL, the driver refuses it
    ("title", "a\x00" + "b" * 300, "ck_items_title_no_nul", "NUL"),  # SQLite's length() counts 1 character here
    ("description", "\x00", "ck_items_description_no_nul", "NUL"),
]


@pytest.mark.parametrize(("field", "value", "constraint", "type_refuses"), REFUSED, ids=lambda value: repr(value)[:24])
def test_each_check_refuses_a_row_written_around_the_api(database, field, value, constraint, type_refuses):
    """An UPDATE and an INSERT that bypass the model, refused by the named constraint.

    SQLite enforces neither ``varchar(n)`` nor anything about NUL, so there the CHECKs are all that refuse; on
    PostgreSQL the column's type refuses a text too long or holding NUL before any CHECK is evaluated.
    """

    def refused():
        if type_refuses and connections[database].vendor == "postgresql":
            return pytest.raises(DataError, match=type_refuses)
        return pytest.raises(IntegrityError, match=constraint)

    item = Item.objects.create(title="pen", price=1)
    with refused(), transaction.atomic(using=database):
        Item.objects.filter(pk=item.pk).update(**{field: value})
    with refused(), transaction.atomic(using=database):
        insert_row(database, **{field: value})
    assert list(Item.objects.values_list("title", "price")) == [("pen", 1)]


def test_the_boundary_values_the_api_accepts_are_stored(client, database):
    for body in [
        {"title": "x", "description": "", "price": 5e-324, "quantity": 0},
        {"title": "😀" * 200, "description": "é" * 2000, "price": 1_000_000, "quantity": 1_000_000},
        {"title": "\t", "description": None, "price": 0.5, "quantity": 1},
    ]:
        response = client.send("POST", "/items", body)
        assert response.status_code == 201, response.content
        assert {name: response.json()[name] for name in body} == body
        assert Item.objects.filter(pk=response.json()["id"]).values(*body).get() == body


def test_full_clean_runs_the_constraints_with_their_messages(database):
    """The admin's forms call full_clean(); Django evaluates each constraint's condition on the database."""
    item = Item(title="t" * 201, description="d" * 2001, price=0, quantity=-1, created_at=NOW, updated_at=NOW)
    with pytest.raises(ValidationError) as error:
        item.validate_constraints()
    assert sorted(error.value.messages) == [
        "The description must be at most 2000 characters.",
        "The price must be greater than 0 and at most 1000000.",
        "The quantity must be from 0 to 1000000.",
        "The title must be 1 to 200 characters.",
    ]
    Item(title="t" * 200, description=None, price=1_000_000, quantity=0).validate_constraints()


@pytest.mark.parametrize("sort", ["title", "-title", "price", "-price", "created_at", "-created_at"])
def test_each_sort_reads_its_index(database, sort):
    """The list's ORDER BY (title: by code point, COLLATE "C" on PostgreSQL) can walk the sort key's index."""
    queryset = Item.objects.order_by(*ordering(sort))[:20]
    with transaction.atomic(using=database):
        if connections[database].vendor == "postgresql":
            with connections[database].cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: show that the index is usable
        plan = queryset.explain()
    assert INDEXES[sort.removeprefix("-")] in plan, plan
