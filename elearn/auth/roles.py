"""The roles people hold and the kinds of staff; shared by auth, the catalogue and compliance."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PUPIL = "pupil"
    PARENT = "parent"
    STAFF = "staff"
    DSL = "dsl"
    HEAD = "head"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        """Staff in the policy's sense: everyone employed by (or volunteering at) an academy."""
        return self in STAFF_ROLES


ROLE_LABELS: dict[Role, str] = {
    Role.PUPIL: "Pupil",
    Role.PARENT: "Parent or carer",
    Role.STAFF: "Staff",
    Role.DSL: "Designated safeguarding lead",
    Role.HEAD: "Head teacher",
    Role.ADMIN: "Trust administrator",
}

STAFF_ROLES: frozenset[Role] = frozenset({Role.STAFF, Role.DSL, Role.HEAD, Role.ADMIN})


class StaffKind(StrEnum):
    """What sort of staff member someone is; courses may exempt a kind (e.g. volunteers)."""

    TEACHER = "teacher"
    SUPPORT = "support"
    VOLUNTEER = "volunteer"
    TRUST = "trust"

    @property
    def label(self) -> str:
        return {
            StaffKind.TEACHER: "Teacher",
            StaffKind.SUPPORT: "Support staff",
            StaffKind.VOLUNTEER: "Volunteer",
            StaffKind.TRUST: "Trust staff",
        }[self]
