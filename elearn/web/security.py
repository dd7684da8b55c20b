"""CSRF, cookie and response-header hardening, and the error pages."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

# Flask-WTF keeps the secret its tokens are made from under this session key.
CSRF_SECRET_KEY = "csrf_token"
# Which sign-in the secret was made for: a hash of the server-side session token.
CSRF_OWNER_KEY = "csrf_owner"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request itself arrived over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        # Pages hold personal data: keep them out of shared caches and a shared PC's history.
        headers.setdefault("Cache-Control", "no-store")
    return response


def csrf_owner(session_token: str) -> str:
    """What the session records as the sign-in its CSRF secret belongs to."""
    return hashlib.sha256(session_token.encode()).hexdigest()[:32]


def _sign_in_fingerprint() -> str | None:
    token = current_user.session_token if current_user.is_authenticated else None
    return csrf_owner(token) if token else None


def rotate_csrf_secret() -> None:
    """Forget the CSRF secret: tokens issued so far stop working, new pages get new ones."""
    session.pop(CSRF_SECRET_KEY, None)
    owner = _sign_in_fingerprint()
    if owner is None:
        session.pop(CSRF_OWNER_KEY, None)
    else:
        session[CSRF_OWNER_KEY] = owner


def bind_csrf_to_sign_in() -> None:
    """Tokens belong to one sign-in: a new, ended or expired sign-in makes a new secret.

    Without this the secret lives as long as the cookie, so a token read from a page before
    someone signed in (or after they signed out, or after their session expired) would still
    be accepted. Runs before the CSRF check.
    """
    if session.get(CSRF_OWNER_KEY) != _sign_in_fingerprint():
        rotate_csrf_secret()


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(bind_csrf_to_sign_in)  # registered first: CSRFProtect checks after it
    csrf.init_app(app)
    app.after_request(add_security_headers)

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html"), 400

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, _error_page(status))


def _error_page(status: int):  # noqa: ANN202 - a Flask error handler factory
    def handler(_error: Exception) -> tuple[str, int]:
        return render_template("errors/error.html", status=status), status

    return handler
