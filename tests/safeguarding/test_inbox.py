"""The safeguarding team's inbox: listing, assigning, the chronology, decisions and closing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.db import utcnow
from elearn.safeguarding import handling
from elearn.safeguarding.models import (
    AppendOnlyError,
    CyberAction,
    Decision,
    EntryKind,
    Report,
    ReportEntry,
    ReportKind,
    ReportStatus,
)
from tests.safeguarding.helpers import PDF_BYTES, file_report
from tests.smtp import html_text, plain_text


@pytest.fixture
def school(make):
    academy = make.academy("Beech Academy")
    return {
        "academy": academy,
        "pupil": make.user(Role.PUPIL, academy, display_name="Sam Cole", year_group=4),
        "staff": make.user(Role.STAFF, academy, display_name="Jo Park"),
        "dsl": make.user(Role.DSL, academy, display_name="Dee Lead", email="dsl@beech.example"),
        "head": make.user(Role.HEAD, academy, display_name="Hal Head", email="head@beech.example"),
    }


def _fresh(db, report):
    """The report as the database now has it (the app changed it in another session)."""
    db.rollback()
    db.expire_all()
    return db.get(Report, report.id)


def test_inbox_lists_new_and_open_reports_of_the_academy_only(make, client, db, school, app_config):
    mine = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    elsewhere = make.academy("Elsewhere")
    other = file_report(
        db, make.user(Role.PUPIL, elsewhere), ReportKind.TELL, app_config["DATA_DIR"]
    )
    client.login(school["dsl"].username)
    page = client.get("/reports/inbox").get_data(as_text=True)
    assert f"/reports/inbox/{mine.id}" in page
    assert f"/reports/inbox/{other.id}" not in page
    assert "Sam Cole" in page and "Year 4" in page
    assert "1 new, 0 open, 0 closed" in page


def test_inbox_filters_by_status_and_kind(client, db, school, app_config):
    tell = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    site = file_report(
        db, school["staff"], ReportKind.INAPPROPRIATE_CONTENT, app_config["DATA_DIR"]
    )
    handling.close(db, school["dsl"], site, "Blocked by IT", now=utcnow())
    db.commit()
    client.login(school["head"].username)
    active = client.get("/reports/inbox").get_data(as_text=True)
    assert f"/reports/inbox/{tell.id}" in active and f"/reports/inbox/{site.id}" not in active
    closed = client.get("/reports/inbox?show=closed").get_data(as_text=True)
    assert f"/reports/inbox/{site.id}" in closed and f"/reports/inbox/{tell.id}" not in closed
    by_kind = client.get("/reports/inbox?show=all&kind=inappropriate_content").get_data(
        as_text=True
    )
    assert f"/reports/inbox/{site.id}" in by_kind and f"/reports/inbox/{tell.id}" not in by_kind
    assert client.get("/reports/inbox?show=nonsense&kind=nonsense").status_code == 200


def test_assign_note_and_close(client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    case = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Someone in a game said mean things about me" in case

    assign = client.post(
        f"/reports/inbox/{report.id}/assign", data={"assign-assignee": school["head"].id}
    )
    assert assign.status_code == 302
    assert _fresh(db, report).assignee_id == school["head"].id
    assert _fresh(db, report).status is ReportStatus.OPEN

    note = client.post(
        f"/reports/inbox/{report.id}/entries", data={"entry-text": "Spoke to Sam at break."}
    )
    assert note.status_code == 302

    empty = client.post(f"/reports/inbox/{report.id}/close", data={"close-outcome": ""})
    assert empty.status_code == 422
    assert "Write the outcome before closing." in empty.get_data(as_text=True)

    closed = client.post(
        f"/reports/inbox/{report.id}/close", data={"close-outcome": "Parents told; game blocked."}
    )
    assert closed.status_code == 302
    report = _fresh(db, report)
    assert report.status is ReportStatus.CLOSED and report.outcome == "Parents told; game blocked."
    kinds = [e.kind for e in report.entries]
    assert kinds == [EntryKind.CREATED, EntryKind.ASSIGNED, EntryKind.NOTE, EntryKind.CLOSED]

    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Spoke to Sam at break." in page and "Parents told; game blocked." in page
    # Closed: no more entries until reopened.
    late = client.post(f"/reports/inbox/{report.id}/entries", data={"entry-text": "late"})
    assert late.status_code == 422
    assert "This report is closed. Reopen it first." in late.get_data(as_text=True)
    again = client.post(f"/reports/inbox/{report.id}/reopen", data={"reopen-reason": "New worry"})
    assert again.status_code == 302
    assert _fresh(db, report).status is ReportStatus.OPEN


def test_assigning_to_someone_outside_the_team_is_refused(client, db, school, app_config):
    report = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    response = client.post(
        f"/reports/inbox/{report.id}/assign", data={"assign-assignee": school["staff"].id}
    )
    assert response.status_code == 422
    assert _fresh(db, report).assignee_id is None


def test_head_decides_a_blocked_site_request_and_the_requester_is_told(
    smtp, client, db, school, app_config
):
    staff = school["staff"]
    staff.email = "jo@beech.example"
    db.commit()
    request = file_report(db, staff, ReportKind.BLOCKED_ACCESS, app_config["DATA_DIR"])
    client.login(school["head"].username)
    no_reason = client.post(
        f"/reports/inbox/{request.id}/decision", data={"decision-decision": "approved"}
    )
    assert no_reason.status_code == 422
    assert "Give a reason for the decision." in no_reason.get_data(as_text=True)

    response = client.post(
        f"/reports/inbox/{request.id}/decision",
        data={"decision-decision": "approved", "decision-reason": "Fine for the river project."},
    )
    assert response.status_code == 302
    request = _fresh(db, request)
    assert request.decision is Decision.APPROVED
    assert request.status is ReportStatus.CLOSED
    assert request.decided_by_id == school["head"].id

    [mail] = smtp.to("jo@beech.example")
    body = plain_text(mail) + html_text(mail)
    assert "river" not in body and "rivers.example.org" not in body
    assert f"http://elearn.test/reports/mine/{request.id}" in body

    client.logout()
    client.login(staff.username)
    page = client.get(f"/reports/mine/{request.id}").get_data(as_text=True)
    assert "Approved" in page and "Fine for the river project." in page


def test_dsl_marks_a_reported_site_for_blocking(client, db, school, app_config):
    report = file_report(
        db, school["staff"], ReportKind.INAPPROPRIATE_CONTENT, app_config["DATA_DIR"]
    )
    client.login(school["dsl"].username)
    response = client.post(
        f"/reports/inbox/{report.id}/block", data={"block-note": "Asked IT at 10:00"}
    )
    assert response.status_code == 302
    report = _fresh(db, report)
    assert report.marked_for_blocking_by_id == school["dsl"].id
    assert report.entries[-1].kind is EntryKind.MARKED_FOR_BLOCKING
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Marked for blocking" in page
    twice = client.post(f"/reports/inbox/{report.id}/block", data={})
    assert twice.status_code == 422


def test_cyberbullying_chronology_follows_the_policy_route(client, db, school, app_config):
    record = file_report(db, school["staff"], ReportKind.CYBERBULLYING, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    page = client.get(f"/reports/inbox/{record.id}").get_data(as_text=True)
    assert "The policy&#39;s route" in page or "The policy's route" in page
    assert "Police contacted" in page

    for action, text in [
        ("victim_meeting", "Met Ms Reed with her line manager."),
        ("removal_requested", "Wrote to the parent asking for the posts to go."),
        ("removal_refused", "Parent replied refusing."),
        ("escalated_to_ceo", "Sent the screenshots to the CEO."),
    ]:
        response = client.post(
            f"/reports/inbox/{record.id}/entries",
            data={
                "entry-action": action,
                "entry-text": text,
                "entry-happened_at": "2025-03-02T09:00",
            },
        )
        assert response.status_code == 302

    record = _fresh(db, record)
    actions = [e.action for e in record.entries if e.action]
    assert actions == [
        CyberAction.VICTIM_MEETING,
        CyberAction.REMOVAL_REQUESTED,
        CyberAction.REMOVAL_REFUSED,
        CyberAction.ESCALATED_TO_CEO,
    ]
    assert all(e.happened_at is not None for e in record.entries if e.action)
    page = client.get(f"/reports/inbox/{record.id}").get_data(as_text=True)
    assert page.count(">Recorded<") == 3  # meeting, removal asked, CEO (refusal is not a step)


def test_policy_actions_only_on_cyberbullying_records(client, db, school, app_config):
    tell = file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    response = client.post(
        f"/reports/inbox/{tell.id}/entries",
        data={"entry-action": "police_contacted", "entry-text": "x"},
    )
    assert response.status_code == 422
    assert "cyberbullying records only" in response.get_data(as_text=True)


def test_a_correction_is_a_new_entry_and_the_original_stays(client, db, school, app_config):
    record = file_report(db, school["staff"], ReportKind.CYBERBULLYING, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    client.post(f"/reports/inbox/{record.id}/entries", data={"entry-text": "Meeting on Tuesday."})
    original = db.scalars(
        select(ReportEntry).where(
            ReportEntry.report_id == record.id, ReportEntry.kind == EntryKind.NOTE
        )
    ).one()
    form = client.get(f"/reports/inbox/{record.id}?correct={original.id}").get_data(as_text=True)
    assert "Add a correction" in form
    response = client.post(
        f"/reports/inbox/{record.id}/entries",
        data={"entry-text": "Meeting was on Wednesday.", "entry-corrects": str(original.id)},
    )
    assert response.status_code == 302
    db.rollback()
    db.expire_all()
    entries = list(
        db.scalars(
            select(ReportEntry).where(ReportEntry.report_id == record.id).order_by(ReportEntry.id)
        )
    )
    assert entries[-2].text == "Meeting on Tuesday."
    assert entries[-1].corrects_id == original.id
    page = client.get(f"/reports/inbox/{record.id}").get_data(as_text=True)
    assert "Meeting on Tuesday." in page and "Correction to" in page


def test_entries_cannot_be_changed_or_deleted_even_in_code(db, school, app_config):
    record = file_report(db, school["staff"], ReportKind.CYBERBULLYING, app_config["DATA_DIR"])
    entry = record.entries[0]
    entry.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()
    db.delete(db.get(ReportEntry, entry.id))
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()


def test_team_adds_evidence_with_its_capture_time(client, db, school, app_config):
    record = file_report(db, school["staff"], ReportKind.CYBERBULLYING, app_config["DATA_DIR"])
    client.login(school["head"].username)
    missing_time = client.post(
        f"/reports/inbox/{record.id}/evidence",
        data={"evidence-file": (io.BytesIO(PDF_BYTES), "letter.pdf")},
        content_type="multipart/form-data",
    )
    assert missing_time.status_code == 422
    assert "Enter when the evidence was captured." in missing_time.get_data(as_text=True)
    response = client.post(
        f"/reports/inbox/{record.id}/evidence",
        data={
            "evidence-file": (io.BytesIO(PDF_BYTES), "letter.pdf"),
            "evidence-captured_at": "2025-03-03T12:00",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    record = _fresh(db, record)
    [attachment] = record.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by_id == school["head"].id
    page = client.get(f"/reports/inbox/{record.id}").get_data(as_text=True)
    assert "letter.pdf" in page and "Open file 1" in page
