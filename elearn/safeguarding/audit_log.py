"""A report's access log, read from the audit trail: who opened, changed or downloaded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from elearn.audit.models import AuditEntry
from elearn.auth.models import User
from elearn.safeguarding.models import Report
from elearn.safeguarding.services import ATTACHMENT, REPORT

LISTED = "report.inbox_listed"
HOME_LISTED = "report.home_listed"
LISTINGS = (LISTED, HOME_LISTED)

ACTION_LABELS = {
    "report.created": "Sent the report",
    "report.viewed": "Opened the report",
    "report.viewed_by_sender": "Sender checked its progress",
    "report.inbox_listed": "Saw it listed in the inbox",
    "report.home_listed": "Saw it listed on their home page",
    "report.team_notified": "Team told by e-mail that a report is waiting",
    "report.assigned": "Assigned it",
    "report.entry_added": "Added to the record",
    "report.marked_for_blocking": "Marked the site for blocking",
    "report.decided": "Made the decision",
    "report.closed": "Closed it",
    "report.reopened": "Reopened it",
    "report.risk_set": "Set the risk level",
    "report.category_set": "Set the category",
    "report.pupil_linked": "Linked the pupil",
    "report.referral_added": "Recorded a referral",
    "report.follow_up_set": "Set the follow-up date",
    "attachment.uploaded": "Added a file",
    "attachment.downloaded": "Opened a file",
}


@dataclass(frozen=True)
class LogLine:
    at: datetime
    who: str
    role: str
    what: str


def _what(entry: AuditEntry, file_names: dict[int, str]) -> str:
    label = ACTION_LABELS.get(entry.action, entry.action)
    if entry.subject_type == ATTACHMENT and entry.subject_id in file_names:
        return f"{label}: {file_names[entry.subject_id]}"
    return label


def for_report(session: Session, report: Report) -> list[LogLine]:
    """Newest first: every open, change and file opened, and every inbox listing that showed
    it (those entries belong to the academy and name the reports they listed)."""
    file_names = {attachment.id: attachment.original_name for attachment in report.attachments}
    attachment_ids = list(file_names)
    condition = and_(AuditEntry.subject_type == REPORT, AuditEntry.subject_id == report.id)
    if attachment_ids:
        condition = or_(
            condition,
            and_(
                AuditEntry.subject_type == ATTACHMENT,
                AuditEntry.subject_id.in_(attachment_ids),
            ),
        )
    listings = and_(
        AuditEntry.action.in_(LISTINGS),
        AuditEntry.academy_id == report.academy_id,
        AuditEntry.at >= report.created_at,
    )
    rows = session.execute(
        select(AuditEntry, User.display_name, User.role)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(or_(condition, listings))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    return [
        LogLine(
            at=entry.at,
            who=name or "Someone no longer on the system",
            role=role.label if role is not None else "",
            what=_what(entry, file_names),
        )
        for entry, name, role in rows
        if entry.action not in LISTINGS or report.id in (entry.detail or {}).get("report_ids", ())
    ]
