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


def can_manage_person(user: object, person: object) -> bool:
    """Edit, deactivate or reset someone: a trust admin, or the head of their academy as long as
    the person's role is one the head may hand out (a head cannot manage another head)."""
    if is_admin(user):
        return True
    role = getattr(person, "role", None)
    return (
        role is not None
        and can_manage_people(user, getattr(person, "academy_id", None))
        and can_assign_role(user, role)
    )


def can_set_academy_contact(user: object, academy_id: int | None) -> bool:
    """The contact details parents see (DSL, office phone and e-mail): a trust admin, or the
    head teacher of that academy."""
    if is_admin(user):
        return True
    return (
        _role(user) is Role.HEAD
        and academy_id is not None
        and getattr(user, "academy_id", None) == academy_id
    )


def can_list_people(user: object) -> bool:
    """Open the people pages: trust admins (everyone) and head teachers (their academy)."""
    return _role(user) in (Role.ADMIN, Role.HEAD)


def can_use_class_sign_in(user: object) -> bool:
    """Class lists, sign-in cards and pupil password resets: academy staff and admins."""
    return is_admin(user) or (
        is_staff_member(user) and getattr(user, "academy_id", None) is not None
    )


def can_manage_trust_settings(user: object) -> bool:
    """Academies, roster imports, data-protection requests and retention: trust admins."""
    return is_admin(user)


def can_view_content(user: object) -> bool:
    """The content page and previews of every lesson and question: trust admins and heads."""
    return _role(user) in (Role.ADMIN, Role.HEAD)


def can_view_trust(user: object) -> bool:
    return is_admin(user)


def can_view_compliance(user: object) -> bool:
    """Training dashboards and staff training records: DSLs and heads (their academy), admins."""
    return is_safeguarding_lead(user) or is_admin(user)


def can_view_pupil_progress(user: object) -> bool:
    """Pupils' lesson and quiz progress: academy staff (their academy's pupils), trust admins."""
    return is_admin(user) or (
        is_staff_member(user) and getattr(user, "academy_id", None) is not None
    )


def can_record_offline_training(user: object, academy_id: int | None) -> bool:
    """Record training done elsewhere for someone: their academy's DSL or head, or an admin."""
    return can_view_academy(user, academy_id)


def has_training_record(user: object) -> bool:
    return is_staff_member(user)


# Safeguarding reports. Report content stays inside the academy: trust admins do not see it.
# Blocked-site requests and contact attempts are the head teacher's to handle (the policy sends
# them to the head); the academy's DSL may read them.
HEAD_ONLY_REPORT_KINDS = frozenset({"blocked_access", "contact_attempt"})


def _in_academy(user: object) -> bool:
    return _role(user) not in (None, Role.ADMIN) and getattr(user, "academy_id", None) is not None


def can_tell_trusted_adult(user: object) -> bool:
    return is_pupil(user) and _in_academy(user)


def can_report_inappropriate_content(user: object) -> bool:
    """Anyone at an academy may report a website seen on its equipment."""
    return _in_academy(user)


def can_request_blocked_site(user: object) -> bool:
    return is_staff_member(user) and _in_academy(user)


def can_report_contact_attempt(user: object) -> bool:
    """Staff (either direction) and parents or carers (a member of staff contacted them)."""
    return (is_staff_member(user) or is_parent(user)) and _in_academy(user)


def can_raise_parent_concern(user: object) -> bool:
    """A parent or carer's worry about a child's safety online, for the academy's DSL."""
    return is_parent(user) and _in_academy(user)


def can_record_cyberbullying(user: object) -> bool:
    return is_staff_member(user) and _in_academy(user)


def can_view_report(user: object, academy_id: int | None) -> bool:
    """Read a report and its files: the DSL or head of the report's academy, nobody else."""
    return (
        is_safeguarding_lead(user)
        and academy_id is not None
        and getattr(user, "academy_id", None) == academy_id
    )


def can_handle_report(user: object, academy_id: int | None, kind: str) -> bool:
    """Assign, add to, close or reopen a report the person can read."""
    if not can_view_report(user, academy_id):
        return False
    return _role(user) is Role.HEAD or kind not in HEAD_ONLY_REPORT_KINDS


def can_decide_blocked_site(user: object, academy_id: int | None) -> bool:
    """The head teacher makes the final decision on unblocking a site."""
    return _role(user) is Role.HEAD and can_view_report(user, academy_id)
