"""users is_admin

Revision 4: ``users.is_admin``, the flag that lets an account log into the admin (items_flask/admin.py).
NOT NULL, default false: every account that exists keeps its place and is no administrator; ``flask
create-admin`` or the admin makes one.

Written by ``flask db migrate`` and reviewed: autogenerate rendered the default as SQLite's ``0`` (PostgreSQL
refuses an integer default on a boolean), so it is ``sa.false()``, the model's own, spelled per dialect. Both
databases add the column in place with ALTER TABLE (SQLite adds a NOT NULL column with a constant default
without a copy), so the table's AUTOINCREMENT and its id high-water mark are never at stake.

Revision ID: e8d267e86cd3
Revises: 17095d6e3942
Create Date: 2026-12-01 03:37:08.152695

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8d267e86cd3'
down_revision = '17095d6e3942'
branch_labels = None
depends_on = None


# region: migrations
def batch_alter_users():
    # Alembic default (batch on SQLite): a copy of the table for a default that is an SQL expression (false() is one),
    # which would drop AUTOINCREMENT; here: ALTER TABLE in place (SQLite 3.35+ drops a column in place too).
    return op.batch_alter_table('users', schema=None, recreate='never')


def upgrade():
    with batch_alter_users() as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with batch_alter_users() as batch_op:
        batch_op.drop_column('is_admin')
# endregion
