"""``elearn xapi``: forward statements to the external LRS, manage LRS keys, dead letters.

    elearn xapi forward [--once] [--interval N] [--batch N]
    elearn xapi credentials issue NAME [--read] [--write]
    elearn xapi credentials list
    elearn xapi credentials revoke KEY
    elearn xapi dead-letters [--retry]

``forward --once`` suits cron (one pass, then exit; the exit status is 1 if the LRS could not
be reached or refused a statement, so cron mails someone); without it, the forwarder keeps
running and sleeps ``--interval`` seconds between passes. Any number of forwarders may run at
once (the same cron line on every app server): a pass that finds the oldest statements held
by another leaves them alone, and one that dies lets go within ``ELEARN_LRS_LEASE_SECONDS``.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.xapi import credentials as credential_service
from elearn.xapi.formats import format_timestamp
from elearn.xapi.forwarding import forwarder


def _session() -> Session:
    return current_app.extensions["elearn.writer_sessionmaker"]()


def _client():  # noqa: ANN202 - an LrsClient; raises ClickException when none is configured
    try:
        client = forwarder.client_from_settings(current_app.config["ELEARN"])
    except ValueError as error:
        raise click.ClickException(f"ELEARN_LRS_ENDPOINT: {error}") from error
    if client is None:
        raise click.ClickException(
            "No external LRS is configured: set ELEARN_LRS_ENDPOINT, ELEARN_LRS_USERNAME and "
            "ELEARN_LRS_PASSWORD."
        )
    return client


@click.group("xapi")
def xapi() -> None:
    """xAPI: the statement store, delivery to the external LRS, and LRS keys."""


def _show(report: forwarder.ForwardReport) -> None:
    if not report.sent:
        if report.waiting_until is not None:
            click.echo(f"Nothing due: the next try is at {format_timestamp(report.waiting_until)}.")
        return
    line = f"Sent {report.sent}: {report.delivered} delivered"
    if report.dead:
        line += f", {report.dead} refused (see `elearn xapi dead-letters`)"
    if report.retry_at is not None:
        line += f", will retry from {format_timestamp(report.retry_at)}"
    click.echo(line + ".")
    if report.last_error:
        click.echo(f"Last error: {report.last_error}", err=True)


@xapi.command("forward")
@click.option("--once", is_flag=True, help="Run one pass and exit (for cron).")
@click.option(
    "--interval",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds between passes when running as a loop.",
)
@click.option(
    "--batch",
    default=None,
    type=click.IntRange(min=1, max=10_000),
    help="Statements per pass (default: ELEARN_LRS_BATCH).",
)
@with_appcontext
def forward(once: bool, interval: float, batch: int | None) -> None:
    """Send statements not yet delivered to the external LRS, oldest first."""
    client = _client()
    size = batch or int(current_app.config["ELEARN"].get("LRS_BATCH") or forwarder.DEFAULT_BATCH)
    factory = current_app.extensions["elearn.writer_sessionmaker"]
    lease = forwarder.lease_from_settings(current_app.config["ELEARN"])
    if once:
        report = forwarder.run_once(factory, client, utcnow(), batch=size, lease=lease)
        client.close()
        _show(report)
        if report.retry_at is not None or report.dead:
            raise SystemExit(1)
        return
    click.echo(f"Forwarding to {client.endpoint} every {interval:g} s (Ctrl+C to stop).")
    try:
        forwarder.run_loop(
            factory, client, interval=interval, batch=size, lease=lease, on_pass=_show
        )
    except KeyboardInterrupt:
        click.echo("Stopped.")


@xapi.group("credentials")
def credentials() -> None:
    """Keys other systems use to read from or send to elearn's own LRS."""


@credentials.command("issue")
@click.argument("name")
@click.option(
    "--read", "can_read", is_flag=True, help="May read statements and documents (state, profiles)."
)
@click.option("--write", "can_write", is_flag=True, help="May send statements and store documents.")
@with_appcontext
def issue(name: str, can_read: bool, can_write: bool) -> None:
    """Issue a key; the secret is printed once and cannot be shown again."""
    with _session() as session:
        try:
            issued = credential_service.issue_credential(
                session, name, can_read=can_read, can_write=can_write, now=utcnow()
            )
        except credential_service.CredentialProblem as problem:
            hint = " (use --read and/or --write)" if problem.field == "can_read" else ""
            raise click.ClickException(problem.message + hint) from problem
        session.commit()
    scopes = " and ".join(s for s, on in (("read", can_read), ("write", can_write)) if on)
    click.echo(f"Issued {issued.key} for {issued.name!r} ({scopes}).")
    click.echo(f"Key:    {issued.key}")
    click.echo(f"Secret: {issued.secret}")
    click.echo("Copy the secret now: it is not stored and cannot be shown again.")


@credentials.command("list")
@with_appcontext
def list_credentials() -> None:
    """List every key, active ones first."""
    with _session() as session:
        rows = credential_service.list_credentials(session)
    if not rows:
        click.echo("No LRS keys have been issued.")
        return
    for row in rows:
        scopes = "+".join(s for s, on in (("read", row.can_read), ("write", row.can_write)) if on)
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.key}  {scopes:<10}  {state:<18}  {row.name}")


@credentials.command("revoke")
@click.argument("key")
@with_appcontext
def revoke(key: str) -> None:
    """Revoke a key: it can no longer read or send statements or documents."""
    with _session() as session:
        credential = credential_service.find_credential(session, key)
        if credential is None:
            raise click.ClickException(f"No LRS key {key!r}.")
        changed = credential_service.revoke_credential(session, credential, now=utcnow())
        session.commit()
    click.echo(f"Revoked {key}." if changed else f"{key} was already revoked.")


@xapi.command("dead-letters")
@click.option("--retry", is_flag=True, help="Queue every refused statement to be sent again.")
@with_appcontext
def dead_letters(retry: bool) -> None:
    """List the statements the external LRS refused, with its reasons."""
    with _session() as session:
        letters = forwarder.dead_letters(session, limit=1000)
        if not letters:
            click.echo("No statements were refused by the LRS.")
            return
        for letter in letters:
            click.echo(
                f"{letter.statement_id}  stored {format_timestamp(letter.stored_at)}  "
                f"{letter.verb_id.rsplit('/', 1)[-1]}: {letter.reason}"
            )
        if retry:
            count = forwarder.retry_all_dead_letters(session, now=utcnow())
            session.commit()
            click.echo(f"{count} statement(s) will be sent again at the next pass.")
