"""items table

Revision 1: the ``items`` table exactly as ``create_all`` made it before migrations (``flask init-db``),
so a database made by that code is stamped here (``flask db stamp 856a31e13d97``) and carried forward.

Revision ID: 856a31e13d97
Revises: 
Create Date: 2026-12-01 00:26:37.749544

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '856a31e13d97'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # region: migrations
    op.create_table('items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql'), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=True),
    sa.Column('price', sa.Double(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    # models.UTCDateTime stores through this type; the migration names the column type only.
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    # endregion


def downgrade():
    # region: migrations
    op.drop_table('items')
    # endregion
