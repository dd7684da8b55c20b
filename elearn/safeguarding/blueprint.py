"""The safeguarding blueprint and what its two groups of views share."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from elearn.safeguarding import timefmt
from elearn.safeguarding.forms import WHEN_LABELS
from elearn.safeguarding.services import NewFile
from elearn.safeguarding.uploads import UploadRefused, check_upload, human_size, uploads_dir

bp = Blueprint("safeguarding", __name__, template_folder="templates", url_prefix="/reports")

bp.add_app_template_filter(timefmt.format_at, "sg_at")
bp.add_app_template_filter(timefmt.format_on, "sg_on")
bp.add_app_template_filter(human_size, "sg_size")
bp.add_app_template_filter(lambda key: WHEN_LABELS.get(key or "", ""), "sg_when")

# What the file pickers offer; the server still checks every file's content itself.
ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf"
bp.add_app_template_global(ACCEPT, "sg_accept")


def files_dir() -> Path:
    """Evidence files live outside the package and the web root, under the data folder."""
    data_dir = current_app.config["ELEARN"].get("DATA_DIR") or current_app.instance_path
    return uploads_dir(data_dir)


def max_bytes() -> int:
    return int(current_app.config["ELEARN"]["UPLOAD_MAX_BYTES"])


def checked_file(form: FlaskForm, field_name: str) -> tuple[NewFile | None, bool]:
    """The field's file after its checks, and whether the field is acceptable.

    No file chosen gives ``(None, True)``. A refused file gives ``(None, False)`` and its
    reason is added to the field's errors, so the form re-renders saying why.
    """
    field = form[field_name]
    storage = field.data
    if not isinstance(storage, FileStorage) or not storage:
        return None, True
    limit = max_bytes()
    data = storage.stream.read(limit + 1)
    try:
        upload = check_upload(storage.filename or "", data, max_bytes=limit)
    except UploadRefused as refused:
        field.errors = [*field.errors, str(refused)]
        return None, False
    return NewFile(upload=upload), True


@bp.errorhandler(413)
def too_large(_error: Exception) -> tuple[str, int]:
    """Flask refused the whole request as too big: explain, and offer the form again."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        back = request.path
    elif request.view_args and "report_id" in request.view_args:
        back = url_for("safeguarding.case", report_id=request.view_args["report_id"])
    else:
        back = url_for("safeguarding.start")
    return (
        render_template("safeguarding/too_large.html", limit=human_size(max_bytes()), back=back),
        413,
    )
