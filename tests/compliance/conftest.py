"""Compliance fixtures: a fixed catalogue of required courses and helpers to record training."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from elearn.auth.roles import Role, StaffKind
from elearn.catalog.model import Catalog, Course
from elearn.catalog.schema import Audience, Policy, Recurrence
from elearn.compliance.rules import expiry_for_completion
from elearn.learning.models import CourseCycle, PolicySignOff

STAFF = (Role.STAFF, Role.DSL, Role.HEAD)


def course(
    course_id: str,
    title: str,
    roles: tuple[Role, ...] = STAFF,
    *,
    recurrence: Recurrence | None = None,
    policy: Policy | None = None,
    exempt: tuple[StaffKind, ...] = (),
) -> Course:
    return Course(
        id=course_id,
        version=1,
        title=title,
        summary=f"About {title}.",
        audience=Audience(roles=roles, exempt_staff_kinds=exempt),
        lessons=(),
        quiz=None,
        questions=(),
        recurrence=recurrence,
        policy=policy,
        path=f"courses/{course_id}.yaml",
    )


INDUCTION = Recurrence(kind="induction", due_days_after_start=28)
REFRESHER = Recurrence(
    kind="recurring",
    due_days_after_start=28,
    valid_months=12,
    window_days=60,
    expiry_from="previous_expiry",
)
DSL = Recurrence(
    kind="recurring",
    due_days_after_start=28,
    valid_months=24,
    window_days=90,
    expiry_from="previous_expiry",
)
POLICY = Policy(version="2026.1", statement="I have read and understood the policy.")


def make_catalog(policy_version: str = "2026.1") -> Catalog:
    return Catalog(
        root=Path("."),
        courses=(
            course("staff-induction", "Staff induction — online safety", recurrence=INDUCTION),
            course(
                "safeguarding-refresher",
                "Safeguarding refresher — annual",
                recurrence=REFRESHER,
                exempt=(StaffKind.VOLUNTEER,),
            ),
            course("dsl-training", "DSL training: the policy", (Role.DSL,), recurrence=DSL),
            course(
                "policy-sign-off",
                "Policy — read and sign",
                policy=Policy(version=policy_version, statement="I have read it."),
            ),
            course("parent-guidance", "For parents", (Role.PARENT,)),
        ),
    )


@pytest.fixture
def catalog() -> Catalog:
    return make_catalog()


def complete(
    db,
    user,
    course_id: str,
    on: date,
    *,
    previous: date | None = None,
    recurrence: Recurrence | None = None,
    source: str = "online",
) -> CourseCycle:
    """Record a completed cycle with its expiry worked out by the rules."""
    if recurrence is None:
        recurrence = {
            "safeguarding-refresher": REFRESHER,
            "dsl-training": DSL,
            "staff-induction": INDUCTION,
        }.get(course_id)
    cycle = CourseCycle(
        user_id=user.id,
        course_id=course_id,
        course_version=1,
        started_at=datetime.combine(on, time(9), tzinfo=UTC),
        completed_at=datetime.combine(on, time(10), tzinfo=UTC),
        completed_on=on,
        expires_on=expiry_for_completion(recurrence, on, previous),
        source=source,
    )
    db.add(cycle)
    db.commit()
    return cycle


def sign(db, user, on: date, version: str = "2026.1") -> PolicySignOff:
    row = PolicySignOff(
        user_id=user.id,
        course_id="policy-sign-off",
        policy_version=version,
        statement="I have read it.",
        signed_at=datetime.combine(on, time(12), tzinfo=UTC),
    )
    db.add(row)
    db.commit()
    return row


class FixedCatalog:
    """Stands in for the app's catalogue source so tests do not depend on shipped content."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get(self) -> Catalog:
        return self.catalog


@pytest.fixture
def app_catalog(app, catalog) -> Catalog:
    """Make the app serve the fixed test catalogue."""
    app.extensions["elearn.catalog"] = FixedCatalog(catalog)
    return catalog
