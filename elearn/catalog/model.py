"""The loaded catalogue: immutable lessons and courses, and the catalogue that serves them.

These objects are built once by :func:`elearn.catalog.loader.load_catalog` and shared by every
request, so they are frozen and hold tuples rather than lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from elearn.auth.roles import Role, StaffKind
from elearn.catalog.errors import ContentError
from elearn.catalog.schema import Audience, Policy, QuizSettings, Recurrence

if TYPE_CHECKING:
    from elearn.catalog.gift import Question


@dataclass(frozen=True)
class Lesson:
    """One Markdown lesson. ``path`` is relative to the content root, with forward slashes."""

    id: str
    course_id: str
    position: int
    title: str
    minutes: int
    key_points: tuple[str, ...]
    body: str
    path: str
    digest: str
    # A picture in the course's media folder (path relative to it) and its description.
    illustration: str | None = None
    illustration_alt: str | None = None
    smart_letter: str | None = None


@dataclass(frozen=True)
class Course:
    """One course as authored in ``courses/<id>.yaml``, with its lessons and question bank."""

    id: str
    version: int
    title: str
    summary: str
    audience: Audience
    lessons: tuple[Lesson, ...]
    quiz: QuizSettings | None
    questions: tuple[Question, ...]
    recurrence: Recurrence | None
    policy: Policy | None
    path: str

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    @property
    def minutes(self) -> int:
        """Roughly how long the lessons take to read, for the catalogue card."""
        return sum(lesson.minutes for lesson in self.lessons)


@dataclass(frozen=True)
class Catalog:
    """The courses that passed every check, in file-name order, plus what was wrong with the rest.

    ``errors`` holds every problem found under the content root, sorted by file and line;
    ``rejected`` maps the id of each course left out to the errors that kept it out.
    """

    root: Path
    courses: tuple[Course, ...]
    errors: tuple[ContentError, ...] = ()
    rejected: dict[str, tuple[ContentError, ...]] = field(default_factory=dict)

    def course(self, course_id: str) -> Course | None:
        """The served course with this id, or None (also for a rejected course)."""
        return next((course for course in self.courses if course.id == course_id), None)

    def lesson(self, course_id: str, lesson_id: str) -> Lesson | None:
        """One lesson of a served course, or None."""
        course = self.course(course_id)
        return course.lesson(lesson_id) if course is not None else None

    def courses_for(
        self,
        role: Role | str,
        year_group: int | None = None,
        staff_kind: StaffKind | str | None = None,
    ) -> list[Course]:
        """The courses someone in this role (and year group, for pupils) may see, in order.

        Only courses whose audience names the role are listed: an admin sees the courses meant
        for admins, not every course. Exempt staff kinds still see their courses.
        """
        return [
            course
            for course in self.courses
            if course.audience.includes(role, year_group=year_group, staff_kind=staff_kind)
        ]
