"""What the load runner measures: each scenario's requests, expected status and target.

Every scenario is a request file for one of the Lua scripts; the files are built here from
the seeded database (who to sign in as, which URLs) before wrk starts. Scenarios marked
``pool`` consume their lines (one quiz attempt per request) and are rebuilt for every run.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bench.sessions import BrowserSession, SessionMinter
from elearn.auth.models import User
from elearn.auth.roles import Role, StaffKind
from elearn.catalog.model import Catalog, Course
from elearn.xapi.builders import statements as builders
from elearn.xapi.lrs import documents
from elearn.xapi.lrs.store import agent_key
from elearn.xapi.models import DocumentKind


@dataclass(frozen=True)
class Target:
    """A goal from the brief. ``kind``: ``ratio`` (of hello's req/s, at least), ``p95`` (ms,
    below), ``service`` (one request's time in ms, below, measured in-process), ``ingest``
    (statements per second, at least)."""

    kind: str
    value: float
    only_on: str | None = None  # a database name, when the target is for that database only

    def describe(self) -> str:
        where = f" ({self.only_on})" if self.only_on else ""
        if self.kind == "ratio":
            return f"≥ {self.value:.0%} of hello{where}"
        if self.kind == "p95":
            return f"p95 < {self.value:g} ms{where}"
        if self.kind == "service":
            return f"< {self.value:g} ms per request{where}"
        if self.kind == "ingest":
            return f"≥ {self.value:,.0f} statements/s{where}"
        return f"{self.kind} {self.value}"


PAGE_P95 = Target("p95", 100)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    script: str
    expected_status: int = 200
    heavy: bool = False  # a report: run with a few connections, judged by its service time
    pool: bool = False  # each line is used once (quiz attempts)
    needs: str | None = None  # a URL rule that must exist in the app for this scenario
    statements_per_request: int = 0
    targets: tuple[Target, ...] = ()
    service_key: str | None = None  # the in-process timing that judges a ``service`` target


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "lesson",
        "Lesson page (pupil, SMART lesson)",
        "session_get.lua",
        targets=(Target("ratio", 0.40), PAGE_P95),
    ),
    Scenario(
        "course",
        "Course page with progress (pupil)",
        "session_get.lua",
        targets=(PAGE_P95,),
    ),
    Scenario(
        "quiz_start",
        "Quiz start (pupil, SMART quiz)",
        "form_post.lua",
        expected_status=302,
        pool=True,
        targets=(PAGE_P95,),
    ),
    Scenario(
        "quiz_answer",
        "Quiz last answer: marks, passes, completes (pupil)",
        "form_post.lua",
        expected_status=302,
        pool=True,
        targets=(Target("ratio", 0.20), PAGE_P95),
    ),
    Scenario(
        "quiz_submit",
        "Quiz submit, 12 answers: marks, passes, completes (staff refresher)",
        "form_post.lua",
        expected_status=302,
        pool=True,
        targets=(Target("ratio", 0.20), PAGE_P95),
    ),
    Scenario(
        "xapi_post_1",
        "POST /xapi/statements, 1 statement",
        "xapi.lua",
        needs="/xapi/statements",
        statements_per_request=1,
        targets=(PAGE_P95,),
    ),
    Scenario(
        "xapi_post_50",
        "POST /xapi/statements, batch of 50",
        "xapi.lua",
        needs="/xapi/statements",
        statements_per_request=50,
        targets=(
            Target("ingest", 3_000, only_on="sqlite"),
            Target("ingest", 5_000, only_on="postgresql"),
        ),
    ),
    Scenario(
        "xapi_get_agent",
        "GET /xapi/statements?agent=… (all statements)",
        "xapi.lua",
        needs="/xapi/statements",
        targets=(PAGE_P95, Target("service", 50)),
        service_key="xapi_get_agent",
    ),
    Scenario(
        "xapi_get_activity",
        "GET /xapi/statements?activity=… (all statements)",
        "xapi.lua",
        needs="/xapi/statements",
        targets=(PAGE_P95, Target("service", 50)),
        service_key="xapi_get_activity",
    ),
    Scenario(
        "xapi_state_put",
        "PUT /xapi/activities/state (a learner's resume point, 2 KB of JSON)",
        "xapi.lua",
        expected_status=204,
        needs="/xapi/activities/state",
        targets=(PAGE_P95,),
    ),
    Scenario(
        "xapi_state_get",
        "GET /xapi/activities/state?stateId=… (one learner's resume point)",
        "xapi.lua",
        needs="/xapi/activities/state",
        targets=(PAGE_P95,),
    ),
    Scenario(
        "dashboard",
        "Academy compliance dashboard (large academy, DSL)",
        "session_get.lua",
        heavy=True,
        needs="/compliance/",
        targets=(Target("service", 100),),
        service_key="dashboard_large",
    ),
    Scenario(
        "trust",
        "Trust overview (all staff, admin)",
        "session_get.lua",
        heavy=True,
        needs="/compliance/trust",
        targets=(Target("service", 500),),
        service_key="trust",
    ),
    Scenario(
        "csv",
        "CSV export, whole trust (one row per member of staff)",
        "session_get.lua",
        heavy=True,
        needs="/compliance/export.csv",
    ),
)


# --- who and what ---------------------------------------------------------------------------------


def pupil_ids(
    engine: Engine, *, academy_id: int, course_years: tuple[int, ...], limit: int
) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(User.id)
                .where(
                    User.academy_id == academy_id,
                    User.role == Role.PUPIL,
                    User.active.is_(True),
                    User.year_group.in_(course_years),
                    User.username.not_like("pool%"),
                )
                .order_by(User.id)
                .limit(limit)
            )
        )


def staff_ids(engine: Engine, *, limit: int) -> list[int]:
    """Members of staff who must do the refresher (volunteers are exempt from it)."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(User.id)
                .where(
                    User.role == Role.STAFF,
                    User.active.is_(True),
                    User.academy_id.is_not(None),
                    User.staff_kind != StaffKind.VOLUNTEER,
                )
                .order_by(User.id)
                .limit(limit)
            )
        )


def one_user(engine: Engine, role: Role, academy_id: int | None = None) -> int:
    query = select(User.id).where(User.role == role, User.active.is_(True)).order_by(User.id)
    if academy_id is not None:
        query = query.where(User.academy_id == academy_id)
    with engine.connect() as conn:
        found = conn.scalars(query.limit(1)).first()
    if found is None:
        raise RuntimeError(f"the seeded database has no active {role.value}")
    return int(found)


def actor_ids(engine: Engine, limit: int, rng: random.Random) -> list[str]:
    """Opaque xAPI ids of people with statements (pupils and staff), a spread sample."""
    with engine.connect() as conn:
        ids = list(
            conn.scalars(
                select(User.xapi_id).where(
                    User.role.in_((Role.PUPIL, Role.STAFF)), User.username.not_like("pool%")
                )
            )
        )
    rng.shuffle(ids)
    return ids[:limit]


def get_lines(sessions: list[BrowserSession], path: str) -> list[str]:
    return [f"{s.cookie}\t{path}" for s in sessions]


def agent_lines(base_url: str, xapi_ids: list[str]) -> list[str]:
    lines = []
    for xapi_id in xapi_ids:
        agent = json.dumps(
            {"objectType": "Agent", "account": {"homePage": base_url, "name": xapi_id}},
            separators=(",", ":"),
        )
        lines.append(f"GET\t/xapi/statements?agent={quote(agent, safe='')}")
    return lines


def resume_state(rng: random.Random) -> dict[str, object]:
    """What a content package keeps as a learner's resume point: where they are, their
    answers so far, and its own suspend data (about 2 KB in all)."""
    return {
        "location": f"slide-{rng.randint(1, 40)}",
        "answers": {f"q{n}": rng.choice("abcd") for n in range(1, 13)},
        "suspend_data": "".join(rng.choice("0123456789abcdef") for _ in range(1_900)),
    }


def state_params(base_url: str, xapi_id: str, activity_iri: str) -> str:
    agent = json.dumps(
        {"objectType": "Agent", "account": {"homePage": base_url, "name": xapi_id}},
        separators=(",", ":"),
    )
    return f"activityId={quote(activity_iri, safe='')}&agent={quote(agent, safe='')}&stateId=resume"


def state_put_lines(base_url: str, xapi_ids: list[str], activity_iri: str) -> list[str]:
    rng = random.Random(7)
    return [
        f"PUT\t/xapi/activities/state?{state_params(base_url, xapi_id, activity_iri)}\t"
        + json.dumps(resume_state(rng), separators=(",", ":"))
        for xapi_id in xapi_ids
    ]


def state_get_lines(base_url: str, xapi_ids: list[str], activity_iri: str) -> list[str]:
    return [
        f"GET\t/xapi/activities/state?{state_params(base_url, xapi_id, activity_iri)}"
        for xapi_id in xapi_ids
    ]


def store_resume_states(
    engine: Engine, base_url: str, xapi_ids: list[str], activity_iri: str, *, now: datetime
) -> None:
    """Every learner's resume point, so the GET scenario finds a document for each line."""
    rng = random.Random(8)
    with Session(engine) as session:
        for xapi_id in xapi_ids:
            agent = {"account": {"homePage": base_url, "name": xapi_id}}
            key = documents.Scope(DocumentKind.STATE, activity_iri, agent_key(agent)).key("resume")
            content = json.dumps(resume_state(rng), separators=(",", ":")).encode()
            documents.put_document(session, key, content, "application/json", now=now)
        session.commit()


def activity_iris(catalog: Catalog, base_url: str) -> list[str]:
    iris = []
    for course in catalog.courses:
        iris.append(builders.course_iri(base_url, course.id))
        iris.extend(
            builders.lesson_iri(base_url, course.id, lesson.id) for lesson in course.lessons
        )
        if course.quiz is not None:
            iris.append(builders.quiz_iri(base_url, course.id))
    return iris


def busy_activity_iris(catalog: Catalog, base_url: str) -> list[str]:
    """The SMART lessons: the activities with the most statements (a page of 100 is full)."""
    course = catalog.course("smart-ks2") or catalog.courses[0]
    return [builders.lesson_iri(base_url, course.id, lesson.id) for lesson in course.lessons]


def activity_lines(iris: list[str]) -> list[str]:
    return [f"GET\t/xapi/statements?activity={quote(iri, safe='')}" for iri in iris]


def post_lines(
    catalog: Catalog,
    base_url: str,
    xapi_ids: list[str],
    *,
    batch: int,
    variants: int,
    now: datetime,
) -> list[str]:
    """Bodies of ``batch`` statements without ids, so every POST stores new statements."""
    rng = random.Random(batch)
    course = catalog.course("smart-ks2") or catalog.courses[0]
    lines = []
    for _ in range(variants):
        body = []
        for _ in range(batch):
            registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            body.append(lesson_statement(course, rng, base_url, xapi_ids, now, registration))
        text = json.dumps(body[0] if batch == 1 else body, separators=(",", ":"))
        lines.append(f"POST\t/xapi/statements\t{text}")
    return lines


@dataclass
class People:
    """The signed-in people the read scenarios use (made once per database)."""

    pupils: list[BrowserSession]
    dsl: BrowserSession
    admin: BrowserSession


def sign_in_people(engine: Engine, minter: SessionMinter, *, year_group_size: int) -> People:
    pupils = pupil_ids(engine, academy_id=1, course_years=(3, 4, 5, 6), limit=year_group_size)
    if not pupils:
        raise RuntimeError("academy 1 has no KS2 pupils to sign in")
    dsl = one_user(engine, Role.DSL, academy_id=1)
    admin = one_user(engine, Role.ADMIN)
    sessions = minter.sign_in(engine, [*pupils, dsl, admin])
    return People(pupils=sessions[:-2], dsl=sessions[-2], admin=sessions[-1])


def lesson_statement(
    course: Course,
    rng: random.Random,
    base_url: str,
    xapi_ids: list[str],
    now: datetime,
    registration: str,
) -> dict[str, object]:
    """A lesson read by one of ``xapi_ids``, built by elearn's own builder, without an id (so
    every POST of it stores a new statement)."""
    lesson = rng.choice(course.lessons)
    statement = builders.statement_for(
        builders.LessonExperienced(
            course_id=course.id, lesson_id=lesson.id, lesson_title=lesson.title
        ),
        statement_id="00000000-0000-4000-8000-000000000001",
        base_url=base_url,
        actor_name=rng.choice(xapi_ids),
        timestamp=now,
        registration=registration,
    )
    statement.pop("id")
    return statement
