"""Class sign-in pages: class lists and printable sign-in cards for a year group."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from elearn.admin import cards as card_service
from elearn.admin import services
from elearn.admin.blueprint import Page, bp
from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.auth.models import Academy, User
from elearn.db import begin_writing, get_db, reads_first, utcnow
from elearn.web.numbers import parse_id, parse_whole_number


def _class_context() -> tuple[Academy | None, int | None, list[Academy]]:
    db = get_db()
    academy_arg = request.values.get("academy", "")
    academy = card_service.class_academy(db, current_user, parse_id(academy_arg))
    if academy_arg and academy is None:
        abort(404)
    year_arg = request.values.get("year", "")
    # Nursery years are below zero (N1 is -2, N2 is -1).
    year = parse_whole_number(year_arg, minimum=min(services.YEAR_GROUPS))
    choices = services.academies_for(db, current_user) if can.is_admin(current_user) else []
    return academy, year, choices


@bp.get("/class")
@requires(can.can_use_class_sign_in)
def class_list() -> Page:
    academy, year, choices = _class_context()
    db = get_db()
    years = card_service.year_groups(db, academy.id) if academy else []
    pupils = card_service.class_list(db, academy.id, year) if academy and year is not None else []
    return render_template(
        "admin/class_list.html",
        academy=academy,
        year=year,
        years=years,
        pupils=pupils,
        choices=choices,
    )


def _confirm_page(
    academy: Academy,
    year: int,
    pupils: list[User],
    selected: set[int],
    *,
    problem: str | None = None,
    status: int = 200,
) -> Page:
    page = render_template(
        "admin/cards_confirm.html",
        academy=academy,
        year=year,
        pupils=pupils,
        selected=selected,
        problem=problem,
        most=card_service.MAX_CARDS_PER_REQUEST,
    )
    return page, status


@bp.route("/class/cards", methods=["GET", "POST"])
@requires(can.can_use_class_sign_in)
@reads_first
def sign_in_cards() -> Page:
    academy, year, _choices = _class_context()
    if academy is None or year is None:
        flash("Choose a year group first.", "info")
        return redirect(url_for("admin.class_list", academy=request.values.get("academy")))
    db = get_db()
    pupils = card_service.class_list(db, academy.id, year)
    if request.method == "GET":
        # By default, only the pupils who cannot sign in yet: nobody loses a password they use.
        return _confirm_page(academy, year, pupils, {p.id for p in pupils if not p.password_hash})

    raw_ids = request.form.getlist("pupil")
    if not all(value.isdigit() for value in raw_ids):
        abort(400)
    chosen_ids = {int(value) for value in raw_ids}
    chosen = card_service.chosen_pupils(db, academy.id, year, chosen_ids)
    if chosen is None:
        abort(404)  # a pupil who is not in this class
    try:
        card_service.check_choice(chosen)
    except card_service.CardsRefused as refused:
        return _confirm_page(academy, year, pupils, chosen_ids, problem=str(refused), status=422)

    now = utcnow()
    writer = current_app.extensions["elearn.writer_sessionmaker"]
    with writer() as claim:
        job = card_service.claim_card_job(claim, academy.id, year, now=now)
        job_id = job.id if job else None
        claim.commit()  # seen at once by every app server, while the hashing runs
    if job_id is None:
        message = (
            f"Someone else is making sign-in cards for {services.year_label(year)} right now. "
            "Wait a minute, then look at the class list: their pupils may already have cards."
        )
        return _confirm_page(academy, year, pupils, chosen_ids, problem=message, status=409)
    try:
        passwords = card_service.new_passwords(len(chosen))
        db = begin_writing()
        cards = card_service.give_cards(db, current_user, chosen, passwords, now=now)
        card_service.release_card_job(db, job_id)
        db.commit()
    except BaseException:
        db.rollback()
        with writer() as cleanup:
            card_service.release_card_job(cleanup, job_id)
            cleanup.commit()
        raise
    return render_template("admin/cards.html", academy=academy, year=year, cards=cards)
