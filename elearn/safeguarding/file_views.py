"""Evidence files, served to the report's academy team only, each opening logged."""

from __future__ import annotations

from flask import abort, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from elearn.db import get_db, utcnow, writes
from elearn.safeguarding import services
from elearn.safeguarding.blueprint import bp, files_dir
from elearn.safeguarding.inbox_views import lead_only
from elearn.safeguarding.uploads import download_name, stored_path


@bp.route("/files/<int:attachment_id>")
@lead_only
@writes
def download(attachment_id: int) -> Response:
    """Serve a file to its academy's team only, always as a download, never cached.

    Evidence may be an indecent image of a child (UKCIS: do not view it), so nothing is ever
    shown inline: the browser saves the file only after a deliberate click, which is logged.
    """
    db = get_db()
    attachment = services.attachment_for_team(db, current_user, attachment_id)
    if attachment is None:
        abort(404)
    path = stored_path(files_dir(), attachment.stored_name)
    if not path.is_file():
        abort(404)
    services.record_download(db, current_user, attachment, now=utcnow())
    db.commit()
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=download_name(attachment.original_name, attachment.content_type),
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
