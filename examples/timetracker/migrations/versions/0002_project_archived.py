"""Archive projects instead of deleting them.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("archived")
