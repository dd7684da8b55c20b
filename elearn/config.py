"""Configuration: defaults in code, then ``ELEARN_*`` environment variables, then a mapping.

Values arriving from the environment are strings; they are converted to the type of the
default so ``ELEARN_LOGIN_MAX_FAILURES=10`` becomes an int.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
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
    # How often (seconds) to look for edited content files; 0 = load once. Demo mode uses 2.
    "CONTENT_RELOAD_SECONDS": 0,
    # Login throttling (see elearn/auth/throttle.py): failures of one account from one address,
    # of one account from all addresses, and distinct accounts failing from one address (a
    # school shares one public IP, so that never slows accounts that have not failed).
    # Delays start at LOGIN_FIRST_DELAY_SECONDS and double with each further failure.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 50,
    "LOGIN_MAX_FAILED_ACCOUNTS_PER_IP": 30,
    "LOGIN_FAILURE_WINDOW_SECONDS": 900,
    "LOGIN_FIRST_DELAY_SECONDS": 60,
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_MAX_HOURS": 12,
    "PROXY_FIX": False,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    # Compliance reminders (``elearn compliance remind``, run daily from cron): days after a
    # renewal window opens to say so (0 = that day; negative = never), days before a due date
    # to remind, and how often to repeat while overdue. A new policy version is due this many
    # days after it first appears (or after a new starter's start date).
    "REMIND_WINDOW_OPEN": 0,
    "REMIND_DUE_DAYS_BEFORE": 7,
    "REMIND_OVERDUE_EVERY_DAYS": 7,
    "POLICY_SIGN_OFF_DAYS": 28,
    # Where uploaded files (safeguarding evidence) are kept, outside the package and web
    # root; empty means the instance folder. Files go in its uploads/ folder.
    "DATA_DIR": "",
    # The largest evidence file accepted (bytes).
    "UPLOAD_MAX_BYTES": 8 * 1024 * 1024,
    # Safeguarding abuse limits, counted in the database: reports one person may send in an
    # hour, the evidence files one academy may keep (bytes), and the minutes after a "new
    # report" e-mail in which no other is sent unless the team has looked at the inbox since.
    "REPORTS_PER_HOUR_PUPIL": 10,
    "REPORTS_PER_HOUR_ADULT": 30,
    "EVIDENCE_QUOTA_BYTES": 2 * 1024 * 1024 * 1024,
    "REPORT_MAIL_QUIET_MINUTES": 30,
    # Single sign-on with the schools' Microsoft 365 or Google Workspace accounts (OpenID
    # Connect). Off unless issuer, client id and secret and an allowed tenant or domain are set.
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_ALLOWED_TENANTS": "",
    "OIDC_ALLOWED_DOMAINS": "",
    # Microsoft tenants whose e-mail addresses the trust's own IT staff assign: there an
    # address counts as verified for a first sign-in even without the xms_edov claim.
    "OIDC_OWN_TENANTS": "",
    "OIDC_LABEL": "Sign in with your school account",
    "OIDC_ROSTER_ID_CLAIM": "",
    "OIDC_TIMEOUT_SECONDS": 10,
    # Months after leaving before a leaver's personal details are erased (admins may change
    # these on the retention page; the stored values then win).
    "RETENTION_PUPIL_MONTHS": 12,
    "RETENTION_PARENT_MONTHS": 3,
    "RETENTION_STAFF_MONTHS": 72,
    # Who people should contact about their data (shown on the "My data" page); empty means
    # "the school office".
    "PRIVACY_CONTACT": "",
    # The external LRS that `elearn xapi forward` sends statements to (its xAPI base URL, with
    # HTTP Basic credentials); empty means statements are only kept in elearn's own store.
    "LRS_ENDPOINT": "",
    "LRS_USERNAME": "",
    "LRS_PASSWORD": "",
    # Seconds to wait for the LRS to connect or answer, and statements sent per pass.
    "LRS_TIMEOUT": 10.0,
    "LRS_BATCH": 100,
    # Seconds a forwarder holds the statements it is sending before another may take them
    # over; renewed while it sends, so a forwarder that dies is replaced within this time.
    "LRS_LEASE_SECONDS": 30.0,
    # Minutes without a delivery, while statements wait, before health says "stalled".
    "LRS_STALL_MINUTES": 15,
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
        # Room for the largest upload plus the rest of its form.
        "MAX_CONTENT_LENGTH": max(
            12 * 1024 * 1024, int(config.get("UPLOAD_MAX_BYTES") or 0) + 1024 * 1024
        ),
    }


def content_root(config: Mapping[str, Any]) -> Path:
    """Where ``courses/``, ``content/`` and ``quizzes/`` live.

    Unset, it is the checkout the package runs from (when it has a ``courses`` folder), else
    the working directory.
    """
    if config.get("CONTENT_ROOT"):
        return Path(str(config["CONTENT_ROOT"]))
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "courses").is_dir() else Path.cwd()


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
