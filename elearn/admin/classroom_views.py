"""Class sign-in pages: class lists and printable sign-in cards for a year group."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from elearn.admin import cards as card_service
from elearn.admin import services
from elearn.admin.views import Page, bp
from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.auth.models import Academy
from elearn.db import get_db, utcnow
from elearn.web.numbers import parse_id, parse_whole_number


def _class_context() -> tuple[Academy | None, int | None, list[Academy]]:
    db = get_db()
    academy_arg = request.values.get("academy", "")
    academy = card_service.class_academy(db, current_user, parse_id(academy_arg))
    if academy_arg and academy is None:
        abort(404)
    year_arg = request.values.get("year", "")
    year = parse_whole_number(year_arg)
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


@bp.route("/class/cards", methods=["GET", "POST"])
@requires(can.can_use_class_sign_in)
def sign_in_cards() -> Page:
    academy, year, _choices = _class_context()
    if academy is None or year is None:
        flash("Choose a year group first.", "info")
        return redirect(url_for("admin.class_list", academy=request.values.get("academy")))
    db = get_db()
    if request.method == "GET":
        pupils = card_service.class_list(db, academy.id, year)
        return render_template(
            "admin/cards_confirm.html", academy=academy, year=year, pupils=pupils
        )
    cards = card_service.make_cards(db, current_user, academy.id, year, now=utcnow())
    db.commit()
    return render_template("admin/cards.html", academy=academy, year=year, cards=cards)
