"""``elearn xapi …`` commands, through the app's CLI runner."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.db import utcnow
from elearn.xapi.builders import statements
from elearn.xapi.commands import xapi
from elearn.xapi.lrs.store import record_statement
from elearn.xapi.models import ForwardState, LrsCredential, StoredStatement

SITE = "http://elearn.test"


def run(app, *args):
    return app.test_cli_runner().invoke(xapi, list(args))


def record(db, n: int = 1) -> list[str]:
    ids = []
    for i in range(n):
        when = utcnow() - timedelta(minutes=n - i)
        statement = statements.statement_for(
            statements.QuizAttempted(course_id="smart-ks2", quiz_title="SMART quiz"),
            statement_id=uuid.uuid4(),
            base_url=SITE,
            actor_name=f"p{i}",
            timestamp=when,
            registration=uuid.uuid4(),
        )
        ids.append(record_statement(db, statement, stored_at=when).statement_id)
    db.commit()
    return ids


def forward_states(db) -> dict[str, ForwardState]:
    db.commit()
    db.expire_all()
    return {r.statement_id: r.forward_state for r in db.scalars(select(StoredStatement))}


@pytest.fixture
def lrs_configured(app_config, fake_lrs):
    app_config.update(
        LRS_ENDPOINT=fake_lrs.endpoint, LRS_USERNAME="elearn", LRS_PASSWORD="pw", LRS_TIMEOUT=2.0
    )
    return fake_lrs


def test_issue_prints_the_secret_once_and_it_works(app, client, db):
    result = run(app, "credentials", "issue", "Trust dashboard", "--read")
    assert result.exit_code == 0, result.output
    key = next(line.split()[1] for line in result.output.splitlines() if line.startswith("Key:"))
    secret = next(
        line.split()[1] for line in result.output.splitlines() if line.startswith("Secret:")
    )
    stored = db.scalar(select(LrsCredential).where(LrsCredential.key == key))
    assert stored.name == "Trust dashboard" and stored.can_read and not stored.can_write
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    assert client.get("/xapi/statements", headers=headers).status_code == 200

    listing = run(app, "credentials", "list")
    assert key in listing.output and "Trust dashboard" in listing.output
    assert secret not in listing.output


def test_issue_needs_a_scope(app, db):
    result = run(app, "credentials", "issue", "Nothing allowed")
    assert result.exit_code != 0
    assert "--read and/or --write" in result.output
    assert db.scalars(select(LrsCredential)).all() == []


def test_revoke(app, client, db):
    issued = run(app, "credentials", "issue", "Sender", "--write").output
    key = next(line.split()[1] for line in issued.splitlines() if line.startswith("Key:"))
    result = run(app, "credentials", "revoke", key)
    assert result.exit_code == 0 and f"Revoked {key}" in result.output
    assert "revoked" in run(app, "credentials", "list").output
    assert "already revoked" in run(app, "credentials", "revoke", key).output
    missing = run(app, "credentials", "revoke", "lrs-nope")
    assert missing.exit_code != 0 and "No LRS key" in missing.output


def test_forward_once_delivers_everything(lrs_configured, app, db):
    ids = record(db, 3)
    result = run(app, "forward", "--once")
    assert result.exit_code == 0, result.output
    assert "Sent 3: 3 delivered" in result.output
    assert set(lrs_configured.statements) == set(ids)
    assert set(forward_states(db).values()) == {ForwardState.DELIVERED}


def test_forward_once_reports_a_failure_with_a_nonzero_exit(lrs_configured, app, db):
    record(db, 2)
    lrs_configured.fail_next(1, status=503, retry_after=60)
    result = run(app, "forward", "--once", "--batch", "1")
    assert result.exit_code == 1
    assert "will retry" in result.output
    assert "503" in result.output
    assert set(forward_states(db).values()) == {ForwardState.PENDING}


def test_forward_without_an_lrs_configured_says_what_to_set(app, db):
    record(db)
    result = run(app, "forward", "--once")
    assert result.exit_code != 0
    assert "ELEARN_LRS_ENDPOINT" in result.output


def test_dead_letters_are_listed_and_can_be_retried(lrs_configured, app, db):
    ids = record(db, 2)
    lrs_configured.reject(ids[0], "the verb is not on our list")
    assert run(app, "forward", "--once").exit_code == 1
    listing = run(app, "dead-letters")
    assert ids[0] in listing.output and "the verb is not on our list" in listing.output
    assert forward_states(db)[ids[0]] is ForwardState.DEAD

    retried = run(app, "dead-letters", "--retry")
    assert "1 statement(s) will be sent again" in retried.output
    assert forward_states(db)[ids[0]] is ForwardState.PENDING
    assert "No statements were refused" in run(app, "dead-letters").output


def test_no_dead_letters(app, db):
    assert "No statements were refused" in run(app, "dead-letters").output
