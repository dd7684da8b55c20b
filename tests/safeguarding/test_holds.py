"""Safeguarding records block erasure of the people who sent them."""

from __future__ import annotations

from elearn.auth.roles import Role
from elearn.privacy.holds import reasons_to_keep
from elearn.safeguarding.models import ReportKind
from tests.safeguarding.helpers import file_report


def test_a_person_who_sent_a_report_cannot_be_erased(app, make, db, app_config):
    academy = make.academy()
    pupil = make.user(Role.PUPIL, academy)
    classmate = make.user(Role.PUPIL, academy)
    file_report(db, pupil, ReportKind.TELL, app_config["DATA_DIR"])

    reasons = reasons_to_keep(db, pupil.id)
    assert any("safeguarding report that the academy must keep" in r for r in reasons)
    assert not any("safeguarding" in r for r in reasons_to_keep(db, classmate.id))


def test_a_data_export_lists_reports_sent_but_not_their_content(app, make, db, app_config):
    from elearn.privacy.registry import EXPORTERS

    pupil = make.user(Role.PUPIL, make.academy())
    file_report(db, pupil, ReportKind.TELL, app_config["DATA_DIR"])
    exported = EXPORTERS["safeguarding_reports"](db, pupil.id)
    assert [r["kind"] for r in exported["reports_sent"]] == ["Pupil told a trusted adult"]
    assert "mean things" not in str(exported)
