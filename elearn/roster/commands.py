"""``elearn users import FILE... [--dry-run]``: the roster import from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.db import utcnow
from elearn.roster.report import plan_lines
from elearn.roster.services import ImportRefused, import_files


@click.group("users", cls=AppGroup)
def users() -> None:
    """People: roster import."""


@users.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
def import_command(files: tuple[Path, ...], dry_run: bool) -> None:
    """Import a OneRoster 1.1 CSV set (orgs.csv, users.csv, enrollments.csv, a folder or a
    .zip) or one simple CSV file. Nothing is written if any row is bad."""
    contents: dict[str, bytes] = {}
    for path in files:
        members = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for member in members:
            contents[member.name] = member.read_bytes()
    with current_app.extensions["elearn.writer_sessionmaker"]() as session:
        try:
            plan = import_files(session, contents, actor_id=None, now=utcnow(), dry_run=dry_run)
        except ImportRefused as refused:
            session.rollback()
            for line in plan_lines(refused.plan):
                click.echo(line)
            raise click.ClickException(
                f"{refused} ({len(refused.plan.errors)} bad rows)."
            ) from None
        for line in plan_lines(plan):
            click.echo(line)
        if dry_run:
            session.rollback()
            click.echo("Dry run: nothing was changed.")
            return
        session.commit()
        click.echo("Import applied.")
