"""Generated people and their training history, as plain row dictionaries for bulk inserts.

Everything is drawn from one seeded ``random.Random`` so the same spec always gives the same
trust. Ids are assigned here (not by the database) so related rows can be built without
reading anything back.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from elearn.auth.roles import Role, StaffKind
from elearn.catalog.model import Catalog, Course
from elearn.compliance.rules import expiry_for_completion
from elearn.learning.models import CompletionSource

FIRST_NAMES = (
    "Aisha Ben Chloe Daniel Ella Freddie Grace Harry Isla Jack Kai Lily Mohammed Nia Oliver "
    "Poppy Quinn Rosie Sam Tom Uma Victor Willow Yusuf Zara Amelia Callum Erin Finn Hannah"
).split()
SURNAMES = (
    "Ahmed Brown Clarke Davies Evans Fletcher Green Hughes Iqbal Jones Khan Lewis Morgan "
    "Nolan Owen Patel Roberts Shaw Taylor Walker Wilson Wright Young Baker Carter Hall"
).split()
PLACES = (
    "Redcar Stockton Yarm Marton Acklam Thornaby Eston Guisborough Ingleby Billingham "
    "Norton Hartburn Coulby Nunthorpe Linthorpe Ormesby Saltburn Skelton Brotton Loftus"
).split()

SMART_BY_YEAR = {3: "smart-ks2", 4: "smart-ks2", 5: "smart-ks2", 6: "smart-ks2"}
SMART_BY_YEAR.update({7: "smart-ks3", 8: "smart-ks3", 9: "smart-ks3"})


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


@dataclass
class Person:
    """What the statement generator and the pools need to know about a generated person."""

    id: int
    role: Role
    academy_id: int | None
    xapi_id: str
    year_group: int | None = None


@dataclass
class Generated:
    """The rows of one seeded trust, table by table, plus the people for later stages."""

    academies: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    cycles: list[dict[str, Any]] = field(default_factory=list)
    sign_offs: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


class TrustBuilder:
    """Builds academies, people, parent links and completed training over the years."""

    def __init__(
        self, spec: Any, catalog: Catalog, *, today: date, password_hash: str, now: datetime
    ) -> None:
        self.spec = spec
        self.catalog = catalog
        self.today = today
        self.now = now
        self.password_hash = password_hash
        self.rng = random.Random(spec.seed)
        self.out = Generated()
        self._user_id = 0
        self._cycle_id = 0

    # --- people ---------------------------------------------------------------------------

    def build(self) -> Generated:
        spec = self.spec
        for n in range(1, spec.academies + 1):
            place = PLACES[(n - 1) % len(PLACES)]
            suffix = "" if n <= len(PLACES) else f" {n}"
            self.out.academies.append(
                {
                    "id": n,
                    "name": f"{place} {'Primary' if n % 2 else 'Secondary'} Academy{suffix}",
                    "code": f"ac{n:03d}",
                    "urn": str(100000 + n),
                    "phase": "primary" if n % 2 else "secondary",
                    "roster_id": None,
                    "created_at": self.now,
                }
            )
        for n in range(1, 3):
            self._user(Role.ADMIN, None, username=f"admin{n}", staff_kind=StaffKind.TRUST)
        for academy_id, count in self._staff_per_academy().items():
            self._staff(academy_id, count)
        pupils = self._pupils()
        self._parents(pupils)
        self.out.releases.append(self._release())
        return self.out

    def _staff_per_academy(self) -> dict[int | None, int]:
        spec = self.spec
        counts: dict[int | None, int] = {
            1: spec.large_academy_staff,
            2: spec.small_academy_staff,
            None: spec.trust_staff,
        }
        rest = spec.staff - sum(counts.values())
        others = list(range(3, spec.academies + 1))
        for index, academy_id in enumerate(others):
            counts[academy_id] = rest // len(others) + (1 if index < rest % len(others) else 0)
        return counts

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"

    def _user(
        self,
        role: Role,
        academy_id: int | None,
        *,
        username: str | None = None,
        staff_kind: StaffKind | None = None,
        year_group: int | None = None,
        start_on: date | None = None,
    ) -> Person:
        self._user_id += 1
        uid = self._user_id
        xapi_id = f"{self.rng.getrandbits(128):032x}"
        self.out.users.append(
            {
                "id": uid,
                "username": username or f"{role.value}{uid}",
                "display_name": self._name(),
                "email": f"{role.value}{uid}@bench.invalid" if role.is_staff else None,
                "role": role,
                "academy_id": academy_id,
                "year_group": year_group,
                "staff_kind": staff_kind,
                "start_on": start_on,
                "left_on": None,
                "active": True,
                "password_hash": self.password_hash,
                "xapi_id": xapi_id,
                "roster_id": None,
                "created_at": self.now,
                "updated_at": self.now,
                "erased_at": None,
            }
        )
        person = Person(uid, role, academy_id, xapi_id, year_group)
        self.out.people.append(person)
        return person

    def _staff(self, academy_id: int | None, count: int) -> None:
        rng = self.rng
        for index in range(count):
            if academy_id is None:
                role, kind = Role.STAFF, StaffKind.TRUST
            elif index == 0:
                role, kind = Role.HEAD, StaffKind.TEACHER
            elif index <= (2 if count >= 10 else 1):
                role, kind = Role.DSL, StaffKind.TEACHER
            else:
                role = Role.STAFF
                draw = rng.random()
                kind = (
                    StaffKind.TEACHER
                    if draw < 0.5
                    else StaffKind.SUPPORT
                    if draw < 0.88
                    else StaffKind.VOLUNTEER
                )
            if rng.random() < 0.05:
                start_on = self.today - timedelta(days=rng.randint(0, 60))
            else:
                start_on = self.today - timedelta(days=rng.randint(61, 15 * 365))
            person = self._user(role, academy_id, staff_kind=kind, start_on=start_on)
            self._training(person, role, kind, start_on)

    def _pupils(self) -> list[Person]:
        rng = self.rng
        pupils: list[Person] = []
        for index in range(self.spec.pupils):
            academy_id = index % self.spec.academies + 1
            primary = academy_id % 2 == 1
            year = rng.choice((3, 4, 5, 5, 6, 1, 2)) if primary else rng.randint(7, 11)
            pupil = self._user(Role.PUPIL, academy_id, year_group=year)
            pupils.append(pupil)
            course_id = SMART_BY_YEAR.get(year)
            draw = rng.random()
            if course_id is not None and draw < 0.8:
                done_on = self.today - timedelta(days=rng.randint(1, 360))
                self._cycle(pupil.id, course_id, done_on, None, complete=draw < 0.6)
        return pupils

    def _parents(self, pupils: list[Person]) -> None:
        rng = self.rng
        if not pupils:
            return
        for _ in range(self.spec.parents):
            child = rng.choice(pupils)
            parent = self._user(Role.PARENT, child.academy_id)
            self.out.links.append(self._link(parent.id, child.id))
            if rng.random() < 0.25:
                sibling = rng.choice(pupils)
                if sibling.academy_id == child.academy_id and sibling.id != child.id:
                    self.out.links.append(self._link(parent.id, sibling.id))

    def _link(self, parent_id: int, pupil_id: int) -> dict[str, Any]:
        return {
            "id": len(self.out.links) + 1,
            "parent_id": parent_id,
            "pupil_id": pupil_id,
            "created_at": self.now,
        }

    # --- training history ---------------------------------------------------------------------

    def _course(self, course_id: str) -> Course | None:
        return self.catalog.course(course_id)

    def _cycle(
        self,
        user_id: int,
        course_id: str,
        done_on: date,
        expires_on: date | None,
        *,
        complete: bool = True,
    ) -> None:
        course = self._course(course_id)
        self._cycle_id += 1
        started = at_noon(done_on) - timedelta(hours=self.rng.randint(1, 72))
        self.out.cycles.append(
            {
                "id": self._cycle_id,
                "user_id": user_id,
                "course_id": course_id,
                "course_version": course.version if course else 1,
                "registration": new_uuid(self.rng),
                "started_at": started,
                "completed_at": at_noon(done_on) if complete else None,
                "completed_on": done_on if complete else None,
                "expires_on": expires_on if complete else None,
                "source": CompletionSource.ONLINE,
                "evidence_note": None,
                "recorded_by_id": None,
            }
        )

    def _training(self, person: Person, role: Role, kind: StaffKind, start_on: date) -> None:
        """Induction once, the refresher each year, DSL training every two years, sign-off."""
        rng = self.rng
        window_start = self.today - timedelta(days=365 * self.spec.years)
        induction_on = start_on + timedelta(days=rng.randint(2, 40))
        if induction_on <= self.today and rng.random() < 0.93:
            self._cycle(person.id, "staff-induction", induction_on, None)
        if kind is not StaffKind.VOLUNTEER:
            self._recurring(person.id, "safeguarding-refresher", max(start_on, window_start), 365)
        if role is Role.DSL:
            self._recurring(person.id, "dsl-training", max(start_on, window_start), 730)
        policy = self._course("policy-sign-off")
        if policy is not None and policy.policy is not None and rng.random() < 0.8:
            signed_on = self.today - timedelta(days=rng.randint(0, 120))
            self._cycle(person.id, policy.id, signed_on, None)
            self.out.sign_offs.append(
                {
                    "id": len(self.out.sign_offs) + 1,
                    "user_id": person.id,
                    "course_id": policy.id,
                    "policy_version": policy.policy.version,
                    "statement": policy.policy.statement,
                    "signed_at": at_noon(signed_on),
                }
            )

    def _recurring(self, user_id: int, course_id: str, first: date, every_days: int) -> None:
        course = self._course(course_id)
        if course is None or course.recurrence is None:
            return
        rng = self.rng
        done_on = first + timedelta(days=rng.randint(5, 120))
        previous: date | None = None
        while done_on <= self.today and rng.random() < 0.92:
            expires_on = expiry_for_completion(course.recurrence, done_on, previous)
            self._cycle(user_id, course_id, done_on, expires_on)
            previous = expires_on
            done_on += timedelta(days=every_days + rng.randint(-60, 45))

    def _release(self) -> dict[str, Any]:
        policy = self._course("policy-sign-off")
        version = policy.policy.version if policy and policy.policy else "1"
        return {
            "id": 1,
            "course_id": "policy-sign-off",
            "version": version,
            "first_seen_on": self.today - timedelta(days=150),
        }
