"""Retention of leavers' records: settings, what is due, and applying it.

A leaver is someone deactivated with a leaving date. After the number of months set for
their kind (pupils, parents and carers, staff) their details are erased, unless a hold (an
open safeguarding record, say) says they must be kept; those are reported, not erased.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.audit.services import record
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.auth.sso_records import purge_old_sign_ins
from elearn.db import hold_job_lock
from elearn.privacy.holds import reasons_to_keep
from elearn.privacy.models import RetentionSetting
from elearn.privacy.services import erase_person
from elearn.roster.services import purge_stale_uploads

AUDIENCES: dict[str, str] = {
    "pupil": "Pupils",
    "parent": "Parents and carers",
    "staff": "Staff and volunteers",
}
CONFIG_KEYS = {
    "pupil": "RETENTION_PUPIL_MONTHS",
    "parent": "RETENTION_PARENT_MONTHS",
    "staff": "RETENTION_STAFF_MONTHS",
}
MAX_MONTHS = 1200
# The lock name that keeps retention to one run at a time across app servers.
RETENTION_JOB = "privacy.retention"


class RetentionRunning(Exception):
    """Another process (another app server's cron) is applying retention right now."""


def audience_of(role: Role) -> str:
    if role is Role.PUPIL:
        return "pupil"
    if role is Role.PARENT:
        return "parent"
    return "staff"


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def retention_months(session: Session, config: Mapping[str, Any]) -> dict[str, int]:
    """Months kept per audience: stored settings win over the configured defaults."""
    months = {audience: int(config[key]) for audience, key in CONFIG_KEYS.items()}
    for setting in session.scalars(select(RetentionSetting)):
        if setting.audience in months:
            months[setting.audience] = setting.keep_months
    return months


def save_retention(
    session: Session, months: Mapping[str, int], *, actor_id: int, now: datetime
) -> list[str]:
    """Store new settings; returns the audiences that changed (each change is audited)."""
    changed = []
    for audience, value in months.items():
        if audience not in AUDIENCES or not 1 <= value <= MAX_MONTHS:
            raise ValueError(f"{audience}: {value}")
        setting = session.get(RetentionSetting, audience)
        before = setting.keep_months if setting else None
        if before == value:
            continue
        if setting is None:
            setting = RetentionSetting(audience=audience, keep_months=value)
            session.add(setting)
        setting.keep_months = value
        setting.updated_at = now
        setting.updated_by_id = actor_id
        changed.append(audience)
        record(
            session,
            actor_id=actor_id,
            action="retention.update",
            subject_type="retention",
            subject_id=None,
            detail={"audience": audience, "from": before, "to": value},
            at=now,
        )
    return changed


@dataclass(frozen=True)
class Due:
    user_id: int
    username: str
    name: str
    audience: str
    left_on: date


@dataclass(frozen=True)
class Held:
    due: Due
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RetentionPlan:
    as_of: date
    months: dict[str, int]
    due: tuple[Due, ...] = ()
    held: tuple[Held, ...] = ()
    erased: tuple[Due, ...] = field(default=())


def retention_plan(session: Session, months: Mapping[str, int], *, as_of: date) -> RetentionPlan:
    """Who is due for erasure on ``as_of``, and who must be kept (with the reasons)."""
    due: list[Due] = []
    held: list[Held] = []
    leavers = session.scalars(
        select(User)
        .where(User.active.is_(False), User.erased_at.is_(None), User.left_on.is_not(None))
        .order_by(User.left_on, User.id)
    )
    for user in leavers:
        audience = audience_of(user.role)
        assert user.left_on is not None
        if user.left_on > months_before(as_of, months[audience]):
            continue
        item = Due(user.id, user.username, user.display_name, audience, user.left_on)
        reasons = reasons_to_keep(session, user.id)
        if reasons:
            held.append(Held(item, tuple(reasons)))
        else:
            due.append(item)
    return RetentionPlan(as_of, dict(months), tuple(due), tuple(held))


def apply_retention(
    session: Session,
    months: Mapping[str, int],
    *,
    now: datetime,
    actor_id: int | None = None,
) -> RetentionPlan:
    """Erase everyone due; also forget roster uploads nobody confirmed and old school account
    sign-in records. Caller commits.

    Raises RetentionRunning when another process is applying retention at this moment: one
    run is enough, and two would erase the same people twice over.
    """
    if not hold_job_lock(session, RETENTION_JOB):
        raise RetentionRunning
    plan = retention_plan(session, months, as_of=now.date())
    for item in plan.due:
        erase_person(session, item.user_id, actor_id=actor_id, now=now)
    purged = purge_stale_uploads(session, now=now)
    sign_ins_purged = purge_old_sign_ins(session, now=now)
    record(
        session,
        actor_id=actor_id,
        action="retention.apply",
        subject_type="retention",
        subject_id=None,
        detail={
            "erased": len(plan.due),
            "kept_for_holds": len(plan.held),
            "uploads_purged": purged,
            "sso_sign_ins_purged": sign_ins_purged,
            "months": dict(months),
        },
        at=now,
    )
    return RetentionPlan(plan.as_of, plan.months, (), plan.held, plan.due)
