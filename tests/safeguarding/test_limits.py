"""Abuse limits, counted in the database: reports per person per hour, evidence storage per
academy, and one new-report e-mail per burst. Each refusal is kind and loses nothing."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn import create_app
from elearn.audit.models import AuditEntry
from elearn.auth.roles import Role
from elearn.safeguarding.limits import NOTIFIED
from elearn.safeguarding.models import Attachment, Report
from tests.conftest import CsrfClient
from tests.safeguarding.helpers import png_bytes

STORY = "Someone keeps sending me horrible messages"


@pytest.fixture
def school(make):
    academy = make.academy("Elm Academy")
    return {
        "pupil": make.user(Role.PUPIL, academy),
        "staff": make.user(Role.STAFF, academy),
        "dsl": make.user(Role.DSL, academy, email="dsl@elm.example"),
    }


def _count(db, model=Report):
    db.rollback()
    return db.scalar(select(func.count()).select_from(model))


def _tell(client, text=STORY, picture=None):
    data = {"what_happened": text, "where": "a game"}
    if picture is not None:
        data["screenshot"] = (io.BytesIO(picture), "shot.png")
    return client.post("/reports/tell", data=data, content_type="multipart/form-data")


def _an_hour_passes(db):
    db.rollback()
    for report in db.scalars(select(Report)):
        report.created_at -= timedelta(hours=1)
    db.commit()


def test_a_pupil_past_the_hourly_limit_is_told_kindly_and_keeps_their_words(app_config, school, db):
    app_config["REPORTS_PER_HOUR_PUPIL"] = 2

    app = create_app(app_config)
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.login(school["pupil"].username)
    assert _tell(client).status_code == 302
    assert _tell(client).status_code == 302
    refused = _tell(client, text="One more thing I forgot")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Your messages have arrived" in page
    assert "talk to a trusted adult at school" in page and "0800" in page
    assert "One more thing I forgot" in page
    assert _count(db) == 2

    _an_hour_passes(db)
    assert _tell(client).status_code == 302
    assert _count(db) == 3
    app.extensions["elearn.engine"].dispose()


def test_an_adult_past_the_limit_gets_the_form_back(app_config, school, db):
    app_config["REPORTS_PER_HOUR_ADULT"] = 1
    app = create_app(app_config)
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.login(school["staff"].username)
    data = {"site_address": "bad.example", "description": "Violent video on screen"}
    assert client.post("/reports/website", data=data).status_code == 302
    refused = client.post("/reports/website", data=data)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "You have sent 1 reports in the last hour" in page
    assert 'value="bad.example"' in page and "Violent video on screen" in page
    assert _count(db) == 1
    app.extensions["elearn.engine"].dispose()


def test_the_limit_is_counted_in_the_database_across_app_servers(app_config, school, db):
    app_config["REPORTS_PER_HOUR_PUPIL"] = 2
    servers = [create_app(app_config), create_app(app_config)]
    clients = []
    for server in servers:
        server.test_client_class = CsrfClient
        clients.append(server.test_client())
        clients[-1].login(school["pupil"].username)
    assert _tell(clients[0]).status_code == 302
    assert _tell(clients[1]).status_code == 302
    assert _tell(clients[0]).status_code == 429
    assert _tell(clients[1]).status_code == 429
    assert _count(db) == 2
    for server in servers:
        server.extensions["elearn.engine"].dispose()


def test_simultaneous_reports_on_two_servers_keep_to_the_limit(app_config, school, db):
    app_config["REPORTS_PER_HOUR_PUPIL"] = 1
    servers = [create_app(app_config), create_app(app_config)]
    clients = []
    for server in servers:
        server.test_client_class = CsrfClient
        for _ in range(2):
            clients.append(server.test_client())
            clients[-1].login(school["pupil"].username)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        barrier.wait()
        statuses.append(_tell(client).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 429, 429, 429]
    assert _count(db) == 1
    for server in servers:
        server.extensions["elearn.engine"].dispose()


def test_a_file_past_the_academys_storage_quota_is_refused_and_the_words_kept(
    app_config, school, db
):
    picture = png_bytes(4, 4)
    app_config["EVIDENCE_QUOTA_BYTES"] = len(picture) * 2
    app = create_app(app_config)
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.login(school["pupil"].username)
    assert _tell(client, picture=picture).status_code == 302
    assert _tell(client, picture=picture).status_code == 302
    refused = _tell(client, text="A third picture of it", picture=picture)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "the school has no more room for pictures just now" in page
    assert "A third picture of it" in page
    assert _count(db) == 2 and _count(db, Attachment) == 2
    # Without the picture the message goes through.
    assert _tell(client, text="A third picture of it").status_code == 302

    client.logout()
    client.login(school["dsl"].username)
    report_id = db.scalar(select(Report.id).order_by(Report.id))
    added = client.post(
        f"/reports/inbox/{report_id}/evidence",
        data={
            "evidence-file": (io.BytesIO(picture), "more.png"),
            "evidence-captured_at": "2025-03-03T12:00",
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 422
    assert "storage for evidence files is full" in added.get_data(as_text=True)
    assert _count(db, Attachment) == 2
    app.extensions["elearn.engine"].dispose()


def test_a_burst_of_reports_sends_the_team_one_mail(smtp, client, db, school):
    client.login(school["pupil"].username)
    for _ in range(4):
        assert _tell(client).status_code == 302
    assert len(smtp.messages) == 1
    assert _count(db) == 4


def test_once_the_team_has_looked_the_next_report_is_mailed(smtp, app, db, school):
    pupil = app.test_client()
    pupil.login(school["pupil"].username)
    _tell(pupil)
    _tell(pupil)
    assert len(smtp.messages) == 1
    dsl = app.test_client()
    dsl.login(school["dsl"].username)
    assert dsl.get("/reports/inbox").status_code == 200
    _tell(pupil)
    assert len(smtp.messages) == 2
    _tell(pupil)
    assert len(smtp.messages) == 2


def test_after_the_quiet_period_a_new_report_is_mailed_again(smtp, client, db, school):
    client.login(school["pupil"].username)
    _tell(client)
    _tell(client)
    assert len(smtp.messages) == 1
    db.rollback()
    for entry in db.scalars(select(AuditEntry).where(AuditEntry.action == NOTIFIED)):
        entry.at -= timedelta(minutes=31)
    db.commit()
    _tell(client)
    assert len(smtp.messages) == 2
