"""The catalogue page and the pictures beside lessons."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory
from flask_login import current_user
from werkzeug.wrappers import Response

from elearn.auth.access import signed_in
from elearn.db import get_db
from elearn.learning.access import catalog, course_for_me, moment
from elearn.learning.services import course_progress

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


@bp.route("/learn/<course_id>/media/<path:filename>")
@signed_in
def media(course_id: str, filename: str) -> Response:
    course = course_for_me(course_id)
    if not any(filename.lower().endswith(ext) for ext in MEDIA_TYPES):
        abort(404)
    folder = catalog().root / "content" / course.id
    # send_from_directory refuses paths that climb out of the folder.
    response = send_from_directory(folder, filename, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    if filename.lower().endswith(".svg"):
        response.headers["Content-Security-Policy"] = SVG_POLICY
    return response
