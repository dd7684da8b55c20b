"""erasure keeps no names

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("holder_name", existing_type=sa.VARCHAR(length=200), nullable=True)

    with op.batch_alter_table("xapi_credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_xapi_credentials_issued_by_id"), ["issued_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_xapi_credentials_issued_by_id_users"),
            "users",
            ["issued_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("xapi_credentials", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_xapi_credentials_issued_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_xapi_credentials_issued_by_id"))
        batch_op.drop_column("issued_by_id")

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("holder_name", existing_type=sa.VARCHAR(length=200), nullable=False)
