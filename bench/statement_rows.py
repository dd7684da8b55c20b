"""Generated xAPI statements, built from elearn's own statement builders.

A handful of templates per course is built once with
:mod:`elearn.xapi.builders.statements` (so every payload has exactly the shape elearn
stores); each generated statement is a template with a fresh id, actor, timestamp and
registration. Rows for the statement table and its two index
tables are produced directly, chunk by chunk: calling ``record_statement`` a million times
would measure the ORM, not the store.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.people import SMART_BY_YEAR, Person
from elearn.auth.roles import Role
from elearn.catalog.gift import QuestionType
from elearn.catalog.model import Catalog, Course
from elearn.xapi.builders import statements as builders
from elearn.xapi.formats import format_timestamp
from elearn.xapi.lrs.store import STORED_VERSION, _activities_in, agent_key
from elearn.xapi.models import ForwardState

REGISTRATIONS = uuid.UUID("6f1d8a52-8a0e-4c55-9a52-0d1c0b5e7a11")
# Stand-ins the builders accept, swapped for format fields once the template is serialised.
ID_MARK = "00000000-0000-4000-8000-00000000a11d"
REGISTRATION_MARK = "00000000-0000-4000-8000-0000000000e9"
ACTOR_MARK = "actor0placeholder"
TEMPLATE_TIME = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Template:
    """One statement shape, with its JSON text ready to be filled in.

    ``text`` is the serialised statement with ``{id}``, ``{actor}``, ``{timestamp}``,
    ``{registration}`` and ``{stored}`` where the varying values go (the JSON's own braces
    doubled), so filling it is one ``str.format`` call rather than a JSON encoding.
    """

    course_id: str
    text: str
    verb_id: str
    activity_id: str | None
    activities: tuple[str, ...]

    def fill(self, **values: str) -> str:
        return self.text.format(**values)


@dataclass(frozen=True)
class Chunk:
    statements: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    agents: list[dict[str, Any]]


def _template(course_id: str, payload: dict[str, Any]) -> Template:
    prepared = dict(payload)
    prepared["stored"] = "{stored}"
    prepared["version"] = STORED_VERSION
    text = json.dumps(prepared, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("{", "{{").replace("}", "}}").replace("{{stored}}", "{stored}")
    for mark, name in (
        (ID_MARK, "id"),
        (REGISTRATION_MARK, "registration"),
        (ACTOR_MARK, "actor"),
        (format_timestamp(TEMPLATE_TIME), "timestamp"),
    ):
        if mark not in text:
            raise ValueError(f"the {name} of a template statement was not found")
        text = text.replace(mark, "{" + name + "}")
    obj = payload.get("object") or {}
    return Template(
        course_id=course_id,
        text=text,
        verb_id=payload["verb"]["id"],
        activity_id=obj.get("id"),
        activities=tuple(dict.fromkeys(_activities_in(payload))),
    )


def _templates_for(course: Course, base_url: str) -> list[Template]:
    common = {
        "statement_id": ID_MARK,
        "base_url": base_url,
        "actor_name": ACTOR_MARK,
        "timestamp": TEMPLATE_TIME,
        "registration": REGISTRATION_MARK,
    }
    course_id = course.id
    built: list[dict[str, Any]] = [
        builders.statement_for(
            builders.LessonExperienced(
                course_id=course_id, lesson_id=lesson.id, lesson_title=lesson.title
            ),
            **common,
        )
        for lesson in course.lessons
    ]
    if course.quiz is not None:
        quiz_title = f"{course.title}: quiz"
        choice_questions = [q for q in course.questions if q.qtype is QuestionType.MULTICHOICE]
        for question in choice_questions[:6]:
            choices = [(f"choice-{i}", c.text) for i, c in enumerate(question.choices)]
            right = [f"choice-{i}" for i, c in enumerate(question.choices) if c.fraction > 0]
            built.append(
                builders.statement_for(
                    builders.QuestionAnswered(
                        course_id=course_id,
                        question_id=question.id,
                        kind="choice",
                        prompt=question.text[:1000] or question.title,
                        question_title=question.title or None,
                        response=right[:1],
                        success=True,
                        choices=choices,
                        correct_responses=[right[:1]],
                    ),
                    **common,
                )
            )
        built.append(
            builders.statement_for(
                builders.QuizAttempted(course_id=course_id, quiz_title=quiz_title), **common
            )
        )
        built.append(
            builders.statement_for(
                builders.QuizFinished(
                    course_id=course_id, quiz_title=quiz_title, raw=4, max_score=5, passed=True
                ),
                **common,
            )
        )
    built.append(
        builders.statement_for(
            builders.CourseCompleted(course_id=course_id, course_title=course.title), **common
        )
    )
    return [_template(course.id, payload) for payload in built]


def fast_uuid(rng: random.Random) -> str:
    """A random (version 4) UUID string, drawn from ``rng`` without building a UUID object."""
    h = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def stamp(when: datetime) -> str:
    """``format_timestamp`` for UTC datetimes, without strftime (it is called millions of times)."""
    return when.isoformat(timespec="milliseconds")[:23] + "Z"


class StatementFactory:
    """Makes statement rows for a trust's people, spread evenly over a period."""

    def __init__(self, catalog: Catalog, base_url: str, rng: random.Random) -> None:
        self.base_url = base_url.rstrip("/")
        self.rng = rng
        if agent_key({"account": {"homePage": self.base_url, "name": "x"}}) != self.actor_key("x"):
            raise ValueError("the store's agent keys have changed; update the generator")
        self.by_course: dict[str, list[Template]] = {}
        for course in catalog.courses:
            self.by_course[course.id] = _templates_for(course, self.base_url)

    def actor_key(self, xapi_id: str) -> str:
        return f"account|{self.base_url}|{xapi_id}"

    def courses_for(self, person: Person) -> list[str]:
        if person.role is Role.PUPIL:
            course = SMART_BY_YEAR.get(person.year_group or 0)
            return [course] if course in self.by_course else []
        if person.role is Role.PARENT:
            return [c for c in ("parent-guidance",) if c in self.by_course]
        if person.role in (Role.STAFF, Role.DSL, Role.HEAD):
            wanted = ["staff-induction", "safeguarding-refresher", "policy-sign-off"]
            if person.role is Role.DSL:
                wanted.append("dsl-training")
            return [c for c in wanted if c in self.by_course]
        return []

    def chunks(
        self,
        people: list[Person],
        count: int,
        *,
        start: datetime,
        end: datetime,
        pending: int,
        first_seq: int = 1,
        size: int = 5_000,
    ) -> Iterator[Chunk]:
        """``count`` statements in arrival order; the newest ``pending`` are not yet forwarded."""
        learners = [(p, self.courses_for(p)) for p in people]
        learners = [(p, courses) for p, courses in learners if courses]
        if not learners or count <= 0:
            return
        rng = self.rng
        span = (end - start) / count
        activity_id, agent_id = 0, 0
        registrations: dict[tuple[int, str], str] = {}
        for chunk_start in range(0, count, size):
            stmts: list[dict[str, Any]] = []
            activities: list[dict[str, Any]] = []
            agents: list[dict[str, Any]] = []
            for index in range(chunk_start, min(count, chunk_start + size)):
                seq = first_seq + index
                person, courses = learners[rng.randrange(len(learners))]
                course_id = courses[rng.randrange(len(courses))]
                templates = self.by_course[course_id]
                template = templates[rng.randrange(len(templates))]
                timestamp = start + span * index
                stored = timestamp + timedelta(seconds=2)
                statement_id = fast_uuid(rng)
                registration = registrations.get((person.id, course_id))
                if registration is None:
                    registration = str(uuid.uuid5(REGISTRATIONS, f"{person.id}/{course_id}"))
                    registrations[(person.id, course_id)] = registration
                waiting = index >= count - pending
                actor = self.actor_key(person.xapi_id)
                stmts.append(
                    {
                        "seq": seq,
                        "statement_id": statement_id,
                        "stored_at": stored,
                        "timestamp_at": timestamp,
                        "actor_key": actor,
                        "verb_id": template.verb_id,
                        "activity_id": template.activity_id,
                        "registration": registration,
                        "voided": False,
                        "voids_statement_id": None,
                        "user_id": person.id,
                        "payload": template.fill(
                            id=statement_id,
                            actor=person.xapi_id,
                            timestamp=stamp(timestamp),
                            registration=registration,
                            stored=stamp(stored),
                        ),
                        "object_statement_id": None,
                        "forward_state": ForwardState.PENDING
                        if waiting
                        else ForwardState.DELIVERED,
                        "forward_attempts": 0 if waiting else 1,
                        "next_attempt_at": None,
                        "last_error": None,
                        "delivered_at": None if waiting else stored + timedelta(seconds=30),
                        "last_error_at": None,
                    }
                )
                for activity in template.activities:
                    activity_id += 1
                    activities.append({"id": activity_id, "seq": seq, "activity_id": activity})
                agent_id += 1
                agents.append({"id": agent_id, "seq": seq, "agent_key": actor, "direct": True})
            yield Chunk(stmts, activities, agents)


def busiest_activity(factory: StatementFactory) -> str:
    """An activity many statements are about (the first SMART lesson), for GET by activity."""
    for course_id in ("smart-ks2", "smart-ks3", "safeguarding-refresher"):
        templates = factory.by_course.get(course_id)
        if templates and templates[0].activity_id:
            return templates[0].activity_id
    for templates in factory.by_course.values():
        for template in templates:
            if template.activity_id:
                return template.activity_id
    raise ValueError("the catalogue has no activities")
