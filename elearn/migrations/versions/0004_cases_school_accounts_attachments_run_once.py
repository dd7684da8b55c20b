"""cases referrals school accounts attachments run once

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import elearn.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("linked_by", sa.String(length=20), nullable=False),
        sa.Column("linked_at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sso_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_identities")),
        sa.UniqueConstraint("issuer", "subject", name="uq_sso_identities_subject"),
    )
    with op.batch_alter_table("sso_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_identities_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sso_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("issuer", sa.String(length=300), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("hosted_domain", sa.String(length=255), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sso_sign_ins_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_sign_ins")),
    )
    with op.batch_alter_table("sso_sign_ins", schema=None) as batch_op:
        batch_op.create_index("ix_sso_sign_ins_at", ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sso_sign_ins_user_id"), ["user_id"], unique=False)

    op.create_table(
        "safeguarding_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "agency",
            sa.Enum(
                "police", "ceop", "social_care", "lado", name="agency", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", elearn.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["safeguarding_referrals.id"],
            name=op.f("fk_safeguarding_referrals_corrects_id_safeguarding_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_safeguarding_referrals_recorded_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["safeguarding_reports.id"],
            name=op.f("fk_safeguarding_referrals_report_id_safeguarding_reports"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_referrals")),
        sa.UniqueConstraint("corrects_id", name=op.f("uq_safeguarding_referrals_corrects_id")),
    )
    with op.batch_alter_table("safeguarding_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safeguarding_referrals_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "xapi_statement_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["xapi_statements.seq"],
            name=op.f("fk_xapi_statement_attachments_seq_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_statement_attachments")),
    )
    with op.batch_alter_table("xapi_statement_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_xapi_statement_attachments_seq", ["seq", "sha2"], unique=True)

    # One reminder row per person, course and day is now the claim that stops two runs sending
    # the same message; earlier runs could leave several (one per reminder kind).
    op.execute(
        "DELETE FROM compliance_reminders WHERE id NOT IN ("
        " SELECT MIN(id) FROM compliance_reminders GROUP BY user_id, course_id, sent_on)"
    )
    with op.batch_alter_table("compliance_reminders", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_compliance_reminders_day", ["user_id", "course_id", "sent_on"]
        )

    with op.batch_alter_table("safeguarding_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "risk_level",
                sa.Enum(
                    "low",
                    "medium",
                    "high",
                    "immediate",
                    name="risklevel",
                    native_enum=False,
                    length=30,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "category",
                sa.Enum(
                    "cyberbullying",
                    "sexual_content",
                    "adult_contact",
                    "harmful_content",
                    "staff_conduct",
                    "other",
                    name="casecategory",
                    native_enum=False,
                    length=30,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("pupil_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_safeguarding_reports_academy_follow_up",
            ["academy_id", "follow_up_on"],
            unique=False,
        )
        batch_op.create_index("ix_safeguarding_reports_pupil", ["pupil_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_safeguarding_reports_pupil_id_users"),
            "users",
            ["pupil_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("xapi_statements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_xapi_statements_delivered_at"), ["delivered_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("xapi_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xapi_statements_delivered_at"))
        batch_op.drop_column("lease_token")

    with op.batch_alter_table("safeguarding_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_safeguarding_reports_pupil_id_users"), type_="foreignkey"
        )
        batch_op.drop_index("ix_safeguarding_reports_pupil")
        batch_op.drop_index("ix_safeguarding_reports_academy_follow_up")
        batch_op.drop_column("follow_up_on")
        batch_op.drop_column("pupil_id")
        batch_op.drop_column("category")
        batch_op.drop_column("risk_level")

    with op.batch_alter_table("compliance_reminders", schema=None) as batch_op:
        batch_op.drop_constraint("uq_compliance_reminders_day", type_="unique")

    with op.batch_alter_table("xapi_statement_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_xapi_statement_attachments_seq")

    op.drop_table("xapi_statement_attachments")
    with op.batch_alter_table("safeguarding_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_referrals_report_id"))

    op.drop_table("safeguarding_referrals")
    with op.batch_alter_table("sso_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_sign_ins_user_id"))
        batch_op.drop_index("ix_sso_sign_ins_at")

    op.drop_table("sso_sign_ins")
    with op.batch_alter_table("sso_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_identities_user_id"))

    op.drop_table("sso_identities")
