"""Configuration: defaults in code, then ``ELEARN_*`` environment variables, then a mapping.

Values arriving from the environment are strings; they are converted to the type of the
default so ``ELEARN_LOGIN_MAX_FAILURES=10`` becomes an int.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

ENV_PREFIX = "ELEARN_"

# Values that mean "nobody set a secret": the app refuses to run in production with these.
INSECURE_SECRET_KEYS = frozenset({"", "dev", "change-me", "secret", "demo-only-secret"})

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": "",
    # Empty means: an SQLite file in the instance folder.
    "DATABASE_URL": "",
    "DATABASE_ECHO": False,
    "BASE_URL": "http://127.0.0.1:5000",
    "TRUST_NAME": "Tees Valley Education",
    "DEMO": False,
    "DEBUG": False,
    "TESTING": False,
    # Content folders; empty means the repository's own courses/, content/ and quizzes/.
    "CONTENT_ROOT": "",
    # Login throttling: per account, and a looser per-address cap so a classroom that shares
    # one public IP is never locked out by one child's typos.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_FAILURE_WINDOW_SECONDS": 900,
    "LOGIN_MAX_FAILURES_PER_IP": 200,
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_MAX_HOURS": 12,
    "PROXY_FIX": False,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
}


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, the environment and ``overrides`` (highest wins)."""
    config = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = os.environ.get(ENV_PREFIX + key)
        if raw is not None:
            config[key] = _coerce(raw, default)
    # Settings without a default (e.g. ELEARN_SMTP_HOST, ELEARN_LRS_ENDPOINT) still pass through.
    for name, raw in os.environ.items():
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :] not in DEFAULTS:
            config[name[len(ENV_PREFIX) :]] = raw
    if overrides:
        config.update(overrides)
    return config


def flask_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The Flask and extension settings derived from elearn's own configuration."""
    relaxed = bool(config["DEBUG"] or config["DEMO"] or config["TESTING"])
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure is also set per request when the request itself came over https.
        "SESSION_COOKIE_SECURE": not relaxed,
        "SESSION_COOKIE_NAME": "elearn_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(config["SESSION_MAX_HOURS"])),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    }


class ConfigError(RuntimeError):
    """The configuration cannot be used to start the application."""


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse to run in production on a guessable secret key."""
    relaxed = config["DEBUG"] or config["DEMO"] or config["TESTING"]
    key = str(config.get("SECRET_KEY") or "")
    if not relaxed and (key in INSECURE_SECRET_KEYS or len(key) < 32):
        raise ConfigError(
            "ELEARN_SECRET_KEY must be set to a random value of at least 32 characters "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
