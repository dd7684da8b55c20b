"""The "Learning records" admin page and the LRS health check."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.xapi import credentials
from elearn.xapi.builders import statements
from elearn.xapi.lrs.store import record_statement
from elearn.xapi.models import ForwardState, LrsCredential, StoredStatement

SITE = "http://elearn.test"


@pytest.fixture
def admin(make):
    return make.user(Role.ADMIN, None, username="trustadmin")


@pytest.fixture
def signed_in_admin(client, admin):
    client.login(admin.username)
    return client


def record(db, *, hours_ago: float = 0, state=ForwardState.PENDING, error=None) -> StoredStatement:
    stored = utcnow() - timedelta(hours=hours_ago)
    statement = statements.statement_for(
        statements.QuizAttempted(course_id="smart-ks2", quiz_title="SMART quiz"),
        statement_id=uuid.uuid4(),
        base_url=SITE,
        actor_name="p0001",
        timestamp=stored,
        registration=uuid.uuid4(),
    )
    row = record_statement(db, statement, stored_at=stored)
    row.forward_state = state
    if error:
        row.last_error = error
        row.last_error_at = stored + timedelta(minutes=1)
        row.forward_attempts = 1
    db.commit()
    return row


@pytest.fixture
def lrs_configured(app_config):
    """An external LRS in the settings (asked for before the app is built)."""
    app_config.update(LRS_ENDPOINT="https://lrs.example.org/xapi/", LRS_PASSWORD="hidden-pw")


def test_the_page_shows_backlog_oldest_age_and_last_error(lrs_configured, signed_in_admin, db):
    record(db, hours_ago=3, error="HTTP 503: Service Unavailable")
    record(db, hours_ago=1)
    page = signed_in_admin.get("/admin/lrs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 records" in html
    assert "waiting 3 hours" in html
    assert "HTTP 503: Service Unavailable" in html
    assert "Stalled" in html
    assert "Nothing has been delivered for 3 hours while records wait" in html
    assert "hidden-pw" not in html


def test_without_an_external_lrs_the_page_says_so(signed_in_admin, db):
    record(db, hours_ago=1)
    html = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert "No external LRS is set up" in html
    assert "1 record" in html


def test_the_page_says_all_is_well_when_everything_is_delivered(
    lrs_configured, signed_in_admin, db
):
    record(db, state=ForwardState.DELIVERED)
    html = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert "Working" in html
    assert "https://lrs.example.org/xapi/" in html
    assert "everything has been delivered" in html
    assert "The LRS has not refused any records" in html


def test_dead_letters_are_listed_with_the_lrs_reason_and_can_be_sent_again(signed_in_admin, db):
    refused = record(db, state=ForwardState.DEAD, error="HTTP 400: verb not allowed here")
    other = record(db, state=ForwardState.DEAD, error="HTTP 400: also wrong")
    html = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert refused.statement_id in html
    assert "verb not allowed here" in html

    response = signed_in_admin.post(f"/admin/lrs/dead-letters/{refused.statement_id}/retry")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(StoredStatement, refused.seq).forward_state is ForwardState.PENDING
    assert db.get(StoredStatement, other.seq).forward_state is ForwardState.DEAD
    follow = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert "will be sent again" in follow

    assert signed_in_admin.post(f"/admin/lrs/dead-letters/{uuid.uuid4()}/retry").status_code == 404


def test_retry_all_sends_every_dead_letter_again(signed_in_admin, db):
    rows = [record(db, state=ForwardState.DEAD, error="HTTP 400: no") for _ in range(3)]
    assert signed_in_admin.post("/admin/lrs/dead-letters/retry-all").status_code == 302
    db.expire_all()
    assert {db.get(StoredStatement, r.seq).forward_state for r in rows} == {ForwardState.PENDING}
    assert "3 refused statements will be sent again" in signed_in_admin.get("/admin/lrs").get_data(
        as_text=True
    )


def test_retry_needs_the_csrf_token(signed_in_admin, db):
    refused = record(db, state=ForwardState.DEAD, error="HTTP 400: no")
    response = signed_in_admin.post(
        f"/admin/lrs/dead-letters/{refused.statement_id}/retry", data={}, csrf=False
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.get(StoredStatement, refused.seq).forward_state is ForwardState.DEAD


def test_issuing_a_credential_shows_the_secret_once(signed_in_admin, db):
    response = signed_in_admin.post(
        "/admin/lrs/credentials", data={"name": "Trust dashboard", "can_read": "y"}
    )
    # Post/redirect/get: the page that shows the secret is a GET that issues nothing.
    assert response.status_code == 302
    page = response.headers["Location"]
    shown = signed_in_admin.get(page)
    assert shown.status_code == 200
    assert "no-store" in shown.headers["Cache-Control"]
    html = shown.get_data(as_text=True)
    assert "only time it is shown" in html
    key = html.split('id="credential-key">', 1)[1].split("<", 1)[0]
    secret = html.split('id="credential-secret">', 1)[1].split("<", 1)[0]
    assert key.startswith("lrs-") and len(secret) >= 40

    db.expire_all()
    stored = db.scalar(select(LrsCredential).where(LrsCredential.key == key))
    assert stored.can_read and not stored.can_write
    assert secret not in stored.secret_hash
    listing = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert key in listing and "Trust dashboard" in listing
    assert secret not in listing

    # The credential works against the LRS.
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    api = signed_in_admin.application.test_client()
    got = api.get(
        "/xapi/statements", headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    )
    assert got.status_code == 200


def test_reloading_the_issued_page_neither_issues_again_nor_shows_the_secret(signed_in_admin, db):
    response = signed_in_admin.post(
        "/admin/lrs/credentials", data={"name": "Trust dashboard", "can_read": "y"}
    )
    page = response.headers["Location"]
    first = signed_in_admin.get(page).get_data(as_text=True)
    secret = first.split('id="credential-secret">', 1)[1].split("<", 1)[0]
    again = signed_in_admin.get(page)
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert secret not in html
    assert "The secret can no longer be shown." in html
    with signed_in_admin.session_transaction() as stored_session:
        assert secret not in str(dict(stored_session))
    assert len(db.scalars(select(LrsCredential)).all()) == 1


def test_the_issued_page_of_an_unknown_key_is_not_found(signed_in_admin, db):
    assert signed_in_admin.get("/admin/lrs/credentials/999999/issued").status_code == 404


def test_a_credential_needs_a_name_and_a_scope(signed_in_admin, db):
    response = signed_in_admin.post("/admin/lrs/credentials", data={"name": "Moodle"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "Choose what it may do" in html
    assert 'value="Moodle"' in html

    response = signed_in_admin.post("/admin/lrs/credentials", data={"can_write": "y"})
    assert response.status_code == 422
    assert "Enter a name" in response.get_data(as_text=True)
    assert db.scalars(select(LrsCredential)).all() == []


def test_revoking_a_credential_stops_it_working(signed_in_admin, db):
    issued = credentials.issue_credential(
        db, "Old reporting tool", can_read=True, can_write=False, now=utcnow()
    )
    db.commit()
    auth = "Basic " + base64.b64encode(f"{issued.key}:{issued.secret}".encode()).decode()
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    api = signed_in_admin.application.test_client()
    assert api.get("/xapi/statements", headers=headers).status_code == 200

    # A bare post (the old one-click button) only leads to the confirmation page.
    response = signed_in_admin.post(f"/admin/lrs/credentials/{issued.id}/revoke")
    assert response.headers["Location"].endswith(f"/admin/lrs/credentials/{issued.id}/revoke")
    assert api.get("/xapi/statements", headers=headers).status_code == 200
    confirm = signed_in_admin.get(f"/admin/lrs/credentials/{issued.id}/revoke")
    assert "Revoke “Old reporting tool”?" in confirm.get_data(as_text=True)
    assert api.get("/xapi/statements", headers=headers).status_code == 200

    response = signed_in_admin.post(
        f"/admin/lrs/credentials/{issued.id}/revoke", data={"confirm": "revoke"}
    )
    assert response.status_code == 302
    assert api.get("/xapi/statements", headers=headers).status_code == 401
    html = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert "is revoked" in html and "Revoked" in html
    assert signed_in_admin.post("/admin/lrs/credentials/999999/revoke").status_code == 404


@pytest.mark.parametrize("role", [Role.PUPIL, Role.STAFF, Role.DSL, Role.HEAD])
def test_only_trust_admins_see_the_page(client, make, db, role):
    academy = make.academy()
    person = make.user(role, academy)
    refused = record(db, state=ForwardState.DEAD, error="HTTP 400: no")
    client.login(person.username)
    assert client.get("/admin/lrs").status_code == 403
    assert client.get("/admin/lrs/health.json").status_code == 403
    assert client.post(f"/admin/lrs/dead-letters/{refused.statement_id}/retry").status_code == 403
    assert (
        client.post("/admin/lrs/credentials", data={"name": "x", "can_read": "y"}).status_code
        == 403
    )
    db.expire_all()
    assert db.get(StoredStatement, refused.seq).forward_state is ForwardState.DEAD
    assert db.scalars(select(LrsCredential)).all() == []


def test_health_json_for_an_admin(lrs_configured, signed_in_admin, db):
    record(db, hours_ago=2, error="connection refused")
    record(db, state=ForwardState.DEAD, error="HTTP 400: no")
    body = signed_in_admin.get("/admin/lrs/health.json").get_json()
    assert body["healthy"] is False
    assert body["configured"] is True
    assert body["backlog"] == 1
    assert body["dead_letters"] == 1
    assert 7000 <= body["oldest_undelivered_age_seconds"] <= 7300
    assert body["last_error"] in ("connection refused", "HTTP 400: no")
    assert body["last_error_at"].endswith("Z")


def test_health_json_with_a_monitoring_credential(client, db):
    reader = credentials.issue_credential(
        db, "Monitor", can_read=True, can_write=False, now=utcnow()
    )
    writer = credentials.issue_credential(
        db, "Sender", can_read=False, can_write=True, now=utcnow()
    )
    db.commit()

    def get(key, secret):
        auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        return client.get("/admin/lrs/health.json", headers={"Authorization": auth})

    ok = get(reader.key, reader.secret)
    assert ok.status_code == 200
    assert ok.get_json()["healthy"] is True
    assert get(reader.key, "wrong").status_code == 401
    assert get(writer.key, writer.secret).status_code == 403
    assert client.get("/admin/lrs/health.json").status_code == 401


def delivered(db, *, minutes_ago: float) -> None:
    row = record(db, hours_ago=minutes_ago / 60 + 1)
    row.forward_state = ForwardState.DELIVERED
    row.delivered_at = utcnow() - timedelta(minutes=minutes_ago)
    db.commit()


def test_health_says_stalled_when_records_wait_and_nothing_is_sent(
    lrs_configured, signed_in_admin, db
):
    # A forwarder delivered something 40 minutes ago and has sent nothing since (killed, say),
    # while a record has been waiting for 30 minutes: no error, nothing leased.
    delivered(db, minutes_ago=40)
    record(db, hours_ago=0.5)
    body = signed_in_admin.get("/admin/lrs/health.json").get_json()
    assert body["healthy"] is False
    assert body["state"] == "stalled"
    assert 1700 <= body["stalled_for_seconds"] <= 1900
    assert "elearn xapi forward" in body["stalled_reason"]
    html = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert "Stalled" in html
    assert "Nothing has been delivered for 30 minutes" in html


def test_health_gives_the_lrs_error_as_the_reason_for_a_stall(lrs_configured, signed_in_admin, db):
    record(db, hours_ago=1, error="HTTP 503: down for maintenance")
    body = signed_in_admin.get("/admin/lrs/health.json").get_json()
    assert body["state"] == "stalled"
    assert "HTTP 503: down for maintenance" in body["stalled_reason"]


def test_a_busy_queue_that_is_moving_is_not_stalled(lrs_configured, signed_in_admin, db):
    delivered(db, minutes_ago=1)
    record(db, hours_ago=0.5)
    body = signed_in_admin.get("/admin/lrs/health.json").get_json()
    assert body["state"] == "healthy"
    assert body["healthy"] is True
    assert body["stalled_reason"] is None
    assert body["last_delivered_at"].endswith("Z")


def test_health_without_an_external_lrs_says_so_instead_of_an_age(signed_in_admin, db):
    record(db, hours_ago=24 * 3000)  # kept for years, never meant to go anywhere
    body = signed_in_admin.get("/admin/lrs/health.json").get_json()
    assert body["state"] == "not_configured"
    assert body["configured"] is False
    assert body["oldest_undelivered_age_seconds"] is None
    assert body["stalled_reason"] is None
    html = signed_in_admin.get("/admin/lrs").get_data(as_text=True)
    assert "No external LRS is set up" in html
    assert "3000 days" not in html and "waiting" not in html.split('id="oldest"')[1][:200]
