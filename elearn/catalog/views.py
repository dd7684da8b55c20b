"""The catalogue page and the pictures beside lessons."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory
from flask_login import current_user
from werkzeug.wrappers import Response

from elearn.auth import permissions as can
from elearn.auth.access import signed_in
from elearn.catalog.model import Course
from elearn.db import get_db
from elearn.learning.access import catalog, course_for_me, moment
from elearn.learning.parents import children_take_course
from elearn.learning.services import course_progress

bp = Blueprint("catalog", __name__, template_folder="templates")

MEDIA_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}


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
    return response
