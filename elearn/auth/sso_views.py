"""The "Sign in with your school account" button's two steps: off to the provider and back."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from elearn.auth import services
from elearn.auth.access import public
from elearn.auth.models import User
from elearn.auth.sso import (
    DID_NOT_WORK,
    SsoRefused,
    SsoSettings,
    TokenIdentity,
    claims_options,
    find_or_link_person,
)
from elearn.auth.sso_records import describe_reason, link_notice, record_sign_in
from elearn.auth.views import _safe_next
from elearn.db import utcnow
from elearn.mail import deliver_logged

bp = Blueprint("sso", __name__, url_prefix="/sso")
log = logging.getLogger("elearn.sso")

EXTENSION = "elearn.sso"
NEXT_KEY = "elearn_sso_next"


def init_app(app: Flask) -> None:
    """Register the provider with Authlib when SSO is configured. No network access: the
    discovery document is fetched the first time someone presses the button."""
    settings = SsoSettings.from_config(app.config["ELEARN"])
    if settings is None:
        app.extensions[EXTENSION] = None
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    client = oauth.register(
        name="school",
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": settings.timeout,
        },
    )
    app.extensions[EXTENSION] = (settings, client)


@bp.record_once
def _on_register(state: BlueprintSetupState) -> None:
    init_app(state.app)


def sso_button() -> str | None:
    """The button's text when SSO is configured (used by the sign-in page), else None."""
    configured = current_app.extensions.get(EXTENSION)
    return configured[0].label if configured else None


@bp.app_context_processor
def _button() -> dict[str, object]:
    return {"sso_button": sso_button}


def _configured():  # noqa: ANN202 - (SsoSettings, Authlib client)
    configured = current_app.extensions.get(EXTENSION)
    if not configured:
        abort(404)
    return configured


def _callback_url() -> str:
    # The address registered with the provider: built from the public base URL so it is the
    # same behind a proxy as in development.
    base = str(current_app.config["ELEARN"]["BASE_URL"]).rstrip("/")
    return base + url_for("sso.callback")


@bp.get("/login")
@public
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    _settings, client = _configured()
    session[NEXT_KEY] = _safe_next(request.args.get("next")) or ""
    try:
        return client.authorize_redirect(_callback_url())
    except Exception:  # the provider is unreachable or its discovery document is broken
        log.warning("SSO: could not start sign-in with the identity provider", exc_info=True)
        flash(DID_NOT_WORK, "error")
        return redirect(url_for("auth.login"))


def _record_refusal(claims: Mapping[str, Any], refused: SsoRefused) -> None:
    """Keep the refusal in its own transaction: the sign-in's own writes were rolled back."""
    with current_app.extensions["elearn.writer_sessionmaker"]() as writer:
        record_sign_in(
            writer,
            claims,
            reason=refused.code,
            user_id=refused.person_id,
            ip=request.remote_addr,
            now=utcnow(),
        )
        writer.commit()
    # WARNING, not INFO: each refusal is somebody who could not get in, and IT staff
    # watching the logs for "why can't Miss X sign in?" need to see it.
    log.warning(
        "SSO sign-in refused (%s): %s issuer=%s subject=%s tenant=%s person=%s",
        refused.code,
        describe_reason(refused.code),
        claims.get("iss"),
        claims.get("sub"),
        claims.get("tid") or claims.get("hd"),
        refused.person_id,
    )


def _tell_about_link(person: User, token: TokenIdentity) -> None:
    """E-mail the person that a school account was linked to them (after it committed)."""
    config = current_app.config["ELEARN"]
    notice = link_notice(
        person,
        token,
        at=utcnow(),
        trust_name=str(config["TRUST_NAME"]),
        site_url=str(config["BASE_URL"]).rstrip("/") + "/",
    )
    if notice is not None:
        deliver_logged(config, [notice], what="school account linked")


@bp.get("/callback")
@public
def callback() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    settings, client = _configured()
    claims: Mapping[str, Any] = {}
    try:
        metadata = client.load_server_metadata()
        token = client.authorize_access_token(
            claims_options=claims_options(settings, str(metadata.get("issuer") or ""))
        )
        claims = token.get("userinfo") or {}
        if not claims:
            raise SsoRefused("token_invalid", DID_NOT_WORK)
        # A GET that signs someone in writes: take a writer session, as password sign-in's
        # POST does, so SQLite's write lock is held from the start.
        with current_app.extensions["elearn.writer_sessionmaker"]() as writer:
            now = utcnow()
            match = find_or_link_person(writer, claims, settings, now=now)
            record_sign_in(
                writer,
                claims,
                reason=match.how,
                user_id=match.person.id,
                ip=request.remote_addr,
                now=now,
            )
            services.open_session(writer, match.person, now=now)
            writer.commit()
    except SsoRefused as refused:
        _record_refusal(claims, refused)
        flash(refused.message, "error")
        return redirect(url_for("auth.login"))
    except Exception:  # a bad signature, an expired token, a wrong state or nonce...
        log.warning("SSO sign-in failed", exc_info=True)
        _record_refusal(claims, SsoRefused("token_invalid", DID_NOT_WORK))
        flash(DID_NOT_WORK, "error")
        return redirect(url_for("auth.login"))
    log.warning(
        "SSO sign-in (%s): person=%s issuer=%s subject=%s",
        match.how,
        match.person.id,
        claims.get("iss"),
        claims.get("sub"),
    )
    if match.how != "identity":
        _tell_about_link(match.person, TokenIdentity.from_claims(claims))
    login_user(match.person)
    target = session.pop(NEXT_KEY, "") or url_for("core.home")
    return redirect(_safe_next(target) or url_for("core.home"))
