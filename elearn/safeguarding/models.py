"""Safeguarding reports, their append-only chronology and their evidence files."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from elearn.auth.models import User
from elearn.db import Base, utcnow
from elearn.safeguarding.case_terms import Agency, CaseCategory, RiskLevel


class ReportKind(StrEnum):
    TELL = "tell"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    BLOCKED_ACCESS = "blocked_access"
    CONTACT_ATTEMPT = "contact_attempt"
    CYBERBULLYING = "cyberbullying"
    PARENT_CONCERN = "parent_concern"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[ReportKind, str] = {
    ReportKind.TELL: "Pupil told a trusted adult",
    ReportKind.INAPPROPRIATE_CONTENT: "Inappropriate website content",
    ReportKind.BLOCKED_ACCESS: "Blocked site access request",
    ReportKind.CONTACT_ATTEMPT: "Social media contact attempt",
    ReportKind.CYBERBULLYING: "Cyberbullying incident",
    ReportKind.PARENT_CONCERN: "Concern from a parent or carer",
}


class ReportStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"new": "New", "open": "Open", "closed": "Closed"}[self.value]


class Decision(StrEnum):
    """The head teacher's answer to a blocked-site access request."""

    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"approved": "Approved", "refused": "Refused"}[self.value]


class ContactDirection(StrEnum):
    TO_STAFF = "to_staff"
    FROM_STAFF = "from_staff"

    @property
    def label(self) -> str:
        return {
            "to_staff": "A pupil or parent/carer contacted a member of staff",
            "from_staff": "A member of staff contacted a pupil or parent/carer",
        }[self.value]


class PerpetratorKind(StrEnum):
    """Who is thought to be responsible; the policy's route depends on it."""

    PUPIL = "pupil"
    COLLEAGUE = "colleague"
    ADULT = "adult"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "pupil": "A current pupil",
            "colleague": "A colleague (member of staff)",
            "adult": "An adult outside the academy (for example a parent or carer)",
            "unknown": "Not known",
        }[self.value]


class EntryKind(StrEnum):
    CREATED = "created"
    NOTE = "note"
    ACTION = "action"
    ASSIGNED = "assigned"
    EVIDENCE = "evidence"
    MARKED_FOR_BLOCKING = "marked_for_blocking"
    DECISION = "decision"
    CLOSED = "closed"
    REOPENED = "reopened"
    RISK_SET = "risk_set"
    CATEGORY_SET = "category_set"
    PUPIL_LINKED = "pupil_linked"
    REFERRAL = "referral"
    REFERRAL_CORRECTED = "referral_corrected"
    FOLLOW_UP_SET = "follow_up_set"

    @property
    def label(self) -> str:
        return {
            "created": "Report received",
            "note": "Note",
            "action": "Action",
            "assigned": "Assigned",
            "evidence": "Evidence added",
            "marked_for_blocking": "Site marked for blocking",
            "decision": "Decision",
            "closed": "Closed",
            "reopened": "Reopened",
            "risk_set": "Risk level",
            "category_set": "Category",
            "pupil_linked": "Pupil linked",
            "referral": "Referral recorded",
            "referral_corrected": "Referral corrected",
            "follow_up_set": "Follow-up date",
        }[self.value]


class CyberAction(StrEnum):
    """The steps the trust's cyberbullying route names, recorded in the chronology."""

    VICTIM_MEETING = "victim_meeting"
    ACADEMY_PROCEDURES = "academy_procedures"
    REMOVAL_REQUESTED = "removal_requested"
    REMOVAL_REFUSED = "removal_refused"
    ESCALATED_TO_CEO = "escalated_to_ceo"
    REPORTED_TO_PLATFORM = "reported_to_platform"
    POLICE_CONTACTED = "police_contacted"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CYBER_ACTION_LABELS[self]


CYBER_ACTION_LABELS: dict[CyberAction, str] = {
    CyberAction.VICTIM_MEETING: "Met the person targeted to discuss their concerns",
    CyberAction.ACADEMY_PROCEDURES: "Dealt with under the academy's own procedures",
    CyberAction.REMOVAL_REQUESTED: "Asked the person responsible to remove the content",
    CyberAction.REMOVAL_REFUSED: "The person responsible refused to remove the content",
    CyberAction.ESCALATED_TO_CEO: "Reported to the trust's CEO",
    CyberAction.REPORTED_TO_PLATFORM: "Reported to the platform or service provider",
    CyberAction.POLICE_CONTACTED: "Police contacted",
    CyberAction.OTHER: "Other action",
}


def _enum(kind: type, length: int = 30) -> Enum:
    # Plain strings (the values) so SQLite and PostgreSQL agree and rows stay readable.
    return Enum(
        kind,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Report(Base):
    """One report or record, of any of the policy's kinds, belonging to one academy."""

    __tablename__ = "safeguarding_reports"
    __table_args__ = (
        Index("ix_safeguarding_reports_academy_status", "academy_id", "status", "created_at"),
        Index("ix_safeguarding_reports_reporter", "reporter_id"),
        Index("ix_safeguarding_reports_person_affected", "person_affected_id"),
        Index("ix_safeguarding_reports_other_party", "other_party_id"),
        Index("ix_safeguarding_reports_pupil", "pupil_id"),
        Index("ix_safeguarding_reports_academy_follow_up", "academy_id", "follow_up_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    academy_id: Mapped[int] = mapped_column(ForeignKey("academies.id", ondelete="RESTRICT"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus), default=ReportStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # What happened, what was seen, or why access is needed (every kind).
    description: Mapped[str] = mapped_column(Text)
    # Where online: the app, game, platform or site name.
    where_online: Mapped[str | None] = mapped_column(String(200))
    # A pupil's rough "when" (today, yesterday ...), kept as the choice's key.
    when_hint: Mapped[str | None] = mapped_column(String(20))
    # When it happened or was seen, for the staff forms.
    occurred_at: Mapped[datetime | None] = mapped_column()
    # Website address (inappropriate content, blocked-site requests).
    site_address: Mapped[str | None] = mapped_column(String(2000))
    # Which computer, device or room (inappropriate content).
    device_location: Mapped[str | None] = mapped_column(String(200))
    # Blocked-site requests: the date access is needed by.
    needed_by_on: Mapped[date | None] = mapped_column(Date)
    # Contact attempts.
    direction: Mapped[ContactDirection | None] = mapped_column(_enum(ContactDirection))
    # Contact attempts: who made contact; cyberbullying: who is thought responsible. The id
    # when they are one of the academy's people (so exports and erasure holds find them);
    # the words for someone not on the roll, or a description.
    other_party_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    other_party: Mapped[str | None] = mapped_column(String(200))
    # Contact attempts: who was contacted; cyberbullying: who was targeted.
    person_affected_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    person_affected: Mapped[str | None] = mapped_column(String(200))
    perpetrator_kind: Mapped[PerpetratorKind | None] = mapped_column(_enum(PerpetratorKind))

    decision: Mapped[Decision | None] = mapped_column(_enum(Decision))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None] = mapped_column()

    marked_for_blocking_at: Mapped[datetime | None] = mapped_column()
    marked_for_blocking_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )

    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    # The DSL's case fields. Each change also writes a chronology entry saying what it was
    # before, so these columns only ever hold the latest of a recorded history.
    risk_level: Mapped[RiskLevel | None] = mapped_column(_enum(RiskLevel))
    category: Mapped[CaseCategory | None] = mapped_column(_enum(CaseCategory))
    # The pupil the case is about, linked by the DSL (the parents come from parent links).
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    follow_up_on: Mapped[date | None] = mapped_column(Date)

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    person_affected_user: Mapped[User | None] = relationship(foreign_keys=[person_affected_id])
    other_party_user: Mapped[User | None] = relationship(foreign_keys=[other_party_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    marked_for_blocking_by: Mapped[User | None] = relationship(
        foreign_keys=[marked_for_blocking_by_id]
    )
    pupil: Mapped[User | None] = relationship(foreign_keys=[pupil_id])
    entries: Mapped[list[ReportEntry]] = relationship(
        back_populates="report", order_by="ReportEntry.id", passive_deletes="all"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", order_by="Attachment.id", passive_deletes="all"
    )
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="report", order_by="Referral.id", passive_deletes="all"
    )

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.kind.value} {self.status.value}>"


class ReportEntry(Base):
    """One line of a report's chronology. Only ever inserted: a correction is a new entry."""

    __tablename__ = "safeguarding_report_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("safeguarding_reports.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind))
    action: Mapped[CyberAction | None] = mapped_column(_enum(CyberAction))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the recorded action actually took place, if earlier than it was written down.
    happened_at: Mapped[datetime | None] = mapped_column()
    # NO ACTION rather than RESTRICT: a self-reference must not block removing a whole table.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("safeguarding_report_entries.id"))

    report: Mapped[Report] = relationship(back_populates="entries")
    author: Mapped[User] = relationship()


class Referral(Base):
    """A referral to another agency. Only ever inserted: a correction is a new row that
    points at the one it replaces, which stays as it was."""

    __tablename__ = "safeguarding_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("safeguarding_reports.id", ondelete="RESTRICT"), index=True
    )
    agency: Mapped[Agency] = mapped_column(_enum(Agency))
    referred_on: Mapped[date] = mapped_column(Date)
    # The agency's reference (crime number, CEOP report number, LADO case number ...).
    reference: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # NO ACTION rather than RESTRICT, as for chronology corrections.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("safeguarding_referrals.id"), unique=True
    )

    report: Mapped[Report] = relationship(back_populates="referrals")
    recorded_by: Mapped[User] = relationship()


class Attachment(Base):
    """A file sent with a report. The bytes live in the data folder under ``stored_name``."""

    __tablename__ = "safeguarding_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("safeguarding_reports.id", ondelete="RESTRICT"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # When the evidence was captured (e.g. when the screenshot was taken), if given.
    captured_at: Mapped[datetime | None] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class AppendOnlyError(RuntimeError):
    """Something tried to change or remove a chronology entry."""


@event.listens_for(ReportEntry, "before_update")
@event.listens_for(ReportEntry, "before_delete")
@event.listens_for(Referral, "before_update")
@event.listens_for(Referral, "before_delete")
def _refuse_entry_change(_mapper: Mapper[Base], _connection: object, entry: object) -> None:
    raise AppendOnlyError(
        "chronology entries and referrals cannot be changed or removed; "
        "add a correcting entry instead"
    )
