"""The content page's view of the catalogue: every course with the content check's result.

The errors are the ones the loader found (the same as ``flask content check`` prints), each
put with the course whose files it is about; whatever belongs to no course is listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from elearn.catalog.errors import ContentError
from elearn.catalog.model import Catalog, Course


@dataclass(frozen=True)
class CourseCheck:
    course_id: str
    # None when the check kept the course out: pupils and staff do not see it.
    course: Course | None
    errors: tuple[ContentError, ...]

    @property
    def served(self) -> bool:
        return self.course is not None


@dataclass(frozen=True)
class ContentOverview:
    courses: tuple[CourseCheck, ...]
    other_errors: tuple[ContentError, ...]

    @property
    def error_count(self) -> int:
        return sum(len(check.errors) for check in self.courses) + len(self.other_errors)


def _course_files(course_id: str, course: Course | None) -> tuple[set[str], str]:
    """The exact files and the lesson folder that belong to a course."""
    files = {f"courses/{course_id}.yaml"}
    if course is not None:
        files.add(course.path)
        if course.quiz is not None:
            files.add(f"quizzes/{course.quiz.bank}.gift")
    return files, f"content/{course_id}/"


def content_overview(catalog: Catalog) -> ContentOverview:
    served = {course.id: course for course in catalog.courses}
    ids = [course.id for course in catalog.courses] + sorted(set(catalog.rejected) - set(served))
    claimed: set[ContentError] = set()
    checks = []
    for course_id in ids:
        course = served.get(course_id)
        files, folder = _course_files(course_id, course)
        mine = {
            error
            for error in catalog.errors
            if error.path in files or error.path.startswith(folder)
        }
        mine.update(catalog.rejected.get(course_id, ()))
        claimed |= mine
        checks.append(CourseCheck(course_id, course, tuple(sorted(mine))))
    others = tuple(sorted(set(catalog.errors) - claimed))
    return ContentOverview(courses=tuple(checks), other_errors=others)
