"""Finding the course or lesson someone asked for, or a 404 when it is not theirs to see."""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user

from elearn.catalog.model import Catalog, Course, Lesson
from elearn.db import utcnow
from elearn.learning.context import Moment


def catalog() -> Catalog:
    return current_app.extensions["elearn.catalog"].get()


def course_for_me(course_id: str) -> Course:
    course = catalog().course(course_id)
    if course is None or not course.audience.includes(
        current_user.role, year_group=current_user.year_group, staff_kind=current_user.staff_kind
    ):
        abort(404)
    return course


def lesson_for_me(course_id: str, lesson_id: str) -> tuple[Course, Lesson]:
    course = course_for_me(course_id)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return course, lesson


def moment() -> Moment:
    return Moment(now=utcnow(), base_url=str(current_app.config["ELEARN"]["BASE_URL"]).rstrip("/"))
