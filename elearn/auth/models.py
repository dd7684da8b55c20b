"""People, academies, parent links and the server-side records behind sign-in."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.auth.roles import Role, StaffKind
from elearn.db import Base, utcnow


def _enum(kind: type) -> Enum:
    # Stored as plain strings (the enum values) so both databases agree and values stay readable.
    return Enum(
        kind,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def new_xapi_id() -> str:
    """An opaque per-person id: reveals nothing about the person and never changes."""
    return uuid.uuid4().hex


class Academy(Base):
    __tablename__ = "academies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # The DfE unique reference number, when known; useful when talking to inspectors.
    urn: Mapped[str | None] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(20), default="primary")
    roster_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    # Who parents and carers contact with a worry, shown on their pages; set by the head or
    # a trust admin.
    # The DSL is linked by id, not typed as a name, so erasure and leaving take them off it.
    contact_dsl_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    office_phone: Mapped[str | None] = mapped_column(String(40))
    office_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    people: Mapped[list[User]] = relationship(
        back_populates="academy", foreign_keys="User.academy_id"
    )
    contact_dsl: Mapped[User | None] = relationship(foreign_keys=[contact_dsl_id])

    def __repr__(self) -> str:
        return f"<Academy {self.code}>"

    @property
    def contact_dsl_name(self) -> str | None:
        """The named DSL's name while they are still this academy's active DSL."""
        dsl = self.contact_dsl
        if dsl is None or not dsl.active or dsl.erased_at is not None:
            return None
        if dsl.role not in (Role.DSL, Role.HEAD) or dsl.academy_id != self.id:
            return None
        return dsl.display_name

    @property
    def has_contact_details(self) -> bool:
        return bool(self.contact_dsl_name or self.office_phone or self.office_email)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_academy_role", "academy_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    # None only for trust-level people (trust admins and trust central staff).
    academy_id: Mapped[int | None] = mapped_column(ForeignKey("academies.id", ondelete="RESTRICT"))
    year_group: Mapped[int | None] = mapped_column(Integer)
    staff_kind: Mapped[StaffKind | None] = mapped_column(_enum(StaffKind))
    start_on: Mapped[date | None] = mapped_column(Date)
    # The day someone left their academy (set when deactivated); retention counts from it.
    left_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Set when someone else chose the password (a reset or a sign-in card): until the person
    # picks their own, whoever read it off the screen or card could sign in as them.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    xapi_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_xapi_id)
    roster_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set when personal details were removed under data protection; the row stays pseudonymous.
    erased_at: Mapped[datetime | None] = mapped_column()

    academy: Mapped[Academy | None] = relationship(
        back_populates="people", foreign_keys=[academy_id]
    )

    # Set on the instance by the session loader: the server-side sign-in this request uses.
    session_token = None  # type: str | None

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"

    # Flask-Login protocol. The id Flask-Login keeps in the cookie is the server-side session
    # token, not the user's id, so signing out (revoking the token) kills copied cookies too.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_pupil(self) -> bool:
        return self.role is Role.PUPIL

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ", 1)[0]


class ParentLink(Base):
    """A parent or carer's link to one of their children."""

    __tablename__ = "parent_links"
    __table_args__ = (UniqueConstraint("parent_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[User] = relationship(foreign_keys=[parent_id])
    pupil: Mapped[User] = relationship(foreign_keys=[pupil_id])


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class LoginSession(Base):
    """One signed-in browser. Only a hash of the token is stored, so a leaked table is useless."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """Sign-in attempts, kept for throttling: keyed by the username typed, known or not."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "attempted_at"),
        Index("ix_login_attempts_ip_at", "ip", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)


class SsoIdentity(Base):
    """A school account (Microsoft 365 or Google Workspace) linked to a person.

    Found again by the provider's stable subject (``iss`` + ``sub``), never by e-mail: the
    e-mail claim can change, and in Entra ID anyone able to edit an account's mail attribute
    could otherwise take over whoever has that address here. Entra's tenant (``tid``) and
    object id (``oid``) are kept too, so IT staff can find the account in their directory.
    """

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_sso_identities_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    # The address the provider gave at the latest sign-in: shown to admins, never matched on.
    email: Mapped[str | None] = mapped_column(String(254))
    # How the first sign-in found the person: "email" or "roster_id".
    linked_by: Mapped[str] = mapped_column(String(20))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class SsoSignIn(Base):
    """One sign-in with a school account, or one refusal, with the reason as a code.

    Refusals usually have no person (nobody was found), so the provider's own claims are kept:
    they are what an IT lead searches by when someone cannot sign in.
    """

    __tablename__ = "sso_sign_ins"
    __table_args__ = (Index("ix_sso_sign_ins_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    succeeded: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    hosted_domain: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()
