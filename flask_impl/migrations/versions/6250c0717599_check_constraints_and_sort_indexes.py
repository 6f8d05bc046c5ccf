"""check constraints and sort indexes

Revision 2: a CHECK constraint for every bound the API enforces (items_flask/schemas.py, from the spec), so
that no other path into the database (a script, an admin form) stores what the API refuses, and an index
for every sort key but id (the primary key), so that sorted pages stay cheap as the table grows.

PostgreSQL adds the constraints with ALTER TABLE (existing rows are checked). SQLite cannot add a
constraint to a table, so Alembic's batch mode copies the table into a new one; the copy keeps the ids,
and the AUTOINCREMENT high-water mark (sqlite_sequence) is carried over by migrations/env.py, so that the id
of a deleted highest row is still never handed out again.

Revision ID: 6250c0717599
Revises: 856a31e13d97
Create Date: 2026-12-01 00:27:15.366618

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6250c0717599'
down_revision = '856a31e13d97'
branch_labels = None
depends_on = None

# region: migrations
CHECKS = {
    'ck_items_price_range': 'price > 0 AND price <= 1000000',
    'ck_items_quantity_range': 'quantity >= 0 AND quantity <= 1000000',
    'ck_items_title_length': 'length(title) BETWEEN 1 AND 200',
    'ck_items_description_length': 'length(description) <= 2000',
}
# PostgreSQL's text cannot hold NUL at all. SQLite's can, and its length() stops at the first NUL of a
# text, so on SQLite the NUL test runs on the text's bytes (a BLOB), where instr() sees every byte.
SQLITE_CHECKS = {
    'ck_items_title_no_nul': "instr(CAST(title AS BLOB), X'00') = 0",
    'ck_items_description_no_nul': "instr(CAST(description AS BLOB), X'00') = 0",
}
INDEXES = {'ix_items_title': 'title', 'ix_items_price': 'price', 'ix_items_created_at': 'created_at'}


def checks():
    if op.get_bind().dialect.name == 'sqlite':
        return {**CHECKS, **SQLITE_CHECKS}
    return CHECKS


def batch_alter_items():
    # Alembic default (batch copy): a table reflected without AUTOINCREMENT (no reflection reads it); here: restated.
    # Its id counter is kept by migrations/env.py (sqlite_counters_kept), for every revision.
    return op.batch_alter_table('items', schema=None, table_kwargs={'sqlite_autoincrement': True})


def upgrade():
    with batch_alter_items() as batch_op:
        for name, sqltext in checks().items():
            batch_op.create_check_constraint(batch_op.f(name), sqltext)
        for name, column in INDEXES.items():
            # PostgreSQL: title's column collation is "C", so this index serves ORDER BY title (code points).
            batch_op.create_index(batch_op.f(name), [column], unique=False)


def downgrade():
    with batch_alter_items() as batch_op:
        for name in reversed(INDEXES):
            batch_op.drop_index(batch_op.f(name))
        for name in reversed(checks()):
            batch_op.drop_constraint(batch_op.f(name), type_='check')
# endregion
