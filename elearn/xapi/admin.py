"""The "Learning records" admin page: delivery to the external LRS, dead letters, credentials.

Trust admins see how far behind delivery is (backlog, the oldest statement not yet delivered,
the latest error), the statements the external LRS refused with its reasons (and can send them
again after a fix), and the credentials other systems use to read from or send to elearn's own
LRS (issue, with the secret shown once, and revoke after a confirmation step).

Issuing redirects to a page that shows the secret (post/redirect/get), so a reload cannot
issue a second key. The secret waits in the admin's session for that one display only: the
page takes it out as it shows it, and a reload says it can no longer be shown.

``/admin/lrs/health.json`` gives the same delivery figures as JSON for monitoring. It may be
read by a trust admin's session or with any active LRS credential that has read scope, so a
monitoring system needs no admin account; everyone else gets 401 or 403.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from elearn.auth import permissions as can
from elearn.auth.access import public, requires
from elearn.db import get_db, utcnow
from elearn.xapi import credentials
from elearn.xapi.formats import format_timestamp
from elearn.xapi.forwarding import forwarder

bp = Blueprint("xapi_admin", __name__, template_folder="templates", url_prefix="/admin/lrs")

Page = str | tuple[str, int] | Response
# Session key holding a just-issued secret until the page that shows it is first loaded.
_ISSUED_SECRET = "lrs_issued_secret"


class CredentialForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[Length(max=credentials.NAME_LIMIT)],
        description="Who or what will use it, for example “Trust reporting dashboard”.",
        render_kw={"autocomplete": "off"},
    )
    can_read = BooleanField("Read statements and documents", default=True)
    can_write = BooleanField("Send statements and documents")


def describe_age(age: timedelta | None) -> str:
    """A waiting time in words: ``3 hours 5 minutes``."""
    if age is None:
        return ""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words[:2])


def _configured_endpoint() -> str:
    return str(current_app.config["ELEARN"].get("LRS_ENDPOINT") or "").strip()


def _status(now: datetime) -> forwarder.LrsStatus:
    return forwarder.lrs_status(
        get_db(),
        now,
        configured=bool(_configured_endpoint()),
        stall_after=forwarder.stall_from_settings(current_app.config["ELEARN"]),
    )


def _index(form: CredentialForm, status: int = 200) -> Page:
    db = get_db()
    now = utcnow()
    page = render_template(
        "xapi_admin/index.html",
        status=_status(now),
        endpoint=_configured_endpoint(),
        dead_letters=forwarder.dead_letters(db),
        credentials=credentials.list_credentials(db),
        form=form,
        describe_age=describe_age,
    )
    return (page, status) if status != 200 else page


@bp.get("")
@requires(can.is_admin)
def index() -> Page:
    return _index(CredentialForm())


@bp.post("/dead-letters/<statement_id>/retry")
@requires(can.is_admin)
def retry_dead_letter(statement_id: str) -> Page:
    db = get_db()
    if not forwarder.retry_dead_letter(db, statement_id, now=utcnow(), actor_id=current_user.id):
        return render_template("errors/error.html", status=404), 404
    db.commit()
    flash(f"Statement {statement_id} will be sent again at the next delivery run.", "success")
    return redirect(url_for("xapi_admin.index") + "#dead-letters")


@bp.post("/dead-letters/retry-all")
@requires(can.is_admin)
def retry_all() -> Page:
    db = get_db()
    count = forwarder.retry_all_dead_letters(db, now=utcnow(), actor_id=current_user.id)
    db.commit()
    if count:
        noun = "statement" if count == 1 else "statements"
        flash(f"{count} refused {noun} will be sent again at the next delivery run.", "success")
    else:
        flash("There were no refused statements to send again.", "success")
    return redirect(url_for("xapi_admin.index") + "#dead-letters")


@bp.post("/credentials")
@requires(can.is_admin)
def issue_credential() -> Page:
    form = CredentialForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            issued = credentials.issue_credential(
                db,
                form.name.data or "",
                can_read=bool(form.can_read.data),
                can_write=bool(form.can_write.data),
                now=utcnow(),
                actor_id=current_user.id,
            )
        except credentials.CredentialProblem as problem:
            field = getattr(form, problem.field)
            field.errors = [*field.errors, problem.message]
        else:
            db.commit()
            session[_ISSUED_SECRET] = {"id": issued.id, "secret": issued.secret}
            return redirect(url_for("xapi_admin.issued_credential", credential_id=issued.id))
    return _index(form, 422)


@bp.get("/credentials/<int:credential_id>/issued")
@requires(can.is_admin)
def issued_credential(credential_id: int) -> Page:
    credential = credentials.find_credential(get_db(), credential_id)
    if credential is None:
        return render_template("errors/error.html", status=404), 404
    waiting = session.get(_ISSUED_SECRET)
    secret = None
    if isinstance(waiting, dict) and waiting.get("id") == credential.id:
        secret = str(waiting.get("secret") or "")
        session.pop(_ISSUED_SECRET)
    return render_template("xapi_admin/issued.html", credential=credential, secret=secret)


@bp.get("/credentials/<int:credential_id>/revoke")
@requires(can.is_admin)
def confirm_revoke(credential_id: int) -> Page:
    credential = credentials.find_credential(get_db(), credential_id)
    if credential is None:
        return render_template("errors/error.html", status=404), 404
    if credential.revoked_at is not None:
        return redirect(url_for("xapi_admin.index") + "#credentials")
    return render_template("xapi_admin/confirm_revoke.html", credential=credential)


@bp.post("/credentials/<int:credential_id>/revoke")
@requires(can.is_admin)
def revoke_credential(credential_id: int) -> Page:
    db = get_db()
    credential = credentials.find_credential(db, credential_id)
    if credential is None:
        return render_template("errors/error.html", status=404), 404
    if request.form.get("confirm") != "revoke":
        # Only the confirmation page's button revokes; anything else asks first.
        return redirect(url_for("xapi_admin.confirm_revoke", credential_id=credential.id))
    if credentials.revoke_credential(db, credential, now=utcnow(), actor_id=current_user.id):
        db.commit()
        flash(
            f"“{credential.name}” ({credential.key}) is revoked: it can no longer read or send "
            "statements.",
            "success",
        )
    return redirect(url_for("xapi_admin.index") + "#credentials")


@bp.get("/health.json")
@public  # authenticated inside: an admin's session, or an LRS credential with read scope
def health() -> Response | tuple[Response, int]:
    denied = _health_denied()
    if denied is not None:
        return denied
    now = utcnow()
    status = _status(now)
    age = status.oldest_undelivered_age
    stalled = status.stalled_for

    def stamp(value: object) -> str | None:
        return format_timestamp(value) if value is not None else None  # type: ignore[arg-type]

    return jsonify(
        healthy=status.healthy,
        state=status.health.value,
        configured=status.configured,
        stalled_reason=status.stalled_reason,
        stalled_for_seconds=int(stalled.total_seconds()) if stalled is not None else None,
        last_delivered_at=stamp(status.last_delivered_at),
        backlog=status.backlog,
        dead_letters=status.dead,
        oldest_undelivered_at=stamp(status.oldest_undelivered_at),
        oldest_undelivered_age_seconds=int(age.total_seconds()) if age is not None else None,
        last_error=status.last_error,
        last_error_at=stamp(status.last_error_at),
        next_attempt_at=stamp(status.next_attempt_at),
        checked_at=stamp(now),
    )


def _health_denied() -> tuple[Response, int] | None:
    if request.headers.get("Authorization") is not None:
        auth = request.authorization
        credential = None
        if auth is not None and auth.type == "basic":
            credential = credentials.authenticate(
                get_db(), str(auth.username or ""), str(auth.password or "")
            )
        if credential is None:
            response = jsonify(message="the LRS key or secret is wrong, or was revoked")
            response.headers["WWW-Authenticate"] = 'Basic realm="elearn xAPI"'
            return response, 401
        if not credential.can_read:
            return jsonify(message="this LRS key may not read"), 403
        return None
    if not current_user.is_authenticated:
        response = jsonify(message="sign in as an admin, or use an LRS key with read scope")
        response.headers["WWW-Authenticate"] = 'Basic realm="elearn xAPI"'
        return response, 401
    if not can.is_admin(current_user):
        return jsonify(message="only trust admins may read this"), 403
    return None
