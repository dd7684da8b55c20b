"""Safeguarding in subject access and erasure: the person's copy says what they sent and
where it got to; the DSL's copy holds the content of every report that names them."""

from __future__ import annotations

import pytest

from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from elearn.privacy.registry import CONFIDENTIAL, ERASED_TABLES, EXPORTED_TABLES
from elearn.privacy.services import erase_person, export_person
from elearn.safeguarding import casework, handling, services
from elearn.safeguarding.models import Agency, CaseCategory, PerpetratorKind, ReportKind, RiskLevel
from elearn.safeguarding.uploads import check_upload, uploads_dir
from tests.safeguarding.helpers import file_report, png_bytes

TABLES = (
    "safeguarding_reports",
    "safeguarding_report_entries",
    "safeguarding_attachments",
    "safeguarding_referrals",
)


@pytest.fixture
def school(make):
    academy = make.academy("Birch Academy")
    return {
        "chloe": make.user(Role.PUPIL, academy, display_name="Chloe Martin"),
        "other_pupil": make.user(Role.PUPIL, academy),
        "teacher": make.user(Role.STAFF, academy, display_name="Tom Teacher"),
        "dsl": make.user(Role.DSL, academy, display_name="Dee Lead"),
    }


def _about_chloe(db, school, data_dir):
    report = services.submit_report(
        db,
        reporter=school["teacher"],
        kind=ReportKind.CYBERBULLYING,
        details=services.ReportInput(
            description="Chloe was sent cruel messages",
            where_online="a group chat",
            person_affected_id=school["chloe"].id,
            perpetrator_kind=PerpetratorKind.UNKNOWN,
            occurred_at=utcnow(),
        ),
        files=[
            services.NewFile(
                upload=check_upload("chat.png", png_bytes(), max_bytes=1 << 20),
                captured_at=utcnow(),
            )
        ],
        files_dir=uploads_dir(data_dir),
        now=utcnow(),
    )
    handling.add_entry(db, school["dsl"], report, text="Met Chloe and her mum", now=utcnow())
    db.commit()
    return report


def test_every_safeguarding_table_is_exported_and_erased():
    for table in TABLES:
        assert "safeguarding_report_contents" in EXPORTED_TABLES[table]
        assert ERASED_TABLES.get(table), table
    assert "safeguarding_report_contents" in CONFIDENTIAL
    assert "safeguarding_reports" not in CONFIDENTIAL


def test_the_persons_own_copy_has_no_content(db, school, app_config):
    _about_chloe(db, school, app_config["DATA_DIR"])
    file_report(db, school["chloe"], ReportKind.TELL, app_config["DATA_DIR"])
    export = export_person(db, school["chloe"].id, now=utcnow())
    assert "safeguarding_report_contents" not in export
    assert [r["kind"] for r in export["safeguarding_reports"]["reports_sent"]] == [
        "Pupil told a trusted adult"
    ]
    text = str(export)
    assert "cruel messages" not in text and "mean things" not in text and "Met Chloe" not in text


def test_the_dsls_copy_has_every_report_that_names_the_person(db, school, app_config):
    _about_chloe(db, school, app_config["DATA_DIR"])
    file_report(db, school["chloe"], ReportKind.TELL, app_config["DATA_DIR"])
    file_report(db, school["other_pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    export = export_person(db, school["chloe"].id, now=utcnow(), include_confidential=True)
    about, sent = export["safeguarding_report_contents"]
    assert about["named_as"] == ["person affected"]
    assert about["description"] == "Chloe was sent cruel messages"
    assert about["person_affected"] == "Chloe Martin" and about["sent_by"] == "Tom Teacher"
    assert [e["text"] for e in about["entries"]] == ["", "Met Chloe and her mum"]
    assert [(f["name"], f["content_type"]) for f in about["files"]] == [("chat.png", "image/png")]
    assert sent["named_as"] == ["sender"] and "mean things" in sent["description"]


def test_a_staff_author_who_left_is_erased_and_the_record_stays_whole(
    client, db, school, app_config
):
    report = _about_chloe(db, school, app_config["DATA_DIR"])
    dsl = school["dsl"]
    erase_person(db, dsl.id, actor_id=None, now=utcnow())
    db.commit()
    assert db.get(User, dsl.id).display_name == "Erased person"
    head = User(
        role=Role.HEAD,
        academy_id=school["teacher"].academy_id,
        username="newhead",
        display_name="New Head",
        password_hash=school["teacher"].password_hash,
    )
    db.add(head)
    db.commit()
    client.login("newhead")
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Met Chloe and her mum" in page
    assert "Dee Lead" not in page and "by Erased person" in page


def test_the_eraser_refuses_someone_the_hold_keeps(db, school, app_config):
    from elearn.safeguarding.data_protection import erase_from_reports

    _about_chloe(db, school, app_config["DATA_DIR"])
    with pytest.raises(PermissionError, match="is named in 1 safeguarding report"):
        erase_from_reports(db, school["chloe"].id)


def test_the_case_fields_and_referrals_are_in_the_dsls_copy_only(db, school, app_config):
    report = file_report(db, school["other_pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    dsl, today = school["dsl"], uk_date(utcnow())
    casework.link_pupil(db, dsl, report, school["chloe"].id, now=utcnow())
    casework.set_risk(db, dsl, report, RiskLevel.HIGH, now=utcnow())
    casework.set_category(db, dsl, report, CaseCategory.ADULT_CONTACT, now=utcnow())
    casework.set_follow_up(db, dsl, report, today, today=today, now=utcnow())
    casework.add_referral(
        db,
        dsl,
        report,
        casework.ReferralInput(Agency.CEOP, today, "CEOP-77", "Online report"),
        today=today,
        now=utcnow(),
    )
    db.commit()

    own = export_person(db, school["chloe"].id, now=utcnow())
    assert "CEOP-77" not in str(own) and "safeguarding_report_contents" not in own
    export = export_person(db, school["chloe"].id, now=utcnow(), include_confidential=True)
    (case,) = export["safeguarding_report_contents"]
    assert case["named_as"] == ["pupil the case is about"]
    assert (case["pupil"], case["risk_level"], case["category"]) == (
        "Chloe Martin",
        "high",
        "adult_contact",
    )
    assert case["follow_up_on"] == today.isoformat()
    (referral,) = case["referrals"]
    assert (referral["agency"], referral["reference"], referral["recorded_by"]) == (
        "ceop",
        "CEOP-77",
        "Dee Lead",
    )
    # Linked to a case, the pupil is held from erasure like anyone a report names.
    from elearn.safeguarding.data_protection import safeguarding_hold

    assert "is named in 1 safeguarding report" in safeguarding_hold(db, school["chloe"].id)
