"""lrs documents

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import elearn.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "state",
                "activity_profile",
                "agent_profile",
                name="documentkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("activity_id", sa.String(length=512), nullable=False),
        sa.Column("agent_key", sa.String(length=512), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=512), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("updated_at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_documents")),
        sa.UniqueConstraint(
            "kind",
            "activity_id",
            "agent_key",
            "registration",
            "document_id",
            name="uq_xapi_documents_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("xapi_documents")
