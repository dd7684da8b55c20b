"""Data-protection pages: "My data", subject access exports, erasure and retention."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from elearn.admin.links import children_of, parents_of
from elearn.admin.services import visible_person, year_label
from elearn.auth import permissions as can
from elearn.auth.access import requires, signed_in
from elearn.auth.models import Academy
from elearn.auth.roles import Role
from elearn.db import get_db, utcnow
from elearn.privacy import retention as retention_service
from elearn.privacy import services

bp = Blueprint("privacy", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response


@bp.get("/my-data")
@signed_in
def my_data() -> Page:
    db = get_db()
    user = current_user
    months = retention_service.retention_months(db, current_app.config["ELEARN"])
    return render_template(
        "privacy/my_data.html",
        academy=db.get(Academy, user.academy_id) if user.academy_id else None,
        children=children_of(db, user.id) if user.role is Role.PARENT else [],
        parents=parents_of(db, user.id) if user.role is Role.PUPIL else [],
        year=year_label(user.year_group),
        keep_months=months[retention_service.audience_of(user.role)],
        contact=current_app.config["ELEARN"].get("PRIVACY_CONTACT") or "",
    )


def _person(user_id: int):  # noqa: ANN202 - a User
    person = visible_person(get_db(), current_user, user_id)
    if person is None:
        abort(404)
    return person


@bp.post("/admin/people/<int:user_id>/export")
@requires(can.can_manage_trust_settings)
def export_person(user_id: int) -> Response:
    person = _person(user_id)
    db = get_db()
    now = utcnow()
    data = services.export_person(db, person.id, now=now)
    services.record_export(db, actor_id=current_user.id, user=person, now=now)
    db.commit()
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    filename = f"personal-data-{person.id}-{now:%Y%m%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/admin/people/<int:user_id>/erase", methods=["GET", "POST"])
@requires(can.can_manage_trust_settings)
def erase_person(user_id: int) -> Page:
    person = _person(user_id)
    db = get_db()
    problems = services.erasure_problems(db, person, actor_id=current_user.id)
    if request.method == "POST" and not problems:
        confirmed = request.form.get("confirm") == person.username
        if confirmed:
            try:
                services.erase_person(db, person.id, actor_id=current_user.id, now=utcnow())
            except services.ErasureRefused as refused:
                db.rollback()
                problems = refused.reasons
            else:
                db.commit()
                flash("Their personal details have been erased.", "success")
                return redirect(url_for("admin.people"))
        else:
            return render_template(
                "privacy/erase.html", person=person, problems=[], mismatch=True
            ), 422
    status = 409 if request.method == "POST" else 200
    return render_template("privacy/erase.html", person=person, problems=problems), status


class RetentionForm(FlaskForm):
    pupil = IntegerField(
        "Pupils",
        validators=[
            InputRequired("Enter a number of months for pupils."),
            NumberRange(1, retention_service.MAX_MONTHS, "Enter between 1 and 1200 months."),
        ],
    )
    parent = IntegerField(
        "Parents and carers",
        validators=[
            InputRequired("Enter a number of months for parents and carers."),
            NumberRange(1, retention_service.MAX_MONTHS, "Enter between 1 and 1200 months."),
        ],
    )
    staff = IntegerField(
        "Staff and volunteers",
        validators=[
            InputRequired("Enter a number of months for staff."),
            NumberRange(1, retention_service.MAX_MONTHS, "Enter between 1 and 1200 months."),
        ],
    )


@bp.route("/admin/retention", methods=["GET", "POST"])
@requires(can.can_manage_trust_settings)
def retention() -> Page:
    db = get_db()
    months = retention_service.retention_months(db, current_app.config["ELEARN"])
    form = RetentionForm(data=months if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        wanted = {"pupil": form.pupil.data, "parent": form.parent.data, "staff": form.staff.data}
        changed = retention_service.save_retention(
            db, {k: int(v or 0) for k, v in wanted.items()}, actor_id=current_user.id, now=utcnow()
        )
        db.commit()
        flash("Retention settings saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("privacy.retention"))
    if request.method == "POST":
        status = 422
    plan = retention_service.retention_plan(db, months, as_of=utcnow().date())
    return render_template("privacy/retention.html", form=form, plan=plan, months=months), status
