"""What a DSL or head teacher sees of their academy's reports on their home page.

No more than the inbox shows them: each report's kind, number, status and when it arrived,
and the follow-up dates they set. Never the report's words, the people in it or its risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.audit.services import record
from elearn.auth import permissions as can
from elearn.auth.models import User
from elearn.safeguarding.models import Report, ReportKind, ReportStatus
from elearn.safeguarding.services import REPORT

# The home page lists the newest few; the inbox has the rest.
LISTED = 10


@dataclass(frozen=True)
class ListedReport:
    id: int
    kind: ReportKind
    status: ReportStatus
    created_at: datetime
    follow_up_on: date | None = None


@dataclass(frozen=True)
class ReportsOverview:
    today: date
    new: int
    open: int
    # New and open reports, newest first (at most ``LISTED``).
    newest: list[ListedReport]
    # When the oldest report nobody has acted on yet arrived.
    oldest_new_at: datetime | None
    # Open cases whose follow-up date has come, earliest first.
    follow_ups_due: list[ListedReport]

    @property
    def active(self) -> int:
        return self.new + self.open


def reports_overview(session: Session, viewer: User, *, today: date) -> ReportsOverview | None:
    """The viewer's academy's reports at a glance; None for anyone outside its team."""
    if not can.is_safeguarding_lead(viewer) or viewer.academy_id is None:
        return None
    mine = Report.academy_id == viewer.academy_id
    active = Report.status.in_([ReportStatus.NEW, ReportStatus.OPEN])
    counts = dict(
        session.execute(
            select(Report.status, func.count()).where(mine, active).group_by(Report.status)
        ).all()
    )
    oldest = session.scalar(
        select(func.min(Report.created_at)).where(mine, Report.status == ReportStatus.NEW)
    )
    columns = (Report.id, Report.kind, Report.status, Report.created_at, Report.follow_up_on)
    newest = session.execute(
        select(*columns)
        .where(mine, active)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(LISTED)
    ).all()
    due = session.execute(
        select(*columns)
        .where(mine, active, Report.follow_up_on <= today)
        .order_by(Report.follow_up_on, Report.id)
    ).all()
    return ReportsOverview(
        today=today,
        new=int(counts.get(ReportStatus.NEW, 0)),
        open=int(counts.get(ReportStatus.OPEN, 0)),
        newest=[ListedReport(*row) for row in newest],
        oldest_new_at=oldest,
        follow_ups_due=[ListedReport(*row) for row in due],
    )


def record_home_listing(
    session: Session, viewer: User, overview: ReportsOverview, *, now: datetime
) -> None:
    """The home page names reports by kind and number, as the inbox does: audited the same
    way, so each report's access log shows who saw it listed."""
    shown = sorted({item.id for item in [*overview.newest, *overview.follow_ups_due]})
    if not shown:
        return
    record(
        session,
        actor_id=viewer.id,
        action="report.home_listed",
        subject_type=REPORT,
        subject_id=None,
        academy_id=viewer.academy_id,
        detail={"report_ids": shown},
        at=now,
    )


def waiting_words(since: datetime, now: datetime) -> str:
    """How long something has waited, as a person would say it: "3 hours", "2 days"."""
    waited = max(now - since, timedelta(0))
    if waited < timedelta(hours=1):
        minutes = int(waited.total_seconds() // 60)
        return "less than a minute" if minutes < 1 else _plural(minutes, "minute")
    if waited < timedelta(days=1):
        return _plural(int(waited.total_seconds() // 3600), "hour")
    return _plural(waited.days, "day")


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"
