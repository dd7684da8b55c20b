"""safeguarding links, access notices, card jobs, academy contacts, password change

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import elearn.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("year_group", sa.Integer(), nullable=False),
        sa.Column("started_at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_card_jobs_academy_id_academies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_jobs")),
        sa.UniqueConstraint("academy_id", "year_group", name=op.f("uq_card_jobs_academy_id")),
    )
    op.create_table(
        "access_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("academy_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", elearn.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["academy_id"],
            ["academies.id"],
            name=op.f("fk_access_notices_academy_id_academies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_access_notices_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["users.id"],
            name=op.f("fk_access_notices_person_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_access_notices_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_notices")),
    )
    with op.batch_alter_table("access_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_notices_recipient_open", ["recipient_id", "dismissed_at"], unique=False
        )

    with op.batch_alter_table("academies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_dsl_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("office_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("office_email", sa.String(length=254), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_academies_contact_dsl_id_users"),
            "users",
            ["contact_dsl_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("safeguarding_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_party_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("person_affected_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_safeguarding_reports_other_party", ["other_party_id"], unique=False
        )
        batch_op.create_index(
            "ix_safeguarding_reports_person_affected", ["person_affected_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_safeguarding_reports_other_party_id_users"),
            "users",
            ["other_party_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_safeguarding_reports_person_affected_id_users"),
            "users",
            ["person_affected_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")

    with op.batch_alter_table("safeguarding_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_safeguarding_reports_person_affected_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_safeguarding_reports_other_party_id_users"), type_="foreignkey"
        )
        batch_op.drop_index("ix_safeguarding_reports_person_affected")
        batch_op.drop_index("ix_safeguarding_reports_other_party")
        batch_op.drop_column("person_affected_id")
        batch_op.drop_column("other_party_id")

    with op.batch_alter_table("academies", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_academies_contact_dsl_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("office_email")
        batch_op.drop_column("office_phone")
        batch_op.drop_column("contact_dsl_id")

    with op.batch_alter_table("access_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_access_notices_recipient_open")

    op.drop_table("access_notices")
    op.drop_table("card_jobs")
