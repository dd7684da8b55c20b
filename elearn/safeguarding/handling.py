"""What the academy's safeguarding team does with a report: assign, add to, decide, close.

Every change appends to the report's chronology and adds an audit entry in the same
transaction. Nothing is ever edited in place: a correction is a new entry pointing at the
one it corrects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.audit.services import record
from elearn.auth import permissions as can
from elearn.auth.models import User
from elearn.safeguarding.models import (
    Attachment,
    CyberAction,
    Decision,
    EntryKind,
    Report,
    ReportEntry,
    ReportKind,
    ReportStatus,
)
from elearn.safeguarding.services import REPORT, NewFile, attach_files, team


class NotAllowed(PermissionError):
    """The person can read this report but may not make this change."""


class CannotDoThat(ValueError):
    """The change does not make sense for this report now; the message says why."""


def can_handle(user: User, report: Report) -> bool:
    return can.can_handle_report(user, report.academy_id, report.kind.value)


def require_handler(user: User, report: Report) -> None:
    if not can_handle(user, report):
        raise NotAllowed("only the head teacher handles this kind of report")


def require_not_closed(report: Report) -> None:
    if report.status is ReportStatus.CLOSED:
        raise CannotDoThat("This report is closed. Reopen it first.")


def touch_report(report: Report, now: datetime) -> None:
    report.updated_at = now
    if report.status is ReportStatus.NEW:
        report.status = ReportStatus.OPEN


def append_entry(
    session: Session,
    report: Report,
    actor: User,
    kind: EntryKind,
    *,
    text: str = "",
    now: datetime,
    action: CyberAction | None = None,
    happened_at: datetime | None = None,
    corrects_id: int | None = None,
) -> ReportEntry:
    entry = ReportEntry(
        report=report,
        kind=kind,
        action=action,
        text=text,
        author_id=actor.id,
        at=now,
        happened_at=happened_at,
        corrects_id=corrects_id,
    )
    session.add(entry)
    session.flush()
    return entry


def audit_change(
    session: Session, actor: User, report: Report, what: str, now: datetime, **detail: object
) -> None:
    record(
        session,
        actor_id=actor.id,
        action=what,
        subject_type=REPORT,
        subject_id=report.id,
        academy_id=report.academy_id,
        detail={"kind": report.kind.value, **detail},
        at=now,
    )


def assign(
    session: Session, actor: User, report: Report, assignee_id: int, *, now: datetime
) -> ReportEntry:
    """Give the report to one of the academy's DSLs or head teachers."""
    require_handler(actor, report)
    require_not_closed(report)
    choices = {person.id: person for person in team(session, report.academy_id)}
    assignee = choices.get(assignee_id)
    if assignee is None:
        raise CannotDoThat("Choose someone from the academy's safeguarding team.")
    report.assignee_id = assignee.id
    touch_report(report, now)
    entry = append_entry(
        session, report, actor, EntryKind.ASSIGNED, text=assignee.display_name, now=now
    )
    audit_change(session, actor, report, "report.assigned", now, assignee_id=assignee.id)
    return entry


def add_entry(
    session: Session,
    actor: User,
    report: Report,
    *,
    text: str,
    action: CyberAction | None = None,
    happened_at: datetime | None = None,
    corrects_id: int | None = None,
    now: datetime,
) -> ReportEntry:
    """Append a note, or (for cyberbullying records) one of the policy's actions."""
    require_handler(actor, report)
    require_not_closed(report)
    text = text.strip()
    if not text:
        raise CannotDoThat("Write what happened or what was done.")
    if action is not None and report.kind is not ReportKind.CYBERBULLYING:
        raise CannotDoThat("Policy actions are recorded on cyberbullying records only.")
    if corrects_id is not None:
        exists = session.scalar(
            select(ReportEntry.id).where(
                ReportEntry.id == corrects_id, ReportEntry.report_id == report.id
            )
        )
        if exists is None:
            raise CannotDoThat("The entry to correct is not part of this report.")
    kind = EntryKind.ACTION if action is not None else EntryKind.NOTE
    touch_report(report, now)
    entry = append_entry(
        session,
        report,
        actor,
        kind,
        text=text,
        now=now,
        action=action,
        happened_at=happened_at,
        corrects_id=corrects_id,
    )
    audit_change(
        session,
        actor,
        report,
        "report.entry_added",
        now,
        entry_id=entry.id,
        entry_kind=kind.value,
        action=action.value if action else None,
        corrects_id=corrects_id,
    )
    return entry


def add_evidence(
    session: Session,
    actor: User,
    report: Report,
    files: Sequence[NewFile],
    *,
    files_dir: Path,
    now: datetime,
) -> list[Attachment]:
    require_handler(actor, report)
    require_not_closed(report)
    if not files:
        raise CannotDoThat("Choose a file to add.")
    added = attach_files(session, report, files, uploader=actor, files_dir=files_dir, now=now)
    touch_report(report, now)
    names = ", ".join(item.original_name for item in added)
    append_entry(session, report, actor, EntryKind.EVIDENCE, text=names, now=now)
    return added


def mark_for_blocking(
    session: Session, actor: User, report: Report, *, note: str, now: datetime
) -> ReportEntry:
    """Record that the reported site is to be blocked (the IT provider does the blocking)."""
    require_handler(actor, report)
    require_not_closed(report)
    if report.kind is not ReportKind.INAPPROPRIATE_CONTENT:
        raise CannotDoThat("Only website content reports can be marked for blocking.")
    if report.marked_for_blocking_at is not None:
        raise CannotDoThat("This site is already marked for blocking.")
    report.marked_for_blocking_at = now
    report.marked_for_blocking_by_id = actor.id
    touch_report(report, now)
    entry = append_entry(
        session, report, actor, EntryKind.MARKED_FOR_BLOCKING, text=note.strip(), now=now
    )
    audit_change(session, actor, report, "report.marked_for_blocking", now)
    return entry


def decide(
    session: Session,
    actor: User,
    report: Report,
    decision: Decision,
    reason: str,
    *,
    now: datetime,
) -> ReportEntry:
    """The head teacher's final answer to a blocked-site request; it closes the request."""
    if not can.can_decide_blocked_site(actor, report.academy_id):
        raise NotAllowed("only the head teacher decides on blocked-site requests")
    if report.kind is not ReportKind.BLOCKED_ACCESS:
        raise CannotDoThat("Only blocked-site access requests have a decision.")
    if report.decision is not None:
        raise CannotDoThat("This request already has a decision.")
    reason = reason.strip()
    if not reason:
        raise CannotDoThat("Give a reason for the decision; the person who asked will see it.")
    report.decision = decision
    report.decision_reason = reason
    report.decided_by_id = actor.id
    report.decided_at = now
    report.status = ReportStatus.CLOSED
    report.outcome = f"{decision.label}: {reason}"
    report.closed_at = now
    report.closed_by_id = actor.id
    report.updated_at = now
    entry = append_entry(session, report, actor, EntryKind.DECISION, text=report.outcome, now=now)
    audit_change(session, actor, report, "report.decided", now, decision=decision.value)
    return entry


def close(
    session: Session, actor: User, report: Report, outcome: str, *, now: datetime
) -> ReportEntry:
    require_handler(actor, report)
    require_not_closed(report)
    if report.kind is ReportKind.BLOCKED_ACCESS and report.decision is None:
        raise CannotDoThat("Approve or refuse the request; that closes it.")
    outcome = outcome.strip()
    if not outcome:
        raise CannotDoThat("Write the outcome before closing the report.")
    report.status = ReportStatus.CLOSED
    report.outcome = outcome
    report.closed_at = now
    report.closed_by_id = actor.id
    report.updated_at = now
    entry = append_entry(session, report, actor, EntryKind.CLOSED, text=outcome, now=now)
    audit_change(session, actor, report, "report.closed", now)
    return entry


def reopen(
    session: Session, actor: User, report: Report, reason: str, *, now: datetime
) -> ReportEntry:
    require_handler(actor, report)
    if report.status is not ReportStatus.CLOSED:
        raise CannotDoThat("This report is already open.")
    if report.kind is ReportKind.BLOCKED_ACCESS:
        raise CannotDoThat("A decided request cannot be reopened; ask for a new request.")
    reason = reason.strip()
    if not reason:
        raise CannotDoThat("Say why the report is being reopened.")
    report.status = ReportStatus.OPEN
    report.outcome = None
    report.closed_at = None
    report.closed_by_id = None
    report.updated_at = now
    entry = append_entry(session, report, actor, EntryKind.REOPENED, text=reason, now=now)
    audit_change(session, actor, report, "report.reopened", now)
    return entry
