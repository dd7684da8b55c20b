"""Sign in and sign out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from elearn.auth import services
from elearn.auth.access import public, signed_in
from elearn.auth.forms import ChoosePasswordForm, LoginForm
from elearn.auth.throttle import LoginPolicy
from elearn.db import get_db, utcnow
from elearn.web.security import rotate_csrf_secret

bp = Blueprint("auth", __name__, template_folder="templates")

GENERIC_FAILURE = "That username and password do not match. Check them and try again."


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the sign-in page cannot be used to bounce people elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _policy() -> LoginPolicy:
    cfg = current_app.config["ELEARN"]
    return LoginPolicy(
        max_failures=int(cfg["LOGIN_MAX_FAILURES"]),
        max_failures_per_account=int(cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        max_failed_accounts_per_ip=int(cfg["LOGIN_MAX_FAILED_ACCOUNTS_PER_IP"]),
        window=timedelta(seconds=int(cfg["LOGIN_FAILURE_WINDOW_SECONDS"])),
        first_delay=timedelta(seconds=int(cfg["LOGIN_FIRST_DELAY_SECONDS"])),
    )


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_db()
        result = services.attempt_login(
            db,
            form.username.data or "",
            form.password.data or "",
            ip=request.remote_addr or "unknown",
            now=utcnow(),
            policy=_policy(),
        )
        db.commit()
        if result.outcome is services.LoginOutcome.OK and result.user is not None:
            login_user(result.user)
            rotate_csrf_secret()
            if result.user.must_change_password:
                return redirect(url_for("auth.choose_password"))
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
        if result.outcome is services.LoginOutcome.THROTTLED and result.retry_after:
            minutes = max(1, round(result.retry_after.total_seconds() / 60))
            form.form_errors.append(
                "Too many attempts to sign in to this account. "
                f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again, "
                "or ask a teacher or the school office for help."
            )
            status = 429
        else:
            form.form_errors.append(GENERIC_FAILURE)
            status = 200
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    # CSRFProtect has already checked the token before this runs.
    token = current_user.session_token
    db = get_db()
    if token:
        services.revoke_session(db, token, now=utcnow())
        db.commit()
    logout_user()
    rotate_csrf_secret()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/new", methods=["GET", "POST"])
@signed_in
def choose_password() -> Response | str | tuple[str, int]:
    """Where someone whose password was reset by another person picks their own."""
    if not current_user.must_change_password:
        return redirect(url_for("core.home"))
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        problem = services.new_password_problem(current_user, password)
        if problem is None:
            db = get_db()
            services.choose_password(
                db, current_user, password, keep_token=current_user.session_token, now=utcnow()
            )
            db.commit()
            flash("Your new password is saved. Use it next time you sign in.", "success")
            return redirect(url_for("core.home"))
        form.password.errors = [problem]
    if request.method == "POST":
        return render_template("auth/choose_password.html", form=form), 422
    return render_template("auth/choose_password.html", form=form)
