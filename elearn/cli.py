"""The ``elearn`` command: thin wrappers that call services and commit."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy.orm import Session

from elearn import create_app


def _app(_info: object = None) -> Flask:
    from elearn.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """elearn: e-safety learning for a multi-academy trust."""


def session() -> Session:
    return current_app.extensions["elearn.writer_sessionmaker"]()


def engine():  # noqa: ANN201 - an Engine; kept loose for click's sake
    return current_app.extensions["elearn.engine"]


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date (safe to run on every deploy)."""
    from elearn.migrate import current_revision, upgrade

    upgrade(engine(), revision)
    click.echo(f"Database at revision {current_revision(engine())}.")


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Create the demo data and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create (or reuse) an SQLite demo trust, print its logins and serve it."""
    from elearn.db import utcnow
    from elearn.demo import DEMO_PASSWORD, seed_demo
    from elearn.migrate import upgrade

    app = create_app({"DEMO": True, "BASE_URL": f"http://{host}:{port}"})
    with app.app_context():
        upgrade(app.extensions["elearn.engine"])
        with app.extensions["elearn.writer_sessionmaker"]() as db_session:
            summary = seed_demo(db_session, today=utcnow().date())
            db_session.commit()
    click.echo("Demo trust " + ("created." if summary.created else "already present."))
    click.echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    width = max(len(username) for _, username, _ in summary.logins)
    for role, username, about in summary.logins:
        click.echo(f"  {username:<{width}}  {role}: {about}")
    if no_serve:
        return
    click.echo(f"Serving on http://{host}:{port}  (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
