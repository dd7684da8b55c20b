"""The few queries behind every compliance report, each independent of how many staff there are.

Each returns plain values keyed by person and course, ready for :mod:`elearn.compliance.cells`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.compliance.cells import Completion, SignOffs
from elearn.compliance.models import PolicyRelease
from elearn.compliance.requirements import TRAINED_ROLES, Requirement
from elearn.compliance.rules import UK, uk_date
from elearn.learning.models import CourseCycle, PolicySignOff


def end_of_uk_day(day: date) -> datetime:
    """The UTC instant the London day after ``day`` begins."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK).astimezone(UTC)


def people_in_scope(academy_id: int | None, person_id: int | None) -> list[ColumnElement[bool]]:
    """Conditions on ``User`` for the people a report covers (``academy_id`` None: the trust)."""
    conditions: list[ColumnElement[bool]] = [
        User.active.is_(True),
        User.erased_at.is_(None),
        User.role.in_(TRAINED_ROLES),
    ]
    if academy_id is not None:
        conditions.append(User.academy_id == academy_id)
    if person_id is not None:
        conditions.append(User.id == person_id)
    return conditions


def latest_completions(
    session: Session, scope: list[ColumnElement[bool]], course_ids: list[str], as_of: date
) -> dict[tuple[int, str], Completion]:
    if not course_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=(CourseCycle.user_id, CourseCycle.course_id),
            order_by=(
                CourseCycle.completed_on.desc(),
                CourseCycle.completed_at.desc(),
                CourseCycle.id.desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(
            CourseCycle.user_id,
            CourseCycle.course_id,
            CourseCycle.completed_on,
            CourseCycle.expires_on,
            rank,
        )
        .where(
            CourseCycle.completed_on.is_not(None),
            # A report for a past day ignores what was done after it.
            CourseCycle.completed_on <= as_of,
            CourseCycle.course_id.in_(course_ids),
            CourseCycle.user_id.in_(select(User.id).where(*scope)),
        )
        .subquery()
    )
    rows = session.execute(
        select(
            ranked.c.user_id, ranked.c.course_id, ranked.c.completed_on, ranked.c.expires_on
        ).where(ranked.c.rank == 1)
    )
    return {
        (user_id, course_id): Completion(completed_on, expires_on)
        for user_id, course_id, completed_on, expires_on in rows
    }


def sign_offs(
    session: Session, scope: list[ColumnElement[bool]], policies: list[Requirement], as_of: date
) -> dict[tuple[int, str], SignOffs]:
    if not policies:
        return {}
    current = case(
        *[
            (
                and_(
                    PolicySignOff.course_id == r.course_id,
                    PolicySignOff.policy_version == r.policy_version,
                ),
                PolicySignOff.signed_at,
            )
            for r in policies
        ],
        else_=None,
    )
    rows = session.execute(
        select(
            PolicySignOff.user_id,
            PolicySignOff.course_id,
            func.max(current),
            func.count(PolicySignOff.id),
        )
        .where(
            PolicySignOff.course_id.in_([r.course_id for r in policies]),
            PolicySignOff.signed_at < end_of_uk_day(as_of),
            PolicySignOff.user_id.in_(select(User.id).where(*scope)),
        )
        .group_by(PolicySignOff.user_id, PolicySignOff.course_id)
    )
    return {
        (user_id, course_id): SignOffs(
            current_on=uk_date(signed_at) if signed_at is not None else None,
            signed_any=count > 0,
        )
        for user_id, course_id, signed_at, count in rows
    }


def policy_releases(session: Session, policies: list[Requirement]) -> dict[str, date]:
    if not policies:
        return {}
    wanted = {r.course_id: r.policy_version for r in policies}
    rows = session.execute(
        select(PolicyRelease.course_id, PolicyRelease.version, PolicyRelease.first_seen_on).where(
            PolicyRelease.course_id.in_(list(wanted))
        )
    )
    return {course: day for course, version, day in rows if wanted.get(course) == version}
