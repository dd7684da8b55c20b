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
    # Not app.run(): Flask ignores it inside its own command line.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.group()
def content() -> None:
    """Courses, lessons and question banks."""


@content.command("check", with_appcontext=False)
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Folder holding courses/, content/ and quizzes/ (default: the configured one).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on item-writing warnings too, not only on errors (CI runs this).",
)
def content_check(root: str | None, strict: bool) -> None:
    """Check every course, lesson and question bank; list every error as file:line.

    Item-writing flaws in questions and hard-to-read KS2 lessons are listed as warnings,
    and each lesson's reading grade for information.
    """
    from pathlib import Path

    from elearn.catalog.itemwriting import review_content
    from elearn.catalog.loader import check_content, load_catalog
    from elearn.config import content_root, load_config

    folder = Path(root) if root else content_root(load_config())
    errors = check_content(folder)
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        raise SystemExit(f"{len(errors)} error(s) in the content under {folder}")
    report = review_content(folder)
    for grade in report.grades:
        click.echo(str(grade))
    for warning in report.warnings:
        click.echo(str(warning), err=True)
    if strict and report.warnings:
        raise SystemExit(
            f"{len(report.warnings)} item-writing warning(s) in the content under {folder} "
            "(--strict fails on warnings)"
        )
    catalog = load_catalog(folder)
    lessons = sum(len(course.lessons) for course in catalog.courses)
    questions = sum(len(course.questions) for course in catalog.courses)
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    click.echo(
        f"Content OK: {len(catalog.courses)} courses, {lessons} lessons, "
        f"{questions} questions in their banks{warned}."
    )


from elearn.compliance.commands import compliance as _compliance_commands  # noqa: E402

main.add_command(_compliance_commands)

from elearn.privacy.commands import privacy as _privacy_commands  # noqa: E402
from elearn.roster.commands import users as _users_commands  # noqa: E402

main.add_command(_users_commands)
main.add_command(_privacy_commands)

from elearn.xapi.commands import xapi as _xapi_commands  # noqa: E402

main.add_command(_xapi_commands)
