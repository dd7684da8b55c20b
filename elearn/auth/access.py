"""Deny by default: every view declares who may reach it, and one check enforces it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import LoginManager, current_user
from werkzeug.wrappers import Response

from elearn.auth import services
from elearn.auth.models import User
from elearn.auth.permissions import is_signed_in
from elearn.db import utcnow

F = TypeVar("F", bound=Callable[..., Any])
Rule = Callable[[Any], bool]

ACCESS_ATTR = "_elearn_access"
PUBLIC = "public"
# What someone may still reach while they must choose a new password.
OPEN_BEFORE_NEW_PASSWORD = frozenset({"auth.choose_password", "auth.logout"})


def public(view: F) -> F:
    """Reachable without signing in (sign-in page, certificate checks, health)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def requires(rule: Rule) -> Callable[[F], F]:
    """Reachable by signed-in people for whom ``rule(user)`` holds; others get 403."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, rule)
        return view

    return decorate


signed_in = requires(is_signed_in)


def access_rule(endpoint: str | None) -> str | Rule | None:
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def enforce_access() -> Response | None:
    """Run before every request."""
    if request.endpoint is None:
        return None  # unknown URL: let routing answer 404/405
    rule = access_rule(request.endpoint)
    if rule is None:
        # A view that forgot to say who may use it is closed, not open.
        abort(404)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/xapi/"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if (
        current_user.must_change_password
        and request.endpoint not in OPEN_BEFORE_NEW_PASSWORD
        and not request.path.startswith("/xapi/")
    ):
        # Someone else knows this password: nothing else until the person picks their own.
        return redirect(url_for("auth.choose_password"))
    if not rule(current_user):
        abort(403)
    return None


def init_login(app: Flask) -> None:
    manager = LoginManager()
    manager.session_protection = None  # server-side sessions already bind the cookie
    manager.init_app(app)

    @manager.user_loader
    def load_user(token: str) -> User | None:
        from elearn.db import get_db, request_writes

        now = utcnow()
        live = services.load_session_user(
            get_db(),
            token,
            now=now,
            idle=timedelta(minutes=int(app.config["ELEARN"]["SESSION_IDLE_MINUTES"])),
            max_age=timedelta(hours=int(app.config["ELEARN"]["SESSION_MAX_HOURS"])),
        )
        if live is None:
            return None
        if live.stale(now):
            if request_writes():
                # The request already holds SQLite's write lock: a second writer would wait
                # for it until the busy timeout. The view's commit saves the touch.
                services.touch_session(get_db(), token, now=now)
            else:
                # Its own short transaction, and rarely: reads should not take the write lock.
                with app.extensions["elearn.writer_sessionmaker"]() as writer:
                    services.touch_session(writer, token, now=now)
                    writer.commit()
        return live.user

    app.before_request(enforce_access)
