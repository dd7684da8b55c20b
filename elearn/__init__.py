"""elearn: e-safety learning for a multi-academy trust."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from elearn.config import check_config, flask_settings, load_config

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. Makes no network calls and runs no migrations."""
    app = Flask(__name__, instance_relative_config=True)
    from elearn.web.numbers import IdConverter

    # Before any blueprint adds a rule: every ``<int:...>`` in the app then takes ids only.
    app.url_map.converters["int"] = IdConverter
    settings = load_config(config)
    check_config(settings)
    app.config["ELEARN"] = settings
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or "demo-only-secret"
    app.config["DEBUG"] = bool(settings["DEBUG"])
    app.config["TESTING"] = bool(settings["TESTING"])
    app.config.update(flask_settings(settings))
    for key in ("WTF_CSRF_ENABLED", "SERVER_NAME", "PREFERRED_URL_SCHEME"):
        if key in settings:
            app.config[key] = settings[key]

    if settings["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from elearn import db
    from elearn.web import busy, filters, navigation, security

    engine = db.make_engine(
        db.database_url(settings, app.instance_path),
        echo=bool(settings["DATABASE_ECHO"]),
        busy_timeout_ms=int(settings["SQLITE_BUSY_TIMEOUT_MS"]),
    )
    db.init_app(app, engine)
    security.init_app(app)
    busy.init_app(app)
    navigation.init_app(app)
    filters.init_app(app)

    from elearn.catalog.source import CatalogSource
    from elearn.config import content_root

    reload_seconds = float(settings["CONTENT_RELOAD_SECONDS"]) or (2.0 if settings["DEMO"] else 0)
    app.extensions["elearn.catalog"] = CatalogSource(content_root(settings), reload_seconds)

    from elearn.auth.access import init_login

    init_login(app)
    _register_blueprints(app)
    logging.getLogger("elearn").setLevel(logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    from elearn.admin.views import bp as admin_bp
    from elearn.auth.sso_views import bp as sso_bp
    from elearn.auth.views import bp as auth_bp
    from elearn.catalog.views import bp as catalog_bp
    from elearn.compliance import remind_views  # noqa: F401  (its pages are on compliance_bp)
    from elearn.compliance.views import bp as compliance_bp
    from elearn.learning.views import bp as learning_bp
    from elearn.privacy.views import bp as privacy_bp
    from elearn.progress.views import bp as progress_bp
    from elearn.quiz.views import bp as quiz_bp
    from elearn.safeguarding.views import bp as safeguarding_bp
    from elearn.web.views import bp as core_bp
    from elearn.xapi.admin import bp as xapi_admin_bp
    from elearn.xapi.lrs import activities_agents, documents_resource  # noqa: F401  (on xapi_bp)
    from elearn.xapi.lrs.resource import bp as xapi_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(sso_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(core_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(compliance_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(safeguarding_bp)
    app.register_blueprint(xapi_bp)
    app.register_blueprint(xapi_admin_bp)
