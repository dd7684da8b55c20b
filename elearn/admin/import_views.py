"""Roster upload pages: upload, check the dry run, confirm."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from elearn.admin.blueprint import Page, bp
from elearn.admin.forms import UploadForm
from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.db import get_db, utcnow
from elearn.roster import services as roster_service
from elearn.roster import simple
from elearn.roster.models import RosterUpload


@bp.route("/import", methods=["GET", "POST"])
@requires(can.can_manage_trust_settings)
def import_upload() -> Page:
    form = UploadForm()
    if form.validate_on_submit():
        uploads = [f for f in (form.files.data or []) if f and f.filename]
        if not uploads:
            form.files.errors = [*form.files.errors, "Choose at least one CSV file to upload."]
        else:
            db = get_db()
            files = {f.filename: f.read() for f in uploads}
            upload, plan = roster_service.stage_upload(
                db, files, actor_id=current_user.id, now=utcnow()
            )
            db.commit()
            page = render_template("admin/import_review.html", plan=plan, upload=upload)
            return (page, 200) if plan.ok else (page, 422)
    if request.method == "POST":
        return render_template("admin/import_upload.html", form=form), 422
    return render_template("admin/import_upload.html", form=form)


@bp.post("/import/<int:upload_id>/confirm")
@requires(can.can_manage_trust_settings)
def import_confirm(upload_id: int) -> Page:
    db = get_db()
    try:
        confirmed = roster_service.confirm_upload(
            db,
            upload_id,
            request.form.get("fingerprint", ""),
            actor_id=current_user.id,
            now=utcnow(),
        )
    except roster_service.AlreadyApplied as already:
        db.rollback()
        applied_at = already.upload.applied_at
        flash(
            "This import had already been applied"
            + (f" at {applied_at:%H:%M} UTC" if applied_at else "")
            + ", so it was not applied a second time. Here is what it did.",
            "info",
        )
        return redirect(url_for("admin.import_applied", upload_id=upload_id), 303)
    except roster_service.ImportRefused as refused:
        # Nothing is kept but the upload's new fingerprint; no person has been touched.
        db.rollback()
        upload = db.get(RosterUpload, upload_id)
        if upload is None:
            abort(404)
        upload.fingerprint = refused.plan.fingerprint
        upload.summary = refused.plan.summary()
        db.commit()
        page = render_template(
            "admin/import_review.html", plan=refused.plan, upload=upload, changed_since=True
        )
        return page, 409
    if confirmed is None:
        abort(404)
    db.commit()
    # Post/redirect/get: reloading the result page shows it again rather than re-posting.
    return redirect(url_for("admin.import_applied", upload_id=upload_id), 303)


@bp.get("/import/<int:upload_id>/applied")
@requires(can.can_manage_trust_settings)
def import_applied(upload_id: int) -> Page:
    upload = roster_service.applied_upload(get_db(), upload_id, actor_id=current_user.id)
    if upload is None:
        abort(404)
    return render_template("admin/import_done.html", upload=upload, summary=upload.summary)


@bp.get("/import/template.csv")
@requires(can.can_manage_trust_settings)
def import_template() -> Response:
    return Response(
        simple.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="roster-template.csv"'},
    )
