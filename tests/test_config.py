import pytest

from elearn import create_app
from elearn.config import ConfigError, load_config


def test_production_refuses_to_start_without_a_real_secret(monkeypatch):
    monkeypatch.delenv("ELEARN_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="ELEARN_SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})
    with pytest.raises(ConfigError):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "change-me"})


def test_production_starts_with_a_long_random_secret():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 48})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_demo_mode_runs_without_a_secret_but_cookies_not_forced_secure():
    app = create_app({"DATABASE_URL": "sqlite://", "DEMO": True})
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_environment_overrides_defaults_and_mapping_overrides_environment(monkeypatch):
    monkeypatch.setenv("ELEARN_LOGIN_MAX_FAILURES", "9")
    monkeypatch.setenv("ELEARN_BASE_URL", "https://learn.example.org")
    monkeypatch.setenv("ELEARN_SMTP_HOST", "mail.example.org")
    config = load_config({"BASE_URL": "https://override.example.org"})
    assert config["LOGIN_MAX_FAILURES"] == 9
    assert config["BASE_URL"] == "https://override.example.org"
    assert config["SMTP_HOST"] == "mail.example.org"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ELEARN_DATABASE_URL", raising=False)
    app = create_app({"DEMO": True})
    engine = app.extensions["elearn.engine"]
    assert engine.dialect.name == "sqlite"
    assert engine.url.database.endswith("elearn.sqlite")
    assert engine.url.database.startswith(app.instance_path)
