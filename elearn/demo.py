"""A demo trust: two academies with leads, staff, pupils and parents. Safe to run again."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.admin.services import year_label
from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.passwords import hash_password
from elearn.auth.roles import Role, StaffKind

DEMO_PASSWORD = "elearn-demo"

FIRST_NAMES = (
    "Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Freya Oscar Lily Harry "
    "Grace Jack Sophia Charlie Evie Theo Poppy Alfie Ella Jacob Rosie Henry Willow "
    "Thomas Daisy Archie Aisha Yusuf Zara Ibrahim Maya Arjun Priya Kai Niamh Callum "
    "Erin Dylan Megan Rhys Chloe"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan "
    "Hussain Begum Ali Singh Murphy Kelly Lewis Harris Martin Cooper Ward Turner "
    "Hill Moore Clark Young Allen King"
).split()


@dataclass(frozen=True)
class DemoAcademy:
    code: str
    name: str
    phase: str
    year_groups: tuple[int, ...]


DEMO_ACADEMIES = (
    DemoAcademy("riverside", "Riverside Primary Academy", "primary", (5,)),
    DemoAcademy("northfield", "Northfield Secondary Academy", "secondary", (8,)),
)


@dataclass
class DemoSummary:
    created: bool
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, about)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if name not in used:
            used.add(name)
            return name


def _username(name: str, suffix: str, taken: set[str]) -> str:
    first, last = name.lower().split(" ", 1)
    base = f"{first}.{last}{suffix}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def seed_demo(session: Session, *, today: date) -> DemoSummary:
    """Create the demo trust unless it is already there; return the logins worth showing."""
    if session.scalar(select(Academy).where(Academy.code == DEMO_ACADEMIES[0].code)):
        return DemoSummary(created=False, logins=demo_logins(session))

    rng = random.Random(20260901)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: fast
    names: set[str] = set()
    usernames: set[str] = set()

    def person(role: Role, name: str, username: str, **extra: object) -> User:
        user = User(
            role=role,
            display_name=name,
            username=username,
            password_hash=password_hash,
            **extra,
        )
        session.add(user)
        return user

    person(
        Role.ADMIN,
        "Sam Okafor",
        "admin",
        email="sam.okafor@trust.example",
        staff_kind=StaffKind.TRUST,
        start_on=today - timedelta(days=6 * 365),
    )
    for index, spec in enumerate(DEMO_ACADEMIES):
        academy = Academy(name=spec.name, code=spec.code, phase=spec.phase)
        session.add(academy)
        domain = f"{spec.code}.example"
        dsl_name, head_name = _name(rng, names), _name(rng, names)
        person(
            Role.DSL,
            dsl_name,
            f"dsl.{spec.code}",
            academy=academy,
            email=f"dsl@{domain}",
            staff_kind=StaffKind.TEACHER,
            start_on=today - timedelta(days=5 * 365 + 40),
        )
        person(
            Role.HEAD,
            head_name,
            f"head.{spec.code}",
            academy=academy,
            email=f"head@{domain}",
            staff_kind=StaffKind.TEACHER,
            start_on=today - timedelta(days=9 * 365),
        )
        # Ten staff each, from this week's new starter to long-serving colleagues.
        starts = (3, 12, 45, 200, 380, 700, 1100, 1500, 2400, 3650)
        kinds = (StaffKind.TEACHER,) * 5 + (StaffKind.SUPPORT,) * 3 + (StaffKind.VOLUNTEER,) * 2
        for n, (days_ago, kind) in enumerate(zip(starts, kinds, strict=True)):
            name = _name(rng, names)
            username = "staff." + spec.code if n == 0 else _username(name, "", usernames)
            person(
                Role.STAFF,
                name,
                username,
                academy=academy,
                email=f"{username}@{domain}",
                staff_kind=kind,
                start_on=today - timedelta(days=days_ago + index),
            )
        pupils: list[User] = []
        for n in range(30):
            name = _name(rng, names)
            year = spec.year_groups[n % len(spec.year_groups)]
            username = f"pupil.{spec.code}" if n == 0 else _username(name, str(year), usernames)
            pupils.append(person(Role.PUPIL, name, username, academy=academy, year_group=year))
        # Ten parents each; the first two have two children at the academy.
        for n in range(10):
            surname = pupils[n].display_name.split(" ", 1)[1]
            name = f"{rng.choice(FIRST_NAMES)} {surname}"
            username = f"parent.{spec.code}" if n == 0 else _username(name, "", usernames)
            parent = person(
                Role.PARENT, name, username, academy=academy, email=f"{username}@home.example"
            )
            session.add(ParentLink(parent=parent, pupil=pupils[n]))
            if n < 2:
                session.add(ParentLink(parent=parent, pupil=pupils[10 + n]))
    session.flush()
    from elearn.compliance.demo import seed_demo_training

    seed_demo_training(session, today=today)  # training history for the dashboards
    return DemoSummary(created=True, logins=demo_logins(session))


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    wanted = ["admin"] + [
        f"{kind}.{a.code}"
        for a in DEMO_ACADEMIES
        for kind in ("dsl", "head", "staff", "pupil", "parent")
    ]
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(wanted)))}
    logins = []
    for username in wanted:
        user = users.get(username)
        if user is not None:
            where = user.academy.name if user.academy else "the trust"
            # A pupil's year decides which courses they see, so the demo says which it is.
            year = f", {year_label(user.year_group)}" if user.role is Role.PUPIL else ""
            logins.append((user.role.label, username, f"{user.display_name}{year}, {where}"))
    return logins
