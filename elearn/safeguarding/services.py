"""Sending reports and finding them again, always scoped to what the person may see.

Plain functions over a Session; nothing here commits. Every read of a report's content by the
academy's safeguarding team, and every change, adds an audit entry to the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from elearn.audit.services import record
from elearn.auth import permissions as can
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.safeguarding import people
from elearn.safeguarding.models import (
    Attachment,
    ContactDirection,
    EntryKind,
    PerpetratorKind,
    Referral,
    Report,
    ReportEntry,
    ReportKind,
    ReportStatus,
)
from elearn.safeguarding.uploads import CheckedUpload, write_file

REPORT = "safeguarding_report"
ATTACHMENT = "safeguarding_attachment"

# Who may send each kind of report (the views check the same rules before they run).
FILERS: dict[ReportKind, Callable[[object], bool]] = {
    ReportKind.TELL: can.can_tell_trusted_adult,
    ReportKind.INAPPROPRIATE_CONTENT: can.can_report_inappropriate_content,
    ReportKind.BLOCKED_ACCESS: can.can_request_blocked_site,
    ReportKind.CONTACT_ATTEMPT: can.can_report_contact_attempt,
    ReportKind.CYBERBULLYING: can.can_record_cyberbullying,
    ReportKind.PARENT_CONCERN: can.can_raise_parent_concern,
}


@dataclass(frozen=True)
class ReportInput:
    """What the person filled in; each kind uses the fields its form asks for."""

    description: str
    where_online: str | None = None
    when_hint: str | None = None
    occurred_at: datetime | None = None
    site_address: str | None = None
    device_location: str | None = None
    needed_by_on: date | None = None
    direction: ContactDirection | None = None
    other_party: str | None = None
    person_affected: str | None = None
    perpetrator_kind: PerpetratorKind | None = None
    # One of the academy's people, picked from the list (``people.nameable_people``).
    other_party_id: int | None = None
    person_affected_id: int | None = None


@dataclass(frozen=True)
class NewFile:
    upload: CheckedUpload
    captured_at: datetime | None = None


class InboxView(StrEnum):
    """Which reports the inbox lists."""

    ACTIVE = "active"
    NEW = "new"
    CLOSED = "closed"
    ALL = "all"

    @property
    def label(self) -> str:
        return {
            "active": "New and open",
            "new": "New only",
            "closed": "Closed",
            "all": "All",
        }[self.value]


def may_file(user: object, kind: ReportKind) -> bool:
    return FILERS[kind](user)


def report_kinds_for(user: object) -> list[ReportKind]:
    return [kind for kind in ReportKind if may_file(user, kind)]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def submit_report(
    session: Session,
    *,
    reporter: User,
    kind: ReportKind,
    details: ReportInput,
    files: Sequence[NewFile] = (),
    files_dir: Path,
    now: datetime,
) -> Report:
    """Create a report for the reporter's academy, with its first chronology entry."""
    if not may_file(reporter, kind) or reporter.academy_id is None:
        raise PermissionError(f"{reporter.role.value} may not send a {kind.value} report")
    # Never link someone the reporter could not have picked (another academy's pupil, say).
    affected = people.checked_person(session, reporter, details.person_affected_id)
    other = people.checked_person(session, reporter, details.other_party_id)
    report = Report(
        kind=kind,
        academy_id=reporter.academy_id,
        reporter_id=reporter.id,
        status=ReportStatus.NEW,
        created_at=now,
        updated_at=now,
        description=details.description.strip(),
        where_online=_clean(details.where_online),
        when_hint=details.when_hint,
        occurred_at=details.occurred_at,
        site_address=_clean(details.site_address),
        device_location=_clean(details.device_location),
        needed_by_on=details.needed_by_on,
        direction=details.direction,
        other_party=_clean(details.other_party),
        other_party_id=other.id if other else None,
        person_affected=_clean(details.person_affected),
        person_affected_id=affected.id if affected else None,
        perpetrator_kind=details.perpetrator_kind,
    )
    session.add(report)
    session.flush()
    session.add(
        ReportEntry(report=report, kind=EntryKind.CREATED, text="", author_id=reporter.id, at=now)
    )
    record(
        session,
        actor_id=reporter.id,
        action="report.created",
        subject_type=REPORT,
        subject_id=report.id,
        academy_id=report.academy_id,
        detail={"kind": kind.value, "files": len(files)},
        at=now,
    )
    attach_files(session, report, files, uploader=reporter, files_dir=files_dir, now=now)
    return report


def attach_files(
    session: Session,
    report: Report,
    files: Sequence[NewFile],
    *,
    uploader: User,
    files_dir: Path,
    now: datetime,
) -> list[Attachment]:
    """Write each file under a random name and add its row and audit entry."""
    added = []
    for new in files:
        stored = write_file(files_dir, new.upload)
        attachment = Attachment(
            report=report,
            original_name=new.upload.original_name,
            stored_name=stored,
            content_type=new.upload.content_type,
            size=new.upload.size,
            sha256=new.upload.sha256,
            captured_at=new.captured_at,
            uploaded_by_id=uploader.id,
            uploaded_at=now,
        )
        session.add(attachment)
        session.flush()
        record(
            session,
            actor_id=uploader.id,
            action="attachment.uploaded",
            subject_type=ATTACHMENT,
            subject_id=attachment.id,
            academy_id=report.academy_id,
            detail={"report_id": report.id, "content_type": attachment.content_type},
            at=now,
        )
        added.append(attachment)
    return added


# ---- finding reports -----------------------------------------------------------------------


def _with_people() -> tuple[object, ...]:
    return (
        selectinload(Report.reporter),
        selectinload(Report.assignee),
        selectinload(Report.person_affected_user),
        selectinload(Report.other_party_user),
        selectinload(Report.entries).selectinload(ReportEntry.author),
        selectinload(Report.attachments).selectinload(Attachment.uploaded_by),
        selectinload(Report.pupil),
        selectinload(Report.referrals).selectinload(Referral.recorded_by),
    )


def report_for_team(session: Session, viewer: User, report_id: int) -> Report | None:
    """A report of the viewer's own academy, for its DSL or head; anything else is None."""
    if not can.is_safeguarding_lead(viewer) or viewer.academy_id is None:
        return None
    return session.scalar(
        select(Report)
        .where(Report.id == report_id, Report.academy_id == viewer.academy_id)
        .options(*_with_people())
    )


def own_report(session: Session, user: User, report_id: int) -> Report | None:
    """A report the person sent themselves."""
    return session.scalar(
        select(Report).where(Report.id == report_id, Report.reporter_id == user.id)
    )


def own_reports(session: Session, user: User) -> list[Report]:
    return list(
        session.scalars(
            select(Report)
            .where(Report.reporter_id == user.id)
            .order_by(Report.created_at.desc(), Report.id.desc())
        )
    )


def attachment_for_team(session: Session, viewer: User, attachment_id: int) -> Attachment | None:
    """A file of a report the viewer may read; anything else is None."""
    if not can.is_safeguarding_lead(viewer) or viewer.academy_id is None:
        return None
    return session.scalar(
        select(Attachment)
        .join(Report, Report.id == Attachment.report_id)
        .where(Attachment.id == attachment_id, Report.academy_id == viewer.academy_id)
    )


def inbox(
    session: Session, viewer: User, *, view: InboxView, kind: ReportKind | None = None
) -> list[Report]:
    """The viewer's academy's reports; new first, then newest first."""
    if not can.is_safeguarding_lead(viewer) or viewer.academy_id is None:
        return []
    query = select(Report).where(Report.academy_id == viewer.academy_id)
    if view is InboxView.ACTIVE:
        query = query.where(Report.status.in_([ReportStatus.NEW, ReportStatus.OPEN]))
    elif view is InboxView.NEW:
        query = query.where(Report.status == ReportStatus.NEW)
    elif view is InboxView.CLOSED:
        query = query.where(Report.status == ReportStatus.CLOSED)
    if kind is not None:
        query = query.where(Report.kind == kind)
    new_first = case((Report.status == ReportStatus.NEW, 0), else_=1)
    query = query.options(selectinload(Report.reporter), selectinload(Report.assignee))
    return list(session.scalars(query.order_by(new_first, Report.created_at.desc(), Report.id)))


def inbox_counts(session: Session, academy_id: int) -> dict[ReportStatus, int]:
    rows = session.execute(
        select(Report.status, func.count())
        .where(Report.academy_id == academy_id)
        .group_by(Report.status)
    ).all()
    counts = dict.fromkeys(ReportStatus, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


def team(session: Session, academy_id: int) -> list[User]:
    """The academy's active DSLs and head teachers: who reports can be assigned to."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.academy_id == academy_id,
                User.role.in_([Role.DSL, Role.HEAD]),
                User.active.is_(True),
            )
            .order_by(User.role, User.display_name)
        )
    )


def notification_addresses(session: Session, academy_id: int) -> list[str]:
    """Where "a new report is waiting" goes: the academy's DSLs and head with an e-mail."""
    return sorted({person.email for person in team(session, academy_id) if person.email})


def record_view(
    session: Session, viewer: User, report: Report, *, now: datetime, action: str = "report.viewed"
) -> None:
    record(
        session,
        actor_id=viewer.id,
        action=action,
        subject_type=REPORT,
        subject_id=report.id,
        academy_id=report.academy_id,
        detail={"kind": report.kind.value, "status": report.status.value},
        at=now,
    )


def record_inbox_view(
    session: Session, viewer: User, *, shown: Sequence[Report], now: datetime
) -> None:
    """Listing the inbox reveals who reported what kind of concern, so it is audited too."""
    record(
        session,
        actor_id=viewer.id,
        action="report.inbox_listed",
        subject_type=REPORT,
        subject_id=None,
        academy_id=viewer.academy_id,
        detail={"report_ids": [report.id for report in shown]},
        at=now,
    )


def record_download(
    session: Session, viewer: User, attachment: Attachment, *, now: datetime
) -> None:
    record(
        session,
        actor_id=viewer.id,
        action="attachment.downloaded",
        subject_type=ATTACHMENT,
        subject_id=attachment.id,
        academy_id=viewer.academy_id,
        detail={"report_id": attachment.report_id},
        at=now,
    )


# Registers the holds, exporters and erasers with the privacy package on import.
from elearn.safeguarding import data_protection  # noqa: E402, F401
