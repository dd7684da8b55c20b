"""Roster upload pages: upload, check the dry run, confirm."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from elearn.admin.forms import UploadForm
from elearn.admin.views import Page, bp
from elearn.auth import permissions as can
from elearn.auth.access import requires
from elearn.db import get_db, utcnow
from elearn.roster import services as roster_service


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
    now = utcnow()
    upload = roster_service.pending_upload(db, upload_id, actor_id=current_user.id, now=now)
    if upload is None:
        abort(404)
    try:
        result = roster_service.confirm_upload(
            db, upload, request.form.get("fingerprint", ""), actor_id=current_user.id, now=now
        )
    except roster_service.ImportRefused as refused:
        # Only the upload's new fingerprint is kept; no person has been touched.
        db.rollback()
        upload.fingerprint = refused.plan.fingerprint
        upload.summary = refused.plan.summary()
        db.commit()
        page = render_template(
            "admin/import_review.html", plan=refused.plan, upload=upload, changed_since=True
        )
        return page, 409
    db.commit()
    return render_template("admin/import_done.html", result=result)
