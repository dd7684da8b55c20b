"""``elearn compliance``: commands for cron and for trying reminders out."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from elearn.compliance import reminders, sending
from elearn.compliance.requirements import POLICY_DUE_DAYS
from elearn.compliance.rules import uk_date
from elearn.compliance.services import record_policy_releases
from elearn.db import utcnow
from elearn.mail import SmtpSettings


@click.group("compliance")
def compliance() -> None:
    """Required staff training: reminders."""


def _parse_date(_ctx: object, _param: object, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use the form YYYY-MM-DD, e.g. 2026-09-01") from error


@compliance.command("remind")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
@click.option(
    "--as-of",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="Act as if today were this day (default: today in the UK).",
)
@with_appcontext
def remind(dry_run: bool, as_of: date | None) -> None:
    """E-mail staff whose training window opens, falls due or is overdue, and send each
    academy's DSL and head a weekly digest. Never sends the same reminder twice."""
    config = current_app.config["ELEARN"]
    catalog = current_app.extensions["elearn.catalog"].get()
    day = as_of or uk_date(utcnow())
    smtp = SmtpSettings.from_config(config)
    if smtp is None and not dry_run:
        raise click.ClickException(
            "No mail server is configured: set ELEARN_SMTP_HOST (or use --dry-run)."
        )
    with current_app.extensions["elearn.writer_sessionmaker"]() as session:
        if not dry_run:
            record_policy_releases(session, catalog, seen_on=day)
            session.commit()
        plan = reminders.plan_reminders(
            session,
            catalog,
            as_of=day,
            settings=reminders.ReminderSettings.from_config(config),
            trust_name=str(config["TRUST_NAME"]),
            base_url=str(config["BASE_URL"]),
            policy_due_days=int(config.get("POLICY_SIGN_OFF_DAYS") or POLICY_DUE_DAYS),
        )
        for note in plan.notes:
            click.echo(f"Note: {note}", err=True)
        if dry_run:
            for message in plan.messages:
                click.echo(f"Would send to {message.address}: {message.mail.subject}")
                for item in message.items:
                    if item.kind.value != "digest":
                        click.echo(f"    {item.kind.value}: {item.text}")
            click.echo(
                f"Dry run for {day.isoformat()}: {len(plan.messages)} message(s) would be sent; "
                "nothing was sent or recorded."
            )
            return
        assert smtp is not None

    def shown(message: reminders.Outgoing) -> None:
        click.echo(f"Sent to {message.address}: {message.mail.subject}")

    factory = current_app.extensions["elearn.writer_sessionmaker"]
    report = sending.deliver(factory, plan.messages, smtp, sent_on=day, on_sent=shown)
    for message in report.taken:
        click.echo(f"Skipped {message.address}: already reminded about it today.")
    if report.error is not None:
        raise click.ClickException(
            f"Stopped after sending {len(report.sent)} of {len(plan.messages)} message(s): "
            f"{report.error}. The rest will go on the next run."
        )
    click.echo(f"{day.isoformat()}: sent {len(report.sent)} message(s).")
