"""Every view, change and download of a report is audited; nothing can alter the trail."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

import elearn.audit.services as audit_services
from elearn.audit.models import AuditEntry
from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.safeguarding import handling
from elearn.safeguarding.models import Report, ReportKind, ReportStatus
from tests.safeguarding.helpers import PDF_BYTES, file_report, png_bytes


@pytest.fixture
def school(make):
    academy = make.academy("Ash Academy")
    return {
        "academy": academy,
        "pupil": make.user(Role.PUPIL, academy),
        "staff": make.user(Role.STAFF, academy),
        "dsl": make.user(Role.DSL, academy),
        "head": make.user(Role.HEAD, academy),
    }


def _audit(db, **where):
    db.rollback()
    query = select(AuditEntry).order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(db.scalars(query))


def test_viewing_a_report_writes_who_when_and_what(client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    before = utcnow()
    client.login(school["dsl"].username)
    assert client.get(f"/reports/inbox/{report.id}").status_code == 200
    [entry] = _audit(db, action="report.viewed")
    assert entry.actor_id == school["dsl"].id
    assert entry.subject_type == "safeguarding_report" and entry.subject_id == report.id
    assert entry.academy_id == school["academy"].id
    assert entry.at >= before
    # The detail names the kind of report, never its content.
    assert "mean things" not in str(entry.detail)

    client.get(f"/reports/inbox/{report.id}")
    assert len(_audit(db, action="report.viewed")) == 2


def test_the_case_page_shows_its_own_access_log(client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["head"].username)
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Who has opened this report" in page
    assert "Opened the report" in page and school["head"].display_name in page


def test_listing_the_inbox_and_the_senders_view_are_audited(client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["head"].username)
    client.get("/reports/inbox")
    [listed] = _audit(db, action="report.inbox_listed")
    assert listed.detail == {"report_ids": [report.id]}
    client.logout()
    client.login(school["pupil"].username)
    client.get(f"/reports/mine/{report.id}")
    [seen] = _audit(db, action="report.viewed_by_sender")
    assert seen.actor_id == school["pupil"].id


def test_downloads_are_audited(client, db, school, app_config):
    report = file_report(
        db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"], with_file=png_bytes()
    )
    attachment = report.attachments[0]
    client.login(school["dsl"].username)
    assert client.get(f"/reports/files/{attachment.id}").status_code == 200
    [entry] = _audit(db, action="attachment.downloaded")
    assert entry.subject_id == attachment.id and entry.actor_id == school["dsl"].id
    assert entry.detail["report_id"] == report.id


def test_refused_views_leave_the_report_unaudited(make, client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    stranger = make.user(Role.DSL, make.academy("Other"))
    client.login(stranger.username)
    assert client.get(f"/reports/inbox/{report.id}").status_code == 404
    assert _audit(db, action="report.viewed") == []


def test_every_change_is_audited(client, db, school, app_config):
    report = file_report(
        db, school["staff"], ReportKind.INAPPROPRIATE_CONTENT, app_config["DATA_DIR"]
    )
    client.login(school["dsl"].username)
    base = f"/reports/inbox/{report.id}"
    client.post(f"{base}/assign", data={"assign-assignee": school["dsl"].id})
    client.post(f"{base}/entries", data={"entry-text": "Asked the class teacher."})
    client.post(f"{base}/block", data={"block-note": ""})
    client.post(
        f"{base}/evidence",
        data={
            "evidence-file": (io.BytesIO(PDF_BYTES), "it-ticket.pdf"),
            "evidence-captured_at": "2025-03-03T12:00",
        },
        content_type="multipart/form-data",
    )
    client.post(f"{base}/close", data={"close-outcome": "Blocked."})
    client.post(f"{base}/reopen", data={"reopen-reason": "It came back."})
    # Readings (the case page, the home page's list) are audited too; this test is the changes.
    readings = ("report.viewed", "report.home_listed")
    actions = [e.action for e in _audit(db, actor_id=school["dsl"].id) if e.action not in readings]
    assert actions == [
        "report.assigned",
        "report.entry_added",
        "report.marked_for_blocking",
        "attachment.uploaded",
        "report.closed",
        "report.reopened",
    ]


def test_the_audit_entry_shares_the_changes_transaction(db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    handling.close(db, school["dsl"], report, "Resolved", now=utcnow())
    db.rollback()  # the change fails to commit ...
    db.expire_all()
    assert db.get(Report, report.id).status is ReportStatus.NEW
    assert _audit(db, action="report.closed") == []  # ... and takes its audit entry with it


def test_no_route_changes_or_removes_audit_entries(app):
    for rule in app.url_map.iter_rules():
        names = f"{rule.endpoint} {rule.rule}".lower()
        if "audit" in names:
            assert set(rule.methods or ()) <= {"GET", "HEAD", "OPTIONS"}, rule.rule
        if rule.endpoint.startswith("safeguarding."):
            assert not set(rule.methods or ()) & {"PUT", "PATCH", "DELETE"}, rule.rule
    offered = {name for name in dir(audit_services) if not name.startswith("_")}
    assert not {n for n in offered if any(w in n for w in ("update", "delete", "edit", "remove"))}


def test_using_every_safeguarding_route_leaves_earlier_audit_rows_untouched(
    app, client, db, school, app_config
):
    report = file_report(
        db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"], with_file=png_bytes()
    )
    request = file_report(db, school["staff"], ReportKind.BLOCKED_ACCESS, app_config["DATA_DIR"])
    site = file_report(
        db, school["staff"], ReportKind.INAPPROPRIATE_CONTENT, app_config["DATA_DIR"]
    )
    snapshot = {
        e.id: (e.at, e.actor_id, e.academy_id, e.action, e.subject_type, e.subject_id, e.detail)
        for e in _audit(db)
    }
    assert snapshot

    values = {
        "report_id": report.id,
        "attachment_id": report.attachments[0].id,
        "request_id": request.id,
        "site_report_id": site.id,
    }
    client.login(school["head"].username)
    with app.test_request_context():
        from flask import url_for

        urls = [
            (rule, url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("safeguarding.")
        ]
    for rule, url in urls:
        for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"}):
            client.open(url, method=method, data={} if method == "POST" else None)

    after = {
        e.id: (e.at, e.actor_id, e.academy_id, e.action, e.subject_type, e.subject_id, e.detail)
        for e in _audit(db)
    }
    assert {k: after[k] for k in snapshot} == snapshot
    assert len(after) > len(snapshot)


def test_the_case_page_lists_files_without_showing_them(client, db, school, app_config):
    report = file_report(
        db,
        school["pupil"],
        ReportKind.TELL,
        app_config["DATA_DIR"],
        with_file=png_bytes(),
        file_name="bedroom.png",
    )
    attachment = report.attachments[0]
    client.login(school["dsl"].username)
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "<img" not in page
    assert "bedroom.png" in page and "Picture (PNG)" in page
    assert school["pupil"].display_name in page
    assert "may be an indecent image of a child" in page
    assert "do not open, view, copy, print or share it" in page
    link = f'href="/reports/files/{attachment.id}"'
    assert page.count(link) == 1
    # Nothing on the page fetched the file.
    assert _audit(db, action="attachment.downloaded") == []


def test_the_access_log_names_who_opened_the_case_and_its_files(client, db, school, app_config):
    report = file_report(
        db,
        school["pupil"],
        ReportKind.TELL,
        app_config["DATA_DIR"],
        with_file=png_bytes(),
        file_name="bedroom.png",
    )
    client.login(school["dsl"].username)
    client.get("/reports/inbox")
    client.get(f"/reports/files/{report.attachments[0].id}")
    client.logout()
    client.login(school["head"].username)
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    log = page[page.index("Who has opened this report") :]
    rows = [row for row in log.split("<tr>")[2:]]
    assert len(rows) == 5
    head, dsl = school["head"], school["dsl"]
    assert f"<td>{head.display_name}</td><td>Head teacher</td><td>Opened the report</td>" in rows[0]
    assert f"<td>{dsl.display_name}</td><td>" in rows[1] and "Opened a file: bedroom.png" in rows[1]
    assert "Saw it listed in the inbox" in rows[2]
    assert "Added a file: bedroom.png" in rows[3]
    assert "Sent the report" in rows[4]


def test_a_listing_that_did_not_show_the_report_is_not_in_its_log(client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    client.get("/reports/inbox?show=closed")
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Saw it listed in the inbox" not in page
