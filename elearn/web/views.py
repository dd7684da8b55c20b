"""The home page for each role and the health check."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from elearn.admin.access_grants import dismiss_notice
from elearn.auth.access import public, signed_in
from elearn.compliance.requirements import POLICY_DUE_DAYS
from elearn.db import get_db, utcnow
from elearn.learning.access import catalog, moment
from elearn.safeguarding.overview import ReportsOverview, record_home_listing
from elearn.web import home as home_service

bp = Blueprint("core", __name__)


@bp.route("/")
@signed_in
def home() -> str:
    due_days = int(current_app.config["ELEARN"].get("POLICY_SIGN_OFF_DAYS") or POLICY_DUE_DAYS)
    now = moment()
    page = home_service.home_page(
        get_db(), current_user, catalog(), now.today, now=now.now, policy_due_days=due_days
    )
    if page.academy_watch is not None:
        _record_listing(page.academy_watch.reports, now.now)
    return render_template(f"core/home_{page.template}.html", page=page)


def _record_listing(reports: ReportsOverview, now: datetime) -> None:
    """In its own short transaction: the home page is a read for everyone else."""
    with current_app.extensions["elearn.writer_sessionmaker"]() as writer:
        record_home_listing(writer, current_user, reports, now=now)
        writer.commit()


@bp.post("/notices/<int:notice_id>/dismiss")
@signed_in
def dismiss(notice_id: int) -> Response:
    db = get_db()
    if not dismiss_notice(db, current_user, notice_id, now=utcnow()):
        abort(404)
    db.commit()
    return redirect(url_for("core.home"))


@bp.route("/healthz")
@public
def health() -> Response:
    get_db().execute(text("SELECT 1"))
    return jsonify(status="ok")
