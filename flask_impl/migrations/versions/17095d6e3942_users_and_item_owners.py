"""users and item owners

Revision 3: the accounts. A ``users`` table (a unique username, compared exactly; a password hash; CHECK
constraints for the API's username rule) and ``items.owner_id``, a nullable foreign key to it, indexed for
``GET /items?owner=``. The items already stored keep their rows and get no owner: null, they predate accounts
(only the admin changes them).

Written by ``flask db migrate`` and reviewed: autogenerate renders a CheckConstraint without its ``ddl_if``, so
the two spellings of the username's character rule (SQLite's GLOB, PostgreSQL's regular expression) are
chosen here by dialect, as revision 2 chooses its NUL checks; and the SQLite table copy keeps what revision 2
keeps. PostgreSQL adds the column, its index and its foreign key with ALTER TABLE. SQLite cannot add a foreign
key to a table, so Alembic's batch mode copies ``items`` into a new one: AUTOINCREMENT is restated and the
id high-water mark (sqlite_sequence) carried over by migrations/env.py, so a deleted highest id is still never handed out again.

Revision ID: 17095d6e3942
Revises: 6250c0717599
Create Date: 2026-12-01 01:08:26.282668

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '17095d6e3942'
down_revision = '6250c0717599'
branch_labels = None
depends_on = None

# region: migrations
USERNAME_CHARACTERS = {
    'sqlite': "username NOT GLOB '*[^A-Za-z0-9.@+_-]*'",
    'postgresql': "username ~ '^[A-Za-z0-9.@+_-]+$'",
}


def batch_alter_items():
    # Alembic default (batch copy): a table reflected without AUTOINCREMENT (no reflection reads it); here: restated.
    # Its id counter is kept by migrations/env.py (sqlite_counters_kept), for every revision.
    return op.batch_alter_table('items', schema=None, table_kwargs={'sqlite_autoincrement': True})


def upgrade():
    characters = USERNAME_CHARACTERS[op.get_bind().dialect.name]
    op.create_table('users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.CheckConstraint(characters, name=op.f('ck_users_username_characters')),
    sa.CheckConstraint('length(username) BETWEEN 1 AND 150', name=op.f('ck_users_username_length')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    sqlite_autoincrement=True
    )
    with batch_alter_items() as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index(batch_op.f('ix_items_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_items_owner_id_users'), 'users', ['owner_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with batch_alter_items() as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_items_owner_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_items_owner_id'))
        batch_op.drop_column('owner_id')

    op.drop_table('users')
# endregion
