"""Who may do what: pure functions of the person (and the thing), used by views and templates.

Everything is denied unless a rule here allows it. Academy-scoped rules compare academy ids;
trust admins are the only trust-wide role.
"""

from __future__ import annotations

from typing import Protocol

from elearn.auth.roles import Role


class Person(Protocol):
    """What a rule needs to know about someone; ``User`` and anonymous users both fit."""

    is_authenticated: bool

    @property
    def role(self) -> Role: ...

    @property
    def academy_id(self) -> int | None: ...


def _role(user: object) -> Role | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "role", None)


def is_signed_in(user: object) -> bool:
    return _role(user) is not None


def is_admin(user: object) -> bool:
    return _role(user) is Role.ADMIN


def is_pupil(user: object) -> bool:
    return _role(user) is Role.PUPIL


def is_parent(user: object) -> bool:
    return _role(user) is Role.PARENT


def is_staff_member(user: object) -> bool:
    """Staff, DSLs and heads: people with a training record to keep."""
    return _role(user) in (Role.STAFF, Role.DSL, Role.HEAD)


def is_safeguarding_lead(user: object) -> bool:
    """DSLs and head teachers, who see their academy's dashboard and inbox."""
    return _role(user) in (Role.DSL, Role.HEAD)


def can_view_academy(user: object, academy_id: int | None) -> bool:
    """See an academy's people, dashboard and reports: its DSL and head, or a trust admin."""
    if is_admin(user):
        return True
    return is_safeguarding_lead(user) and getattr(user, "academy_id", None) == academy_id


def can_manage_people(user: object, academy_id: int | None) -> bool:
    """Create and edit people in an academy: its head teacher, or a trust admin."""
    if is_admin(user):
        return True
    return _role(user) is Role.HEAD and getattr(user, "academy_id", None) == academy_id


def can_assign_role(user: object, role: Role) -> bool:
    """Nobody hands out a role above their own; only admins make admins or heads."""
    if is_admin(user):
        return True
    if _role(user) is Role.HEAD:
        return role in (Role.PUPIL, Role.PARENT, Role.STAFF, Role.DSL)
    return False


def can_reset_pupil_password(user: object, pupil_academy_id: int | None) -> bool:
    """Teachers reset the passwords of pupils in their own academy (classroom sign-in)."""
    if is_admin(user):
        return True
    return is_staff_member(user) and getattr(user, "academy_id", None) == pupil_academy_id


def can_view_trust(user: object) -> bool:
    return is_admin(user)


def has_training_record(user: object) -> bool:
    return is_staff_member(user)
