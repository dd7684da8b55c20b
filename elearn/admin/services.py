"""People and parent links: creating, editing, roles, deactivation and password resets.

Every function here takes the acting person and checks the rule itself as well as the view,
so a future caller cannot skip it. Every change to a person is written to the audit trail in
the same transaction. Audit details name fields and roles, never a person's name or e-mail,
so the trail stays useful after someone's details are erased.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from elearn.admin import access_grants
from elearn.admin.passwords import memorable_password
from elearn.audit.services import record_about_person
from elearn.auth import permissions as can
from elearn.auth.models import Academy, User
from elearn.auth.passwords import hash_password
from elearn.auth.roles import Role, StaffKind
from elearn.auth.services import revoke_all_sessions

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,78}[a-z0-9]$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Nursery 1 (-2) and Nursery 2 (-1), Reception (0), then Year 1 to Year 13: one integer
# column that sorts in school order.
YEAR_GROUPS = range(-2, 14)


class NotAllowed(PermissionError):
    """The acting person may not do this; views turn it into 403 or 404."""


@dataclass(frozen=True)
class PersonDetails:
    """What a person form collects; every field already trimmed."""

    display_name: str
    username: str
    email: str | None
    role: Role
    academy_id: int | None
    year_group: int | None = None
    staff_kind: StaffKind | None = None
    start_on: date | None = None


@dataclass(frozen=True)
class Problems:
    """Problems with a form's values, by field name; empty means the values can be saved."""

    by_field: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def normalise_email(email: str | None) -> str | None:
    value = (email or "").strip().lower()
    return value or None


def normalise_username(username: str) -> str:
    # One Unicode form, so "zoë" typed as one character or as e + accent is the same name.
    return unicodedata.normalize("NFC", username.strip()).lower()


def year_label(year_group: int | None) -> str:
    if year_group is None:
        return ""
    if year_group < 0:
        return f"Nursery {year_group + 3}"
    return "Reception" if year_group == 0 else f"Year {year_group}"


# --- what someone may see -------------------------------------------------------------------


def scope_people(query: Select, actor: User) -> Select:
    """Limit a query over ``User`` to the people ``actor`` may see.

    Admins see everyone; heads their academy; other academy staff only their academy's
    pupils (for class lists). Erased records are never listed: nothing personal is left.
    """
    query = query.where(User.erased_at.is_(None))
    if can.is_admin(actor):
        return query
    if actor.role is Role.HEAD and actor.academy_id is not None:
        return query.where(User.academy_id == actor.academy_id)
    if can.can_use_class_sign_in(actor):
        return query.where(User.academy_id == actor.academy_id, User.role == Role.PUPIL)
    return query.where(False)


def visible_person(session: Session, actor: User, user_id: int) -> User | None:
    """The person with this id if ``actor`` may see them, else None (the view answers 404)."""
    return session.scalar(scope_people(select(User), actor).where(User.id == user_id))


@dataclass(frozen=True)
class PeopleFilter:
    academy_id: int | None = None
    role: Role | None = None
    search: str = ""
    include_inactive: bool = False
    year_group: int | None = None


PAGE_SIZE = 50


@dataclass(frozen=True)
class PeoplePage:
    """One page of a people search, with what is needed to link to the others."""

    rows: list[User]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def _like_term(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with its own ``%`` and ``_`` taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _people_query(actor: User, wanted: PeopleFilter) -> Select:
    query = scope_people(select(User), actor)
    if wanted.academy_id is not None:
        query = query.where(User.academy_id == wanted.academy_id)
    if wanted.role is not None:
        query = query.where(User.role == wanted.role)
    if wanted.year_group is not None:
        query = query.where(User.year_group == wanted.year_group)
    if not wanted.include_inactive:
        query = query.where(User.active.is_(True))
    term = wanted.search.strip().lower()
    if term:
        like = _like_term(term)
        query = query.where(
            or_(
                *(
                    func.lower(func.coalesce(column, "")).like(like, escape="\\")
                    for column in (User.display_name, User.username, User.email, User.roster_id)
                )
            )
        )
    return query


def people_page(
    session: Session, actor: User, wanted: PeopleFilter, number: int, *, size: int = PAGE_SIZE
) -> PeoplePage | None:
    """Page ``number`` (from 1) of the people ``actor`` may see that match; None past the end."""
    query = _people_query(actor, wanted)
    total = session.scalar(query.with_only_columns(func.count(User.id)).order_by(None)) or 0
    if number < 1 or (number - 1) * size >= max(total, 1):
        return None
    rows = session.scalars(
        query.order_by(User.display_name, User.id).offset((number - 1) * size).limit(size)
    )
    return PeoplePage(rows=list(rows), total=total, number=number, size=size)


def academies_for(session: Session, actor: User) -> list[Academy]:
    """The academies ``actor`` may choose from when managing people."""
    query = select(Academy).order_by(Academy.name)
    if not can.is_admin(actor):
        query = query.where(Academy.id == actor.academy_id)
    return list(session.scalars(query))


def assignable_roles(actor: User) -> list[Role]:
    return [role for role in Role if can.can_assign_role(actor, role)]


# --- checking details -----------------------------------------------------------------------


def check_details(
    session: Session, actor: User, details: PersonDetails, *, person: User | None = None
) -> Problems:
    """Everything wrong with ``details`` for a new person (or for ``person`` when editing)."""
    problems: dict[str, str] = {}
    if not details.display_name:
        problems["display_name"] = "Enter the person's name."
    elif len(details.display_name) > 200:
        problems["display_name"] = "Use at most 200 characters for the name."

    if not USERNAME_PATTERN.match(details.username):
        problems["username"] = (
            "Use 3 to 80 lower-case letters, digits, dots, dashes, underscores or @ for the "
            "username, starting and ending with a letter or digit."
        )
    else:
        clash = session.scalar(select(User.id).where(User.username == details.username))
        if clash is not None and (person is None or clash != person.id):
            problems["username"] = "That username is already taken. Choose another."

    if details.email is not None:
        if not EMAIL_PATTERN.match(details.email) or len(details.email) > 254:
            problems["email"] = "Enter an e-mail address like name@school.example."
        else:
            clash = session.scalar(select(User.id).where(func.lower(User.email) == details.email))
            if clash is not None and (person is None or clash != person.id):
                problems["email"] = "Another person already has that e-mail address."

    problems.update(_role_problems(session, actor, details))
    return Problems(problems)


def _role_problems(session: Session, actor: User, details: PersonDetails) -> dict[str, str]:
    problems: dict[str, str] = {}
    role = details.role
    if not can.can_assign_role(actor, role):
        problems["role"] = "You cannot give someone that role."
    if details.academy_id is not None and session.get(Academy, details.academy_id) is None:
        problems["academy_id"] = "Choose an academy from the list."
    elif details.academy_id is not None and not can.can_manage_people(actor, details.academy_id):
        problems["academy_id"] = "You can only add people to your own academy."
    trust_level = role is Role.ADMIN or (role.is_staff and details.staff_kind is StaffKind.TRUST)
    if details.academy_id is None and not trust_level:
        problems["academy_id"] = "Choose the academy this person belongs to."
    if role is Role.ADMIN and details.academy_id is not None:
        problems["academy_id"] = "Trust administrators belong to the trust, not an academy."
    if role is Role.PUPIL:
        if details.year_group is None:
            problems["year_group"] = "Choose the pupil's year group."
        elif details.year_group not in YEAR_GROUPS:
            problems["year_group"] = "Choose a year group from Nursery 1 to Year 13."
    if role.is_staff and details.staff_kind is None:
        problems["staff_kind"] = "Choose what kind of staff member this is."
    return problems


def _apply_details(person: User, details: PersonDetails) -> list[str]:
    """Copy details onto the person; returns the names of the fields that changed."""
    values = {
        "display_name": details.display_name,
        "username": details.username,
        "email": details.email,
        "academy_id": details.academy_id,
        "year_group": details.year_group if details.role is Role.PUPIL else None,
        "staff_kind": details.staff_kind if details.role.is_staff else None,
        "start_on": details.start_on if details.role.is_staff else None,
    }
    changed = []
    for name, value in values.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    return changed


# --- changes --------------------------------------------------------------------------------


def create_person(session: Session, actor: User, details: PersonDetails, *, now: datetime) -> User:
    """Add a person (without a password: they get one from a reset or sign in with SSO)."""
    if not can.can_manage_people(actor, details.academy_id) or not can.can_assign_role(
        actor, details.role
    ):
        raise NotAllowed("cannot create this person")
    problems = check_details(session, actor, details)
    if problems:
        raise ValueError(problems.by_field)
    person = User(role=details.role, display_name="", username="", active=True)
    _apply_details(person, details)
    session.add(person)
    session.flush()
    record_about_person(
        session,
        actor_id=actor.id,
        action="person.create",
        person=person,
        detail={"role": person.role.value},
        at=now,
    )
    if access_grants.has_safeguarding_access(person.role):
        access_grants.note_safeguarding_access(
            session, actor, person, access_grants.GRANTED, now=now
        )
    return person


def update_person(
    session: Session, actor: User, person: User, details: PersonDetails, *, now: datetime
) -> list[str]:
    """Save edited details (not the role: that is ``change_role``). Returns changed fields."""
    if not can.can_manage_person(actor, person) or details.role is not person.role:
        raise NotAllowed("cannot edit this person")
    if not can.can_manage_people(actor, details.academy_id):
        raise NotAllowed("cannot move this person there")
    problems = check_details(session, actor, details, person=person)
    if problems:
        raise ValueError(problems.by_field)
    academy_before = person.academy_id
    changed = _apply_details(person, details)
    if changed:
        record_about_person(
            session,
            actor_id=actor.id,
            action="person.update",
            person=person,
            detail={"fields": changed, "academy_before": academy_before},
            at=now,
        )
    if "academy_id" in changed and access_grants.has_safeguarding_access(person.role):
        # A lead moved to another academy can now read that academy's reports.
        access_grants.note_safeguarding_access(
            session, actor, person, access_grants.GRANTED, now=now
        )
    return changed


def change_role(
    session: Session, actor: User, person: User, details: PersonDetails, *, now: datetime
) -> bool:
    """Give someone a new role (trust admins only), with the fields that role needs.

    Returns False when nothing changed. Nobody changes their own role: an admin cannot lock
    the trust out by demoting the last admin by mistake.
    """
    if not can.is_admin(actor) or person.id == actor.id:
        raise NotAllowed("only trust administrators change roles, and never their own")
    problems = check_details(session, actor, details, person=person)
    if problems:
        raise ValueError(problems.by_field)
    before = person.role
    changed = _apply_details(person, details)
    if before is details.role and not changed:
        return False
    person.role = details.role
    record_about_person(
        session,
        actor_id=actor.id,
        action="person.role_change",
        person=person,
        detail={"from": before.value, "to": details.role.value, "fields": changed},
        at=now,
    )
    if access_grants.has_safeguarding_access(person.role) and (
        before is not person.role or "academy_id" in changed
    ):
        access_grants.note_safeguarding_access(
            session, actor, person, access_grants.GRANTED, now=now
        )
    # A new role changes what the person may see: make them sign in again.
    revoke_all_sessions(session, person.id, now=now)
    return True


def deactivate_person(session: Session, actor: User, person: User, *, now: datetime) -> None:
    """Stop someone signing in (a leaver). Their record stays until retention says otherwise."""
    if not can.can_manage_person(actor, person) or person.id == actor.id:
        raise NotAllowed("cannot deactivate this person")
    if not person.active:
        return
    person.active = False
    person.left_on = person.left_on or now.date()
    revoke_all_sessions(session, person.id, now=now)
    record_about_person(
        session,
        actor_id=actor.id,
        action="person.deactivate",
        person=person,
        at=now,
    )


def reactivate_person(session: Session, actor: User, person: User, *, now: datetime) -> None:
    if not can.can_manage_person(actor, person) or person.erased_at is not None:
        raise NotAllowed("cannot reactivate this person")
    if person.active:
        return
    person.active = True
    person.left_on = None
    record_about_person(
        session,
        actor_id=actor.id,
        action="person.reactivate",
        person=person,
        at=now,
    )


def may_reset_password(actor: User, person: User) -> bool:
    """Managers reset anyone they manage; academy staff reset their own pupils only."""
    if person.erased_at is not None or not person.active:
        return False
    if can.can_manage_person(actor, person):
        return True
    return person.role is Role.PUPIL and can.can_reset_pupil_password(actor, person.academy_id)


def reset_password(session: Session, actor: User, person: User, *, now: datetime) -> str:
    """Give someone a new memorable password and sign them out everywhere.

    The password is returned once for the screen or card and never stored in clear.
    """
    password = memorable_password()
    set_password_for(session, actor, person, hash_password(password), now=now)
    return password


def set_password_for(
    session: Session,
    actor: User,
    person: User,
    password_hash: str,
    *,
    now: datetime,
    detail: dict[str, str] | None = None,
) -> None:
    """Save a password someone else chose for ``person`` (already hashed).

    Whoever set it has seen it, so the person must choose their own at their next sign-in.
    Every reset (a single one or a class's sign-in cards) comes through here.
    """
    if not may_reset_password(actor, person) or person.id == actor.id:
        raise NotAllowed("cannot reset this password")
    person.password_hash = password_hash
    person.must_change_password = True
    revoke_all_sessions(session, person.id, now=now)
    record_about_person(
        session,
        actor_id=actor.id,
        action="person.password_reset",
        person=person,
        detail=detail,
        at=now,
    )
    if access_grants.has_safeguarding_access(person.role):
        # Whoever reset it can sign in as this lead until they choose their own.
        access_grants.note_safeguarding_access(
            session, actor, person, access_grants.PASSWORD_RESET, now=now
        )


def find_by_username(session: Session, actor: User, username: str) -> User | None:
    return session.scalar(
        scope_people(select(User), actor).where(User.username == normalise_username(username))
    )
