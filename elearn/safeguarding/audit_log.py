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

ACTION_LABELS = {
    "report.created": "Sent the report",
    "report.viewed": "Opened the report",
    "report.viewed_by_sender": "Sender checked its progress",
    "report.assigned": "Assigned it",
    "report.entry_added": "Added to the record",
    "report.marked_for_blocking": "Marked the site for blocking",
    "report.decided": "Made the decision",
    "report.closed": "Closed it",
    "report.reopened": "Reopened it",
    "attachment.uploaded": "Added a file",
    "attachment.downloaded": "Opened a file",
}


@dataclass(frozen=True)
class LogLine:
    at: datetime
    who: str
    what: str


def for_report(session: Session, report: Report) -> list[LogLine]:
    """Newest first. The inbox listing is logged too, but against the academy, not here."""
    attachment_ids = [attachment.id for attachment in report.attachments]
    condition = and_(AuditEntry.subject_type == REPORT, AuditEntry.subject_id == report.id)
    if attachment_ids:
        condition = or_(
            condition,
            and_(
                AuditEntry.subject_type == ATTACHMENT,
                AuditEntry.subject_id.in_(attachment_ids),
            ),
        )
    rows = session.execute(
        select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(condition)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    return [
        LogLine(
            at=entry.at,
            who=name or "Someone no longer on the system",
            what=ACTION_LABELS.get(entry.action, entry.action),
        )
        for entry, name in rows
    ]
