"""Data-protection pages: "My data", subject access exports, erasure and retention."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.validators import InputRequired, NumberRange

from elearn.admin.links import children_of, parents_of
from elearn.admin.services import visible_person, year_label
from elearn.auth import permissions as can
from elearn.auth.access import requires, signed_in
from elearn.auth.models import Academy, User
from elearn.auth.roles import Role
from elearn.db import get_db, utcnow
from elearn.privacy import access, services
from elearn.privacy import retention as retention_service
from elearn.privacy.notice import build_notice
from elearn.web.numbers import WholeNumberField

bp = Blueprint("privacy", __name__, template_folder="templates")
# The person pages offer the safeguarding lead's copy to those who may make it.
bp.add_app_template_global(access.can_make_dsl_copy, "can_make_dsl_copy")

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
    """The person's copy: a JSON download, or (``format=page``) the readable page."""
    return _export(_person(user_id), copy="person")


def _dsl_person(user_id: int) -> User:
    person = get_db().get(User, user_id)
    if person is None or not access.can_make_dsl_copy(current_user, person):
        abort(404)
    return person


@bp.get("/people/<int:user_id>/safeguarding-copy")
@requires(can.is_safeguarding_lead)
def dsl_copy(user_id: int) -> Page:
    """Where a lead asks for the copy (linked from the person's record and from cases)."""
    return render_template("privacy/dsl_copy.html", person=_dsl_person(user_id))


@bp.post("/people/<int:user_id>/safeguarding-export")
@requires(can.is_safeguarding_lead)
def export_for_dsl(user_id: int) -> Response:
    """The safeguarding lead's copy, with the confidential sections."""
    return _export(_dsl_person(user_id), copy="dsl")


def _export(person: User, *, copy: str) -> Response:
    form = request.form.get("format", "json")
    if form not in services.FORMS:
        abort(400)
    db = get_db()
    now = utcnow()
    entry_id = services.record_export(
        db, actor_id=current_user.id, user=person, now=now, copy=copy, form=form
    )
    if form == "page":
        db.commit()
        return redirect(url_for("privacy.export_page", entry_id=entry_id), 303)
    data = services.export_person(db, person.id, now=now, include_confidential=copy == "dsl")
    db.commit()
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    kind = "safeguarding-copy" if copy == "dsl" else "personal-data"
    filename = f"{kind}-{person.id}-{now:%Y%m%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/exports/<int:entry_id>")
@signed_in
def export_page(entry_id: int) -> Page:
    """The readable copy asked for (and logged) by the POST that redirected here."""
    db = get_db()
    entry = services.requested_export(db, entry_id, actor_id=current_user.id, now=utcnow())
    person = db.get(User, entry.subject_id) if entry and entry.subject_id else None
    copy = str((entry.detail or {}).get("copy", "person")) if entry else ""
    if entry is None or person is None or not access.can_make_copy(current_user, person, copy):
        abort(404)
    config = current_app.config["ELEARN"]
    months = retention_service.retention_months(db, config)
    data = services.export_person(db, person.id, now=entry.at, include_confidential=copy == "dsl")
    response = make_response(
        render_template(
            "privacy/export_page.html",
            person=person,
            copy=copy,
            entry=entry,
            data=data,
            sections=services.readable_sections(data),
            notice=build_notice(config, months),
            json_form=url_for(
                "privacy.export_for_dsl" if copy == "dsl" else "privacy.export_person",
                user_id=person.id,
            ),
        )
    )
    # Personal data: never kept by a shared browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


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
    pupil = WholeNumberField(
        "Pupils",
        validators=[
            InputRequired("Enter a number of months for pupils."),
            NumberRange(1, retention_service.MAX_MONTHS, "Enter between 1 and 1200 months."),
        ],
    )
    parent = WholeNumberField(
        "Parents and carers",
        validators=[
            InputRequired("Enter a number of months for parents and carers."),
            NumberRange(1, retention_service.MAX_MONTHS, "Enter between 1 and 1200 months."),
        ],
    )
    staff = WholeNumberField(
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
