"""Limits that stop a flood of reports or files from swamping an academy's team.

Counted in the database, never in one process's memory, so every app server agrees: the
academy's row is locked first (PostgreSQL; on SQLite a writing request already holds the
database's write lock), and the counts read after it include every report committed by any
server before this one.

Three limits, each a setting:

* reports one person may send in an hour (lower for pupils than for adults);
* the evidence files an academy may keep, in bytes;
* one "a new report is waiting" e-mail per burst: after a mail, none is sent for the next
  N minutes unless someone on the academy's team has opened the inbox or a report since.
  So a team already at work on the inbox hears of each new report, and a team that has not
  looked yet is not mailed ten times for ten reports in a minute. Every report still
  reaches the inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.audit.models import AuditEntry
from elearn.audit.services import record
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.safeguarding.models import Attachment, Report

NOTIFIED = "report.team_notified"
# What counts as the team having looked since the last mail.
LOOKED = ("report.inbox_listed", "report.viewed")


@dataclass(frozen=True)
class Limits:
    reports_per_hour_pupil: int
    reports_per_hour_adult: int
    evidence_quota_bytes: int
    mail_quiet_minutes: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(
            reports_per_hour_pupil=int(config["REPORTS_PER_HOUR_PUPIL"]),
            reports_per_hour_adult=int(config["REPORTS_PER_HOUR_ADULT"]),
            evidence_quota_bytes=int(config["EVIDENCE_QUOTA_BYTES"]),
            mail_quiet_minutes=int(config["REPORT_MAIL_QUIET_MINUTES"]),
        )

    def reports_per_hour(self, person: User) -> int:
        return (
            self.reports_per_hour_pupil
            if person.role is Role.PUPIL
            else self.reports_per_hour_adult
        )


class TooManyReports(Exception):
    """The person has sent as many reports in the last hour as the limit allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} reports an hour")
        self.limit = limit


class StorageFull(Exception):
    """The academy's evidence files would pass its storage quota."""

    def __init__(self, quota: int) -> None:
        super().__init__(f"quota {quota} bytes")
        self.quota = quota


def storage_full_message(pupil: bool) -> str:
    """What the person is told when their file would pass the academy's quota."""
    if pupil:
        return (
            "We could not keep your picture because the school has no more room for "
            "pictures just now. Please send your message without it, and tell a grown-up "
            "at school about the picture."
        )
    return (
        "The academy's storage for evidence files is full, so this file could not be added. "
        "Send the report without it, and tell the designated safeguarding lead you have it."
    )


def lock_academy(session: Session, academy_id: int) -> None:
    """Serialise the checks below across app servers for one academy (until commit)."""
    session.execute(select(Academy.id).where(Academy.id == academy_id).with_for_update())


def reports_in_last_hour(session: Session, reporter_id: int, *, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Report)
            .where(Report.reporter_id == reporter_id, Report.created_at > now - timedelta(hours=1))
        )
        or 0
    )


def evidence_bytes(session: Session, academy_id: int) -> int:
    """What the academy's evidence files take up now."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Attachment.size), 0))
            .join(Report, Report.id == Attachment.report_id)
            .where(Report.academy_id == academy_id)
        )
        or 0
    )


def check_rate(session: Session, reporter: User, limits: Limits, *, now: datetime) -> None:
    limit = limits.reports_per_hour(reporter)
    if reports_in_last_hour(session, reporter.id, now=now) >= limit:
        raise TooManyReports(limit)


def check_storage(session: Session, academy_id: int, adding: int, limits: Limits) -> None:
    if adding and evidence_bytes(session, academy_id) + adding > limits.evidence_quota_bytes:
        raise StorageFull(limits.evidence_quota_bytes)


def claim_notification(session: Session, report: Report, limits: Limits, *, now: datetime) -> bool:
    """Whether to mail the team about this report; if so, the mail is recorded as sent in the
    caller's transaction, so another server sending at the same moment sees it."""
    last = session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.academy_id == report.academy_id, AuditEntry.action == NOTIFIED
        )
    )
    if last is not None and last > now - timedelta(minutes=limits.mail_quiet_minutes):
        looked = session.scalar(
            select(AuditEntry.id)
            .join(User, User.id == AuditEntry.actor_id)
            .where(
                AuditEntry.academy_id == report.academy_id,
                AuditEntry.action.in_(LOOKED),
                AuditEntry.at >= last,
                User.role.in_((Role.DSL, Role.HEAD)),
            )
            .limit(1)
        )
        if looked is None:
            return False
    record(
        session,
        actor_id=None,
        action=NOTIFIED,
        subject_type="safeguarding_report",
        subject_id=report.id,
        academy_id=report.academy_id,
        detail={},
        at=now,
    )
    return True
