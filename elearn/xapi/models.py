"""The statement store (elearn's own LRS), its outbox to a remote LRS, LRS credentials, and
the documents other systems keep in the LRS (state, activity profiles, agent profiles).

Filterable properties are copied into indexed columns when a statement is stored; the
statement itself is kept exactly as stored, as JSON text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from elearn.db import Base, utcnow


class ForwardState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    # The remote LRS refused it (a 4xx other than 409/429); an admin can retry after a fix.
    DEAD = "dead"
    # Received from another system through our own LRS: not ours to forward.
    NOT_FORWARDED = "not_forwarded"


class StoredStatement(Base):
    __tablename__ = "xapi_statements"
    __table_args__ = (
        Index("ix_xapi_statements_actor", "actor_key", "seq"),
        Index("ix_xapi_statements_verb", "verb_id", "seq"),
        Index("ix_xapi_statements_activity", "activity_id", "seq"),
        Index("ix_xapi_statements_registration", "registration", "seq"),
        Index("ix_xapi_statements_stored", "stored_at"),
        Index("ix_xapi_statements_forward", "forward_state", "next_attempt_at", "seq"),
        # The forwarder takes the oldest pending statements first, in arrival order.
        Index("ix_xapi_statements_forward_order", "forward_state", "seq"),
    )

    # Arrival order: what "consistent through", paging and in-order forwarding follow.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Marked as the insert sentinel (no schema change): a batch's multi-row INSERT ...
    # RETURNING is matched back to its statements by this unique id, which SQLite needs to
    # send the batch as one statement (it does not promise RETURNING in insertion order).
    statement_id: Mapped[str] = mapped_column(String(36), unique=True, insert_sentinel=True)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    timestamp_at: Mapped[datetime] = mapped_column()
    actor_key: Mapped[str] = mapped_column(String(512))
    verb_id: Mapped[str] = mapped_column(String(512))
    # The object's id when the object is an Activity, else None.
    activity_id: Mapped[str | None] = mapped_column(String(512))
    registration: Mapped[str | None] = mapped_column(String(36))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # For a voiding statement: the id of the statement it voids.
    voids_statement_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # The elearn person the statement is about, when there is one (for scoping and erasure).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[str] = mapped_column(Text)
    # The id a StatementRef object points at (set for statements received through the LRS
    # resource): a statement referring to one that matches a query matches it too.
    object_statement_id: Mapped[str | None] = mapped_column(String(36), index=True)

    forward_state: Mapped[ForwardState] = mapped_column(
        Enum(
            ForwardState,
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        ),
        default=ForwardState.PENDING,
    )
    forward_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    # The pass that holds the statement while ``next_attempt_at`` is its lease: only that
    # pass may renew the lease or record a failure, so a pass that outlived its lease (and
    # was taken over) cannot disturb the one that took over.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Indexed for the health check's "last delivered at".
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    # When delivery last failed; kept after a later success so the health view can say when.
    last_error_at: Mapped[datetime | None] = mapped_column(index=True)


class StatementActivity(Base):
    """Every activity a statement mentions (object and context), for ``related_activities``."""

    __tablename__ = "xapi_statement_activities"
    __table_args__ = (Index("ix_xapi_statement_activities_lookup", "activity_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey("xapi_statements.seq", ondelete="CASCADE"))
    activity_id: Mapped[str] = mapped_column(String(512))


class StatementAgent(Base):
    """Every agent a statement mentions (actor, object, instructor, team, authority, members)."""

    __tablename__ = "xapi_statement_agents"
    __table_args__ = (Index("ix_xapi_statement_agents_lookup", "agent_key", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey("xapi_statements.seq", ondelete="CASCADE"))
    agent_key: Mapped[str] = mapped_column(String(512))
    # The actor or the object (or a member of either): what the plain ``agent`` filter
    # matches; the other agents count only with ``related_agents``. Set by the LRS resource.
    direct: Mapped[bool] = mapped_column(Boolean, default=False)


class StatementAttachment(Base):
    """The data of an attachment sent with a statement (multipart/mixed), by its SHA-2.

    Kept per statement, not shared between statements with the same data, so a statement's
    attachments go with it on erasure and nobody else's statement holds them.
    """

    __tablename__ = "xapi_statement_attachments"
    __table_args__ = (Index("ix_xapi_statement_attachments_seq", "seq", "sha2", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey("xapi_statements.seq", ondelete="CASCADE"))
    sha2: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class LrsCredential(Base):
    """HTTP Basic credentials for the built-in LRS, issued and revoked by an admin.

    The secret is 32 random bytes, so a fast SHA-256 of it is as safe as a slow password hash
    and keeps statement ingest fast.
    """

    __tablename__ = "xapi_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    can_read: Mapped[bool] = mapped_column(Boolean, default=True)
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    # The administrator who issued it: part of their subject access export.
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class DocumentKind(StrEnum):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


class LrsDocument(Base):
    """A document kept by the State, Activity Profile or Agent Profile resource.

    The parts of its key that its kind does not use are empty strings, not NULL, so the
    unique constraint holds on every database (NULLs never collide in a unique index).
    """

    __tablename__ = "xapi_documents"
    __table_args__ = (
        UniqueConstraint(
            "kind",
            "activity_id",
            "agent_key",
            "registration",
            "document_id",
            name="uq_xapi_documents_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(
        Enum(
            DocumentKind,
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    # State and Activity Profile documents belong to an activity; "" for an Agent Profile.
    activity_id: Mapped[str] = mapped_column(String(512))
    # The agent's inverse functional identifier, as ``store.agent_key`` writes it: state
    # and Agent Profile documents belong to an agent; "" for an Activity Profile.
    agent_key: Mapped[str] = mapped_column(String(512))
    # A state document's registration in lower case; "" when it has none.
    registration: Mapped[str] = mapped_column(String(36))
    # The stateId or profileId.
    document_id: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # SHA-1 of the content in hexadecimal, as xAPI 1.0.3 asks for ETags.
    sha1: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
