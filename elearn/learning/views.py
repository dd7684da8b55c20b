"""Course pages, lessons, the staff training record, certificates and parents' view."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from elearn.auth import permissions as can
from elearn.auth.access import public, requires, signed_in
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.catalog.model import Course, Lesson
from elearn.catalog.rendering import render_lesson
from elearn.db import get_db
from elearn.learning import parents, services
from elearn.learning.access import catalog, course_for_me, lesson_for_me, moment
from elearn.learning.context import Moment
from elearn.learning.models import Certificate, CourseCycle, PolicySignOff
from elearn.learning.smart import lit_letters, rule_for
from elearn.learning.tone import Tone, tone_for
from elearn.progress.services import pupil_record

bp = Blueprint("learning", __name__, template_folder="templates")

bp.add_app_template_global(lit_letters, "smart_letters")
bp.add_app_template_global(rule_for, "smart_rule")


@bp.app_template_global("tone")
def tone_for_me(course: Course | None = None) -> Tone:
    """The wording for the signed-in reader on this course's pages (see ``learning.tone``)."""
    return tone_for(current_user.role, current_user.year_group, course)


def _contacts(course: Course | None = None) -> list[Academy]:
    """The schools a parent or carer can contact, for the box on their pages."""
    if not can.is_parent(current_user):
        return []
    if course is not None and Role.PARENT not in course.audience.roles:
        return []
    return parents.contact_academies(get_db(), current_user)


@bp.route("/learn/<course_id>")
@signed_in
def course(course_id: str) -> str:
    course = course_for_me(course_id)
    db = get_db()
    progress = services.course_progress(db, current_user, course, moment().today)
    certificate = None
    # Only staff completions earn a certificate (complete_cycle), so a pupil's or a
    # parent's finished course asks for none.
    if progress.cycle is not None and progress.cycle.is_complete and current_user.role.is_staff:
        certificate = db.scalar(
            select(Certificate).where(Certificate.cycle_id == progress.cycle.id)
        )
    return render_template(
        "learning/course.html",
        course=course,
        progress=progress,
        certificate=certificate,
        contacts=_contacts(course),
    )


@bp.route("/learn/<course_id>/badge")
@requires(can.is_pupil)
def badge(course_id: str) -> str:
    """The pupil's printable badge for a finished course: first name, course and date only."""
    course = course_for_me(course_id)
    progress = services.course_progress(get_db(), current_user, course, moment().today)
    if not progress.complete:
        abort(404)
    return render_template("learning/badge.html", course=course, progress=progress)


@bp.route("/learn/<course_id>/<lesson_id>")
@signed_in
def lesson(course_id: str, lesson_id: str) -> str:
    course, lesson = lesson_for_me(course_id, lesson_id)
    db = get_db()
    now = moment()
    progress = services.course_progress(db, current_user, course, now.today)
    # Most openings are re-reads: only a first reading in the cycle takes the write lock.
    if not next(state.read for state in progress.lessons if state.lesson.id == lesson.id):
        _record_first_reading(course, lesson, now)
        # Only now end the read snapshot, so the page counts the reading just recorded.
        # Ending it before the write let the expired current_user reload, opening a fresh
        # snapshot that SQLite kept from before the write.
        db.rollback()
        progress = services.course_progress(db, current_user, course, now.today)
    index = course.lessons.index(lesson)
    media_url = f"{url_for('catalog.index')}/{course.id}/media/"
    html = render_lesson(lesson, media_url)
    return render_template(
        "learning/lesson.html",
        course=course,
        lesson=lesson,
        html=html,
        media_url=media_url,
        progress=progress,
        previous=course.lessons[index - 1] if index > 0 else None,
        following=course.lessons[index + 1] if index + 1 < len(course.lessons) else None,
        contacts=_contacts(course),
    )


def _record_first_reading(course: Course, lesson: Lesson, now: Moment) -> None:
    """Record a first reading in a short write transaction of its own (see ``writes``)."""
    with current_app.extensions["elearn.writer_sessionmaker"]() as writer:
        reader = writer.get(User, current_user.id)
        assert reader is not None
        try:
            services.record_lesson_read(writer, reader, course, lesson, now)
            writer.commit()
        except IntegrityError:
            writer.rollback()  # the same lesson opened twice at once: the other one recorded it


@bp.route("/learn/<course_id>/sign-off", methods=["POST"])
@requires(can.is_staff_member)
def sign_off(course_id: str) -> Response:
    course = course_for_me(course_id)
    db = get_db()
    try:
        signed = services.sign_off_policy(
            db, current_user, course, moment(), confirmed=request.form.get("confirm") == "yes"
        )
    except services.LearningError as problem:
        db.rollback()
        flash(str(problem), "error")
        return redirect(url_for("learning.course", course_id=course.id) + "#sign-off")
    db.commit()
    if signed is None:
        flash("You had already signed this version of the policy.", "info")
    else:
        flash("Thank you. Your sign-off has been recorded.", "success")
    return redirect(url_for("learning.course", course_id=course.id))


@bp.route("/my-training")
@requires(can.has_training_record)
def training_record() -> str:
    db = get_db()
    cycles = list(
        db.scalars(
            select(CourseCycle)
            .where(CourseCycle.user_id == current_user.id)
            .order_by(CourseCycle.started_at.desc())
        )
    )
    sign_offs = list(
        db.scalars(
            select(PolicySignOff)
            .where(PolicySignOff.user_id == current_user.id)
            .order_by(PolicySignOff.signed_at.desc())
        )
    )
    titles = {course.id: course.title for course in catalog().courses}
    return render_template(
        "learning/training.html",
        cycles=cycles,
        titles=titles,
        certificates=services.certificates_for(db, current_user.id),
        sign_offs=sign_offs,
    )


@bp.route("/certificates/<int:certificate_id>")
@requires(can.has_training_record)
def certificate(certificate_id: int) -> str:
    found = get_db().scalar(
        select(Certificate).where(
            Certificate.id == certificate_id, Certificate.user_id == current_user.id
        )
    )
    if found is None:
        abort(404)
    return render_template("learning/certificate.html", certificate=found)


@bp.route("/verify", defaults={"code": ""})
@bp.route("/verify/<code>")
@public
def verify(code: str) -> tuple[str, int]:
    code = code or request.args.get("code", "")
    found = services.certificate_by_code(get_db(), code) if code else None
    status = 404 if code and found is None else 200
    return render_template("learning/verify.html", code=code, certificate=found), status


def _child_or_404(pupil_id: int) -> User:
    pupil = parents.linked_child(get_db(), current_user.id, pupil_id)
    if pupil is None:
        abort(404)
    return pupil


@bp.route("/children/<int:pupil_id>")
@requires(can.is_parent)
def child(pupil_id: int) -> str:
    pupil = _child_or_404(pupil_id)
    records = pupil_record(get_db(), list(catalog().courses), pupil, moment().today)
    return render_template(
        "learning/child.html", pupil=pupil, records=records, contacts=_contacts()
    )


@bp.route("/children/<int:pupil_id>/<course_id>/<lesson_id>")
@requires(can.is_parent)
def child_lesson(pupil_id: int, course_id: str, lesson_id: str) -> str:
    """A child's lesson as the child sees it, for their parent; nothing is recorded."""
    pupil = _child_or_404(pupil_id)
    course = parents.child_course(catalog(), pupil, course_id)
    lesson = course.lesson(lesson_id) if course else None
    if course is None or lesson is None:
        abort(404)
    index = course.lessons.index(lesson)
    html = render_lesson(lesson, f"{url_for('catalog.index')}/{course.id}/media/")
    return render_template(
        "learning/child_lesson.html",
        pupil=pupil,
        course=course,
        lesson=lesson,
        html=html,
        previous=course.lessons[index - 1] if index > 0 else None,
        following=course.lessons[index + 1] if index + 1 < len(course.lessons) else None,
    )
