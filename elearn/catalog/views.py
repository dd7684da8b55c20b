"""The catalogue page, the pictures beside lessons, and the read-only content page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from elearn.auth import permissions as can
from elearn.auth.access import requires, signed_in
from elearn.catalog.model import Course
from elearn.catalog.overview import content_overview
from elearn.catalog.rendering import render_lesson
from elearn.db import get_db
from elearn.learning.access import catalog, course_for_me, moment
from elearn.learning.parents import children_take_course
from elearn.learning.services import course_progress
from elearn.quiz.draw import DrawnQuestion
from elearn.quiz.presentation import present

bp = Blueprint("catalog", __name__, template_folder="templates")

MEDIA_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
# An SVG opened on its own is a document on this origin: it may draw, and nothing else.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.route("/learn")
@signed_in
def index() -> str:
    courses = catalog().courses_for(
        current_user.role, year_group=current_user.year_group, staff_kind=current_user.staff_kind
    )
    today = moment().today
    progress = [course_progress(get_db(), current_user, course, today) for course in courses]
    return render_template("catalog/index.html", progress=progress)


def _media_course(course_id: str) -> Course:
    """The course whose pictures are asked for: one of the viewer's own, or for a parent one
    of their children's (their read-only lessons show the same pictures)."""
    course = catalog().course(course_id)
    if course is not None and can.can_view_content(current_user):
        return course  # the content page's previews show the pictures too
    if (
        course is not None
        and can.is_parent(current_user)
        and children_take_course(get_db(), current_user.id, course)
    ):
        return course
    return course_for_me(course_id)


@bp.route("/learn/<course_id>/media/<path:filename>")
@signed_in
def media(course_id: str, filename: str) -> Response:
    course = _media_course(course_id)
    if not any(filename.lower().endswith(ext) for ext in MEDIA_TYPES):
        abort(404)
    folder = catalog().root / "content" / course.id
    # send_from_directory refuses paths that climb out of the folder.
    response = send_from_directory(folder, filename, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    if filename.lower().endswith(".svg"):
        response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


# --- the content page: read-only, for trust admins and heads -------------------------------


def _any_course(course_id: str) -> Course:
    course = catalog().course(course_id)
    if course is None:
        abort(404)
    return course


@bp.route("/content")
@requires(can.can_view_content)
def content() -> str:
    return render_template("catalog/content.html", overview=content_overview(catalog()))


@bp.route("/content/<course_id>/lessons/<lesson_id>")
@requires(can.can_view_content)
def preview_lesson(course_id: str, lesson_id: str) -> str:
    """A lesson as its audience sees it; opening it here records nothing."""
    course = _any_course(course_id)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    index = course.lessons.index(lesson)
    return render_template(
        "catalog/preview_lesson.html",
        course=course,
        lesson=lesson,
        html=render_lesson(lesson, f"{url_for('catalog.index')}/{course.id}/media/"),
        previous=course.lessons[index - 1] if index > 0 else None,
        following=course.lessons[index + 1] if index + 1 < len(course.lessons) else None,
    )


@bp.route("/content/<course_id>/questions")
@requires(can.can_view_content)
def preview_questions(course_id: str) -> str:
    """Every question in the course's bank as a quiz shows it (answers as authored, in order)."""
    course = _any_course(course_id)
    views = [
        present(
            DrawnQuestion(
                position,
                question,
                order=tuple(range(len(question.choices))),
                rights=question.right_texts,
            )
        )
        for position, question in enumerate(course.questions, start=1)
    ]
    return render_template(
        "catalog/preview_questions.html",
        course=course,
        questions=list(zip(course.questions, views, strict=True)),
    )
