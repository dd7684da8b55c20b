"""Three years of training history for the demo trust, so the dashboards tell a real story.

Made through the same services as real learning (online completions, offline records, policy
sign-offs), so expiry dates, certificates and xAPI statements are what the app itself makes.
Each academy ends up with staff in every state: complete, due soon, overdue new starters,
expired refreshers, volunteers. Northfield's DSL let their DSL training lapse, so
Northfield is flagged as having no DSL with in-date training.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.catalog.model import Catalog, Course
from elearn.compliance.models import PolicyRelease
from elearn.learning.context import Moment
from elearn.learning.models import CourseCycle

INDUCTION = "staff-induction"
REFRESHER = "safeguarding-refresher"
DSL_TRAINING = "dsl-training"
POLICY = "policy-sign-off"

# The current policy version appeared this many days ago; staff had four weeks to sign it.
POLICY_SEEN_DAYS_AGO = 120


@dataclass(frozen=True)
class Event:
    """One piece of history, ``days_ago`` before the demo's today."""

    course_id: str
    days_ago: int
    offline: str | None = None  # the evidence note for training done elsewhere


def _online(course_id: str, *days_ago: int) -> list[Event]:
    return [Event(course_id, days) for days in days_ago]


# Histories of the ten staff at each academy, by their position in the demo's staff list
# (newest starter first). Comments give where each ends up.
STAFF_HISTORY: dict[int, list[Event]] = {
    # 3 days in: everything due soon.
    0: [],
    # 12 days in: induction done, refresher due soon.
    1: [*_online(INDUCTION, 5), Event(POLICY, 4)],
    # 45 days in and nothing done: an overdue new starter.
    2: [],
    # 200 days: all complete.
    3: [*_online(INDUCTION, 190), *_online(REFRESHER, 185), Event(POLICY, 112)],
    # Refresher lapsed yesterday: expired.
    4: [*_online(INDUCTION, 370), *_online(REFRESHER, 366), Event(POLICY, 109)],
    # Renewed early last year (no extra time): in the window now, due soon.
    5: [*_online(INDUCTION, 690), *_online(REFRESHER, 680, 330), Event(POLICY, 100)],
    # Long-serving and up to date, renewed every year.
    6: [
        Event(INDUCTION, 1090, offline="Induction day with the DSL; signed checklist on file"),
        *_online(REFRESHER, 1080, 740, 380, 20),
        Event(POLICY, 110),
    ],
    # Stopped renewing: refresher expired, policy never signed.
    7: [
        Event(INDUCTION, 1490, offline="Induction pack and meeting with the DSL"),
        *_online(REFRESHER, 1150, 790, 420),
    ],
    # A volunteer: inducted, signed and refreshed like everyone who works with children.
    8: [
        Event(INDUCTION, 2390, offline="Volunteer induction session"),
        *_online(REFRESHER, 2000, 1640, 1280, 920, 560, 200),
        Event(POLICY, 115),
    ],
    # A volunteer who has never done anything: overdue induction and sign-off.
    9: [],
}

LEAD_HISTORY: dict[tuple[str, Role], list[Event]] = {
    ("riverside", Role.DSL): [
        Event(INDUCTION, 1850, offline="Induction with the head teacher"),
        *_online(REFRESHER, 395, 40),
        Event(DSL_TRAINING, 1030, offline="Local authority DSL course; certificate on file"),
        Event(DSL_TRAINING, 300, offline="Local authority DSL refresher; certificate on file"),
        Event(POLICY, 118),
    ],
    ("riverside", Role.HEAD): [
        Event(INDUCTION, 3280, offline="Headteacher induction with the trust"),
        *_online(REFRESHER, 50),
        Event(POLICY, 117),
    ],
    # Northfield's DSL trained over two years ago and has not renewed: the academy is flagged.
    ("northfield", Role.DSL): [
        Event(INDUCTION, 1845, offline="Induction with the head teacher"),
        *_online(REFRESHER, 200),
        Event(DSL_TRAINING, 800, offline="Local authority DSL course; certificate on file"),
        Event(POLICY, 116),
    ],
    ("northfield", Role.HEAD): [
        Event(INDUCTION, 3275, offline="Headteacher induction with the trust"),
        *_online(REFRESHER, 420),
    ],
}


def _at(day: date) -> datetime:
    # Mid-afternoon UTC is the same calendar day in London all year round.
    return datetime.combine(day, time(14, 0), tzinfo=UTC)


def _complete_online(
    session: Session, user: User, course: Course, day: date, base_url: str
) -> None:
    from elearn.learning.services import complete_cycle

    moment = Moment(now=_at(day), base_url=base_url)
    cycle = CourseCycle(
        user_id=user.id,
        course_id=course.id,
        course_version=course.version,
        started_at=moment.now - timedelta(hours=1),
    )
    session.add(cycle)
    session.flush()
    complete_cycle(session, user, course, cycle, moment, completed_on=day)


def _sign_policy(session: Session, user: User, course: Course, day: date, base_url: str) -> None:
    from elearn.learning.services import record_lesson_read, sign_off_policy

    moment = Moment(now=_at(day), base_url=base_url)
    for lesson in course.lessons:
        record_lesson_read(session, user, course, lesson, moment)
    sign_off_policy(session, user, course, moment, confirmed=True)


def _replay(
    session: Session,
    catalog: Catalog,
    user: User,
    events: list[Event],
    *,
    today: date,
    base_url: str,
    recorder: User | None,
) -> None:
    from elearn.learning.services import record_offline_completion

    for event in sorted(events, key=lambda e: -e.days_ago):
        course = catalog.course(event.course_id)
        if course is None:
            continue  # the trust's content no longer has this course
        day = today - timedelta(days=event.days_ago)
        if course.policy is not None:
            _sign_policy(session, user, course, day, base_url)
        elif event.offline and recorder is not None:
            record_offline_completion(
                session,
                user=user,
                course=course,
                completed_on=day,
                evidence_note=event.offline,
                recorded_by=recorder,
                base_url=base_url,
                now=_at(day) + timedelta(hours=2),
            )
        else:
            _complete_online(session, user, course, day, base_url)


def seed_training_history(session: Session, catalog: Catalog, *, today: date, base_url: str) -> int:
    """Give the demo academies' staff their history; returns how many people got some.

    Does nothing if any demo member of staff already has a training record.
    """
    academies = {
        a.code: a
        for a in session.scalars(
            select(Academy).where(Academy.code.in_(["riverside", "northfield"]))
        )
    }
    people = list(
        session.scalars(
            select(User)
            .where(
                User.academy_id.in_([a.id for a in academies.values()]),
                User.role.in_([Role.STAFF, Role.DSL, Role.HEAD]),
            )
            .order_by(User.start_on.desc(), User.id)
        )
    )
    if not people:
        return 0
    if session.scalar(
        select(CourseCycle.id).where(CourseCycle.user_id.in_([p.id for p in people])).limit(1)
    ):
        return 0

    policy = next((c for c in catalog.courses if c.policy is not None), None)
    if policy is not None and policy.policy is not None:
        session.add(
            PolicyRelease(
                course_id=policy.id,
                version=policy.policy.version,
                first_seen_on=today - timedelta(days=POLICY_SEEN_DAYS_AGO),
            )
        )

    seeded = 0
    for code, academy in academies.items():
        here = [p for p in people if p.academy_id == academy.id]
        dsl = next((p for p in here if p.role is Role.DSL), None)
        head = next((p for p in here if p.role is Role.HEAD), None)
        staff = [p for p in here if p.role is Role.STAFF]  # newest starter first
        for lead in (dsl, head):
            if lead is None:
                continue
            events = LEAD_HISTORY.get((code, lead.role), [])
            recorder = head if lead is dsl else dsl
            _replay(
                session, catalog, lead, events, today=today, base_url=base_url, recorder=recorder
            )
            seeded += bool(events)
        for position, member in enumerate(staff):
            events = list(STAFF_HISTORY.get(position, []))
            if code == "northfield" and position == 1:
                events = [e for e in events if e.course_id != POLICY]  # not signed yet
            _replay(session, catalog, member, events, today=today, base_url=base_url, recorder=dsl)
            seeded += bool(events)
    session.flush()
    return seeded


def seed_demo_training(session: Session, *, today: date) -> int:
    """:func:`seed_training_history` with the app's catalogue and base URL (or the configured
    ones when there is no app)."""
    from flask import current_app, has_app_context

    if has_app_context():
        catalog = current_app.extensions["elearn.catalog"].get()
        base_url = str(current_app.config["ELEARN"]["BASE_URL"])
    else:
        from elearn.catalog.loader import load_catalog
        from elearn.config import content_root, load_config

        config = load_config()
        catalog = load_catalog(content_root(config))
        base_url = str(config["BASE_URL"])
    return seed_training_history(session, catalog, today=today, base_url=base_url.rstrip("/"))
