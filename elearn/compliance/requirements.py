"""Which courses are required training, for whom, and how their due dates are set.

A requirement is a catalogue course with a ``recurrence`` (induction or a recurring refresher)
or a ``policy`` (the "read and understood" sign-off of the current policy version), limited to
the staff roles in its audience. Staff kinds the audience exempts (e.g. volunteers) are not
required to do it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from elearn.auth.roles import Role, StaffKind
from elearn.catalog.model import Catalog, Course
from elearn.catalog.schema import Recurrence

# Roles that carry a training record. Trust administrators are not in any course's staff
# audience; trust central staff hold the staff role without an academy.
TRAINED_ROLES: tuple[Role, ...] = (Role.STAFF, Role.DSL, Role.HEAD)

# The course that proves a DSL is trained; an academy without a DSL holding it in date is
# flagged on the dashboards.
DSL_COURSE_ID = "dsl-training"

# A new policy version is due this many days after it first appears (or after a new starter's
# start date, whichever is later), matching the induction's four weeks.
POLICY_DUE_DAYS = 28


class RequirementKind(StrEnum):
    INDUCTION = "induction"
    RECURRING = "recurring"
    POLICY = "policy"


@dataclass(frozen=True)
class Requirement:
    course_id: str
    title: str
    kind: RequirementKind
    roles: frozenset[Role]
    exempt: frozenset[StaffKind]
    recurrence: Recurrence | None = None
    policy_version: str | None = None

    def applies_to(self, role: Role, staff_kind: StaffKind | None) -> bool:
        """Whether someone in this role, of this kind of staff, must do this training."""
        return role in self.roles and (staff_kind is None or staff_kind not in self.exempt)

    @property
    def short_title(self) -> str:
        """A column heading made from the course id ("dsl-training" -> "DSL training"):
        course titles are written for learners and are too long to head a column."""
        words = [_ACRONYMS.get(word, word) for word in self.course_id.split("-")]
        text = " ".join(words).replace("sign off", "sign-off")
        return text[:1].upper() + text[1:]


_ACRONYMS = {"dsl": "DSL", "ks2": "KS2", "ks3": "KS3", "pshe": "PSHE", "send": "SEND"}


def requirement_for(course: Course) -> Requirement | None:
    """The requirement a course makes of staff, or None when it is not required training."""
    roles = frozenset(course.audience.roles).intersection(TRAINED_ROLES)
    if not roles:
        return None
    exempt = frozenset(course.audience.exempt_staff_kinds)
    if course.policy is not None:
        return Requirement(
            course_id=course.id,
            title=course.title,
            kind=RequirementKind.POLICY,
            roles=roles,
            exempt=exempt,
            policy_version=course.policy.version,
        )
    if course.recurrence is not None:
        return Requirement(
            course_id=course.id,
            title=course.title,
            kind=RequirementKind(course.recurrence.kind),
            roles=roles,
            exempt=exempt,
            recurrence=course.recurrence,
        )
    return None


_KIND_ORDER = {
    RequirementKind.INDUCTION: 0,
    RequirementKind.RECURRING: 1,
    RequirementKind.POLICY: 2,
}


def requirements_from(catalog: Catalog) -> tuple[Requirement, ...]:
    """Every required course, in the order a member of staff meets them: induction, then
    refreshers (those for all staff before role-specific ones), then the policy sign-off;
    catalogue order within each."""
    found = [r for course in catalog.courses if (r := requirement_for(course)) is not None]
    ranked = sorted(
        enumerate(found), key=lambda pair: (_KIND_ORDER[pair[1].kind], -len(pair[1].roles), pair[0])
    )
    return tuple(requirement for _, requirement in ranked)


def dsl_course_id(catalog: Catalog) -> str | None:
    """The DSL training course: ``dsl-training``, else the only recurring DSL-only course."""
    course = catalog.course(DSL_COURSE_ID)
    if course is not None and course.recurrence is not None:
        return course.id
    for course in catalog.courses:
        if course.recurrence is not None and tuple(course.audience.roles) == (Role.DSL,):
            return course.id
    return None
