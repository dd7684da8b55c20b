"""Quiz pages: start, answer (one at a time for pupils, all at once for staff), result."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from elearn.auth.access import signed_in
from elearn.catalog.model import Course
from elearn.db import begin_writing, get_db, reads_first
from elearn.learning.access import course_for_me, moment
from elearn.learning.context import Moment
from elearn.learning.services import course_progress
from elearn.quiz import services
from elearn.quiz.draw import DrawnQuestion
from elearn.quiz.models import QuizAttempt
from elearn.quiz.presentation import present, question_html, tick_box_review
from elearn.web.numbers import parse_whole_number

bp = Blueprint("quiz", __name__, template_folder="templates")


def _quiz_course(course_id: str) -> Course:
    course = course_for_me(course_id)
    if course.quiz is None:
        abort(404)
    return course


def _attempt(course: Course, attempt_id: int) -> QuizAttempt:
    attempt = services.get_attempt(get_db(), current_user.id, course.id, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


@bp.route("/learn/<course_id>/quiz")
@signed_in
def start_page(course_id: str) -> str:
    course = _quiz_course(course_id)
    db = get_db()
    progress = course_progress(db, current_user, course, moment().today)
    attempts = services.attempts_in_cycle(db, progress.cycle.id) if progress.cycle else []
    return render_template(
        "quiz/start.html",
        course=course,
        progress=progress,
        attempts=attempts,
        left=services.attempts_left(course, len(attempts)),
    )


@bp.route("/learn/<course_id>/quiz/start", methods=["POST"])
@signed_in
def start(course_id: str) -> Response:
    course = _quiz_course(course_id)
    db = get_db()
    try:
        attempt = services.start_attempt(db, current_user, course, moment())
        db.commit()
    except services.QuizError as problem:
        db.rollback()
        flash(str(problem), "error")
        return redirect(url_for("quiz.start_page", course_id=course.id))
    return redirect(url_for("quiz.attempt", course_id=course.id, attempt_id=attempt.id))


def _render_attempt(
    course: Course,
    attempt: QuizAttempt,
    *,
    problems: dict[int, str] | None = None,
    checked: int | None = None,
    status: int = 200,
) -> tuple[str, int]:
    drawn = services.drawn_questions(attempt)
    answered = services.answered_positions(attempt)
    immediate = course.quiz is not None and course.quiz.feedback == "immediate"
    form_values = request.form.to_dict(flat=False) if request.method == "POST" else {}
    if immediate:
        # One question at a time: the one just checked (with its feedback), else the next.
        position = checked or next(
            (d.position for d in drawn if d.position not in answered), drawn[-1].position
        )
        current: DrawnQuestion = drawn[position - 1]
        template = "quiz/attempt_one.html"
        context = {
            "question": present(current),
            "answer": answered.get(position),
            "ticks": tick_box_review(current, answered[position].response)
            if position in answered
            else None,
            "general_feedback": question_html(
                current.question.general_feedback, current.question.text_format
            )
            if position in answered and current.question.general_feedback
            else None,
            "answered_count": len(answered),
        }
    else:
        template = "quiz/attempt_all.html"
        context = {"questions": [present(d) for d in drawn]}
    return (
        render_template(
            template,
            course=course,
            attempt=attempt,
            total=len(drawn),
            problems=problems or {},
            values=form_values,
            **context,
        ),
        status,
    )


@bp.route("/learn/<course_id>/quiz/<int:attempt_id>")
@signed_in
def attempt(course_id: str, attempt_id: int) -> Response | tuple[str, int]:
    course = _quiz_course(course_id)
    attempt = _attempt(course, attempt_id)
    checked = parse_whole_number(request.args.get("checked"))
    if not attempt.is_open and checked is None:
        return redirect(url_for("quiz.result", course_id=course.id, attempt_id=attempt.id))
    if checked is not None and not 1 <= checked <= len(attempt.draw):
        abort(404)
    return _render_attempt(course, attempt, checked=checked)


@bp.route("/learn/<course_id>/quiz/<int:attempt_id>/answer/<int:position>", methods=["POST"])
@signed_in
@reads_first
def answer(course_id: str, attempt_id: int, position: int) -> Response | tuple[str, int]:
    course = _quiz_course(course_id)
    attempt = _attempt(course, attempt_id)
    now = moment()
    form = request.form.to_dict(flat=False)
    try:
        graded = services.grade_answer(get_db(), current_user, course, attempt, position, form, now)
    except services.AnswersInvalid as invalid:
        problems = {p.position: p.message for p in invalid.problems}
        return _render_attempt(course, attempt, problems=problems, status=422)
    except services.QuizError as problem:
        return _closed(course, attempt, problem, now)
    if graded.rows:
        db = begin_writing()
        try:
            services.save_answer(db, current_user, course, attempt, graded, now)
            db.commit()
        except IntegrityError:
            db.rollback()  # the same answer arrived twice at once; the first one stands
        except services.QuizError as problem:
            db.rollback()
            return _closed(course, attempt, problem, now)
    return redirect(
        url_for("quiz.attempt", course_id=course.id, attempt_id=attempt.id, checked=position)
        + "#feedback"
    )


@bp.route("/learn/<course_id>/quiz/<int:attempt_id>/submit", methods=["POST"])
@signed_in
@reads_first
def submit(course_id: str, attempt_id: int) -> Response | tuple[str, int]:
    course = _quiz_course(course_id)
    attempt = _attempt(course, attempt_id)
    now = moment()
    form = request.form.to_dict(flat=False)
    try:
        graded = services.grade_submission(get_db(), current_user, course, attempt, form, now)
    except services.AnswersInvalid as invalid:
        problems = {p.position: p.message for p in invalid.problems}
        return _render_attempt(course, attempt, problems=problems, status=422)
    except services.AlreadySubmitted:
        pass  # a second click or tab: the first submission's result stands
    except services.QuizError as problem:
        return _closed(course, attempt, problem, now)
    else:
        db = begin_writing()
        try:
            services.save_submission(db, current_user, course, attempt, graded, now)
            db.commit()
        except services.AlreadySubmitted:
            db.rollback()  # submitted from another tab since this one read it
        except IntegrityError:
            db.rollback()  # an answer was saved meanwhile; the attempt is still open
            flash(
                "Your answers changed while this one was sent. Check them and submit again.",
                "error",
            )
            return redirect(url_for("quiz.attempt", course_id=course.id, attempt_id=attempt.id))
    return redirect(url_for("quiz.result", course_id=course.id, attempt_id=attempt.id))


def _closed(
    course: Course, attempt: QuizAttempt, problem: services.QuizError, now: Moment
) -> Response:
    """Why the attempt takes no more answers; an attempt out of time is marked first."""
    if isinstance(problem, services.TimeRanOut):
        db = begin_writing()
        try:
            services.expire_if_overdue(db, current_user, course, attempt, now)
            db.commit()
        except services.AlreadySubmitted:
            db.rollback()  # closed by another request since this one read it
    flash(str(problem), "error")
    return redirect(url_for("quiz.result", course_id=course.id, attempt_id=attempt.id))


@bp.route("/learn/<course_id>/quiz/<int:attempt_id>/result")
@signed_in
def result(course_id: str, attempt_id: int) -> Response | str:
    course = _quiz_course(course_id)
    attempt = _attempt(course, attempt_id)
    if attempt.is_open:
        return redirect(url_for("quiz.attempt", course_id=course.id, attempt_id=attempt.id))
    db = get_db()
    drawn = services.drawn_questions(attempt)
    answered = services.answered_positions(attempt)
    progress = course_progress(db, current_user, course, moment().today)
    attempts = services.attempts_in_cycle(db, attempt.cycle_id)
    review = [
        {
            "question": present(d),
            "answer": answered.get(d.position),
            "ticks": tick_box_review(d, answered[d.position].response)
            if d.position in answered
            else None,
            "general": question_html(d.question.general_feedback, d.question.text_format)
            if d.question.general_feedback
            else None,
        }
        for d in drawn
    ]
    return render_template(
        "quiz/result.html",
        course=course,
        attempt=attempt,
        review=review,
        progress=progress,
        left=services.attempts_left(course, len(attempts)),
    )
