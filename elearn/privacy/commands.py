"""``elearn privacy retention [--dry-run]``: apply the retention settings to leavers."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from elearn.db import hold_job_lock, utcnow
from elearn.privacy.retention import (
    AUDIENCES,
    RETENTION_JOB,
    apply_retention,
    retention_months,
    retention_plan,
)


@click.group("privacy", cls=AppGroup)
def privacy() -> None:
    """Data protection: retention of leavers' records."""


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="List who would be erased and change nothing.")
def retention_command(dry_run: bool) -> None:
    """Erase the personal details of leavers kept longer than the retention settings allow.

    People with a record that must be kept (for example an open safeguarding record) are
    listed with the reason and left alone.
    """
    now = utcnow()
    with current_app.extensions["elearn.writer_sessionmaker"]() as session:
        if not dry_run and not hold_job_lock(session, RETENTION_JOB):
            click.echo("Retention is being applied by another server right now; nothing to do.")
            return
        months = retention_months(session, current_app.config["ELEARN"])
        click.echo(
            "Keeping leavers' details for: "
            + ", ".join(f"{AUDIENCES[a].lower()} {m} months" for a, m in months.items())
        )
        plan = retention_plan(session, months, as_of=now.date())
        verb = "would erase" if dry_run else "erasing"
        for item in plan.due:
            click.echo(f"  {verb} {item.username} ({item.audience}, left {item.left_on})")
        for held in plan.held:
            click.echo(
                f"  keeping {held.due.username} ({held.due.audience}, left {held.due.left_on}): "
                + "; ".join(held.reasons)
            )
        if dry_run:
            session.rollback()
            click.echo(
                f"Dry run: {len(plan.due)} would be erased, {len(plan.held)} must be kept. "
                "Nothing was changed."
            )
            return
        # The lock taken above is this transaction's, so apply_retention holds it already.
        result = apply_retention(session, months, now=now)
        session.commit()
        click.echo(f"Erased {len(result.erased)}; kept {len(result.held)} that must be kept.")
