"""The pupil progress report: who has read which lesson and how they did in the quiz.

Academy staff see their own academy's pupils; trust admins choose an academy. Any other
academy in the URL is a 404, so a link passed between schools shows nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.auth.models import Academy
from elearn.catalog.model import Catalog, Course
from elearn.compliance.formatting import long_date
from elearn.compliance.rules import uk_date
from elearn.db import get_db, utcnow
from elearn.progress.export import progress_csv
from elearn.progress.services import (
    SORTS,
    ProgressFilter,
    ProgressReport,
    progress_report,
    pupil_courses,
)
from elearn.web.numbers import parse_id, parse_whole_number

bp = Blueprint("progress", __name__, url_prefix="/progress", template_folder="templates")

SORT_LABELS = {
    "name": "Name",
    "year": "Year group",
    "progress": "Least done first",
    "score": "Best quiz score",
}


def _catalog() -> Catalog:
    return current_app.extensions["elearn.catalog"].get()


def _academy() -> Academy | None:
    """The academy reported on: a staff member's own; the one an admin picked, or None."""
    raw = request.args.get("academy", "")
    if can.is_admin(current_user):
        if not raw:
            return None
        requested = parse_id(raw)
    else:
        requested = current_user.academy_id
        if raw and parse_id(raw) != requested:
            abort(404)
    academy = get_db().get(Academy, requested) if requested is not None else None
    if academy is None:
        abort(404)
    return academy


def _course(courses: list[Course]) -> Course:
    raw = request.args.get("course", "")
    if not raw:
        if not courses:
            abort(404)
        return courses[0]
    course = next((each for each in courses if each.id == raw), None)
    if course is None:
        abort(404)
    return course


def _report(academy: Academy, course: Course) -> ProgressReport:
    year = parse_whole_number(request.args.get("year"))
    years = course.audience.year_groups or ()
    sort = request.args.get("sort", "name")
    wanted = ProgressFilter(
        academy_id=academy.id,
        course_id=course.id,
        year_group=year if year in years else None,
        not_finished=request.args.get("not_finished") == "1",
        sort=sort if sort in SORTS else "name",
    )
    return progress_report(get_db(), course, wanted, uk_date(utcnow()))


def _query(report: ProgressReport, academy: Academy) -> dict[str, str]:
    """The report's filters as URL arguments, for the CSV link."""
    wanted = report.wanted
    args = {"course": report.course.id, "sort": wanted.sort}
    if can.is_admin(current_user):
        args["academy"] = str(academy.id)
    if wanted.year_group is not None:
        args["year"] = str(wanted.year_group)
    if wanted.not_finished:
        args["not_finished"] = "1"
    return args


@bp.get("")
@requires(can.can_view_pupil_progress)
def pupils() -> str:
    academy = _academy()
    db = get_db()
    choices = list(db.scalars(select(Academy).order_by(Academy.name)))
    courses = pupil_courses(_catalog().courses)
    if academy is None:
        return render_template(
            "progress/pupils.html", academy=None, choices=choices, courses=courses
        )
    course = _course(courses)
    report = _report(academy, course)
    return render_template(
        "progress/pupils.html",
        academy=academy,
        choices=choices if can.is_admin(current_user) else [],
        courses=courses,
        course=course,
        report=report,
        query=_query(report, academy),
        sort_labels=SORT_LABELS,
        long_date=long_date,
    )


@bp.get("/export.csv")
@requires(can.can_view_pupil_progress)
def export() -> Response:
    academy = _academy()
    if academy is None:
        abort(404)
    course = _course(pupil_courses(_catalog().courses))
    report = _report(academy, course)
    year = f"-year{report.wanted.year_group}" if report.wanted.year_group is not None else ""
    name = f"progress-{academy.code}-{course.id}{year}-{uk_date(utcnow()).isoformat()}.csv"
    return Response(
        progress_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
