"""The DSL's case fields: risk, category, pupil and family, referrals and follow-up.

Every change must land in the append-only chronology and the audit trail, and nobody outside
the academy's safeguarding team may see or change any of it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.roles import Role
from elearn.compliance.rules import uk_date
from elearn.db import utcnow
from elearn.safeguarding import casework, handling
from elearn.safeguarding.models import (
    Agency,
    AppendOnlyError,
    CaseCategory,
    EntryKind,
    Referral,
    Report,
    ReportEntry,
    ReportKind,
    ReportStatus,
    RiskLevel,
)
from tests.safeguarding.helpers import file_report


@pytest.fixture
def school(make):
    academy = make.academy("Beech Academy")
    pupil = make.user(Role.PUPIL, academy, display_name="Sam Cole", year_group=8)
    mum = make.user(Role.PARENT, academy, display_name="Kim Cole", email="kim@home.example")
    make.link(mum, pupil)
    far = make.academy("Far Academy")
    return {
        "academy": academy,
        "pupil": pupil,
        "other_pupil": make.user(Role.PUPIL, academy, display_name="Ali Khan", year_group=8),
        "mum": mum,
        "staff": make.user(Role.STAFF, academy, display_name="Jo Park"),
        "dsl": make.user(Role.DSL, academy, display_name="Dee Lead"),
        "head": make.user(Role.HEAD, academy, display_name="Hal Head"),
        "far_dsl": make.user(Role.DSL, far, display_name="Fay Far"),
        "far_pupil": make.user(Role.PUPIL, far, display_name="Far Pupil"),
    }


@pytest.fixture
def report(db, school, app_config):
    return file_report(db, school["pupil"], ReportKind.TELL, app_config["DATA_DIR"])


def _today() -> date:
    return uk_date(utcnow())


def _fresh(db, report):
    db.rollback()
    db.expire_all()
    return db.get(Report, report.id)


def _entries(db, report, kind):
    return list(
        db.scalars(
            select(ReportEntry)
            .where(ReportEntry.report_id == report.id, ReportEntry.kind == kind)
            .order_by(ReportEntry.id)
        )
    )


def _audited(db, report, action):
    return db.scalar(
        select(func.count()).where(AuditEntry.subject_id == report.id, AuditEntry.action == action)
    )


# ---- services ---------------------------------------------------------------------------


def test_risk_level_is_set_and_each_change_keeps_what_it_was(db, school, report):
    casework.set_risk(db, school["dsl"], report, RiskLevel.MEDIUM, now=utcnow())
    casework.set_risk(db, school["head"], report, RiskLevel.IMMEDIATE, now=utcnow())
    db.commit()
    report = _fresh(db, report)
    assert report.risk_level is RiskLevel.IMMEDIATE
    assert report.status is ReportStatus.OPEN
    first, second = _entries(db, report, EntryKind.RISK_SET)
    assert (first.text, first.author_id) == ("Medium", school["dsl"].id)
    assert (second.text, second.author_id) == ("Immediate danger (was Medium)", school["head"].id)
    assert _audited(db, report, "report.risk_set") == 2
    with pytest.raises(handling.CannotDoThat, match="already immediate danger"):
        casework.set_risk(db, school["dsl"], report, RiskLevel.IMMEDIATE, now=utcnow())


def test_category_is_set_with_its_chronology(db, school, report):
    casework.set_category(db, school["dsl"], report, CaseCategory.ADULT_CONTACT, now=utcnow())
    casework.set_category(db, school["dsl"], report, CaseCategory.SEXUAL_CONTENT, now=utcnow())
    db.commit()
    report = _fresh(db, report)
    assert report.category is CaseCategory.SEXUAL_CONTENT
    texts = [entry.text for entry in _entries(db, report, EntryKind.CATEGORY_SET)]
    assert texts == [
        "Contact from an adult",
        "Sexual content or nude image sharing (was Contact from an adult)",
    ]
    assert _audited(db, report, "report.category_set") == 2


def test_the_pupil_and_their_parents_come_from_the_report_until_the_dsl_links_one(
    db, school, report
):
    found = casework.family(db, report)
    assert found.pupil.id == school["pupil"].id
    assert [parent.id for parent in found.parents] == [school["mum"].id]
    assert report.pupil_id is None

    casework.link_pupil(db, school["dsl"], report, school["other_pupil"].id, now=utcnow())
    db.commit()
    report = _fresh(db, report)
    assert report.pupil_id == school["other_pupil"].id
    assert casework.family(db, report).parents == []
    (entry,) = _entries(db, report, EntryKind.PUPIL_LINKED)
    assert entry.text == "Ali Khan, Year 8"
    assert _audited(db, report, "report.pupil_linked") == 1


def test_only_the_academys_own_pupils_can_be_linked(db, school, report):
    for wrong in (school["far_pupil"], school["mum"], school["staff"]):
        with pytest.raises(handling.CannotDoThat, match="Choose a pupil"):
            casework.link_pupil(db, school["dsl"], report, wrong.id, now=utcnow())
    assert _fresh(db, report).pupil_id is None


def test_referrals_keep_date_and_reference_and_several_are_allowed(db, school, report):
    today = _today()
    casework.add_referral(
        db,
        school["dsl"],
        report,
        casework.ReferralInput(Agency.CEOP, today, " CEOP-2611-0042 ", "Online report made"),
        today=today,
        now=utcnow(),
    )
    casework.add_referral(
        db,
        school["dsl"],
        report,
        casework.ReferralInput(Agency.POLICE, today - timedelta(days=1), "NE/12345/26"),
        today=today,
        now=utcnow(),
    )
    db.commit()
    report = _fresh(db, report)
    assert [(r.agency, r.reference) for r in report.referrals] == [
        (Agency.CEOP, "CEOP-2611-0042"),
        (Agency.POLICE, "NE/12345/26"),
    ]
    first, second = _entries(db, report, EntryKind.REFERRAL)
    assert "CEOP (the police's child protection command)" in first.text
    assert "reference CEOP-2611-0042. Online report made" in first.text
    assert "reference NE/12345/26" in second.text
    assert _audited(db, report, "report.referral_added") == 2


def test_a_wrong_referral_is_corrected_by_a_new_one_and_stays_on_the_record(db, school, report):
    today = _today()
    wrong = casework.add_referral(
        db,
        school["dsl"],
        report,
        casework.ReferralInput(Agency.SOCIAL_CARE, today, "LADO-114"),
        today=today,
        now=utcnow(),
    )
    fixed = casework.add_referral(
        db,
        school["dsl"],
        report,
        casework.ReferralInput(Agency.LADO, today, "LADO-114"),
        today=today,
        now=utcnow(),
        corrects_id=wrong.id,
    )
    db.commit()
    report = _fresh(db, report)
    assert [r.id for r in report.referrals] == [wrong.id, fixed.id]
    assert report.referrals[0].agency is Agency.SOCIAL_CARE
    assert casework.corrected_ids(report) == {wrong.id}
    (entry,) = _entries(db, report, EntryKind.REFERRAL_CORRECTED)
    assert entry.text.startswith("LADO (local authority designated officer)")
    assert "replaces Children's social care" in entry.text
    with pytest.raises(handling.CannotDoThat, match="already been corrected"):
        casework.add_referral(
            db,
            school["dsl"],
            report,
            casework.ReferralInput(Agency.LADO, today, "LADO-115"),
            today=today,
            now=utcnow(),
            corrects_id=wrong.id,
        )


def test_referrals_cannot_be_edited_or_deleted(db, school, report):
    today = _today()
    referral = casework.add_referral(
        db,
        school["dsl"],
        report,
        casework.ReferralInput(Agency.LADO, today, "LADO-1"),
        today=today,
        now=utcnow(),
    )
    db.commit()
    referral.reference = "changed"
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()
    db.delete(db.get(Referral, referral.id))
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()
    assert db.get(Referral, referral.id).reference == "LADO-1"


@pytest.mark.parametrize(
    ("reference", "days_ahead", "message"),
    [
        ("  ", 0, "Enter the reference"),
        ("x" * 101, 0, "100 characters"),
        ("REF-1", 1, "cannot be in the future"),
    ],
)
def test_a_referral_needs_a_reference_and_a_real_date(
    db, school, report, reference, days_ahead, message
):
    today = _today()
    with pytest.raises(handling.CannotDoThat, match=message):
        casework.add_referral(
            db,
            school["dsl"],
            report,
            casework.ReferralInput(Agency.POLICE, today + timedelta(days=days_ahead), reference),
            today=today,
            now=utcnow(),
        )
    assert _fresh(db, report).referrals == []


def test_follow_up_is_set_moved_and_cleared_in_the_chronology(db, school, report):
    today = _today()
    casework.set_follow_up(
        db,
        school["dsl"],
        report,
        today + timedelta(days=7),
        note="Check in with Sam",
        today=today,
        now=utcnow(),
    )
    casework.set_follow_up(db, school["dsl"], report, today, today=today, now=utcnow())
    casework.set_follow_up(db, school["dsl"], report, None, today=today, now=utcnow())
    db.commit()
    report = _fresh(db, report)
    assert report.follow_up_on is None
    first, second, third = (e.text for e in _entries(db, report, EntryKind.FOLLOW_UP_SET))
    assert first.endswith(". Check in with Sam")
    assert "(was " in second
    assert third.startswith("No follow-up date (was ")
    assert _audited(db, report, "report.follow_up_set") == 3


def test_a_follow_up_cannot_be_in_the_past_or_years_away(db, school, report):
    today = _today()
    for wrong in (today - timedelta(days=1), today + timedelta(days=800)):
        with pytest.raises(handling.CannotDoThat):
            casework.set_follow_up(db, school["dsl"], report, wrong, today=today, now=utcnow())
    with pytest.raises(handling.CannotDoThat, match="There is none to clear"):
        casework.set_follow_up(db, school["dsl"], report, None, today=today, now=utcnow())
    assert _fresh(db, report).follow_up_on is None


def test_a_closed_case_takes_no_changes_until_reopened(db, school, report):
    handling.close(db, school["dsl"], report, "Resolved with the family", now=utcnow())
    db.commit()
    with pytest.raises(handling.CannotDoThat, match="closed"):
        casework.set_risk(db, school["dsl"], report, RiskLevel.LOW, now=utcnow())


def test_head_only_reports_are_the_heads_to_change(db, school, app_config):
    contact = file_report(db, school["staff"], ReportKind.CONTACT_ATTEMPT, app_config["DATA_DIR"])
    with pytest.raises(handling.NotAllowed):
        casework.set_category(db, school["dsl"], contact, CaseCategory.STAFF_CONDUCT, now=utcnow())
    casework.set_category(db, school["head"], contact, CaseCategory.STAFF_CONDUCT, now=utcnow())
    db.commit()
    assert _fresh(db, contact).category is CaseCategory.STAFF_CONDUCT


# ---- the case page ----------------------------------------------------------------------


def test_dsl_sets_every_field_from_the_case_page_and_sees_it_in_the_chronology(
    client, db, school, report
):
    client.login(school["dsl"].username)
    base = f"/reports/inbox/{report.id}"
    today = _today()
    posts = [
        ("risk", {"risk-risk": "high"}),
        ("category", {"category-category": "cyberbullying"}),
        ("referrals", {
            "referral-agency": "social_care",
            "referral-referred_on": today.isoformat(),
            "referral-reference": "CSC-778",
        }),
        ("follow-up", {"follow_up-follow_up_on": today.isoformat()}),
        ("pupil", {"pupil-pupil": str(school["pupil"].id)}),
    ]  # fmt: skip
    for path, data in posts:
        response = client.post(f"{base}/{path}", data=data)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[:2000])
    page = client.get(base).get_data(as_text=True)
    for words in (
        "High",
        "Cyberbullying",
        "CSC-778",
        "Children&#39;s social care",
        "Kim Cole",
        "kim@home.example",
        "Set the risk level",
        "Recorded a referral",
    ):
        assert words in page, words
    report = _fresh(db, report)
    assert report.risk_level is RiskLevel.HIGH
    assert report.follow_up_on == today
    assert report.pupil_id == school["pupil"].id


def test_bad_input_is_shown_again_with_the_reason_and_changes_nothing(client, db, school, report):
    client.login(school["dsl"].username)
    base = f"/reports/inbox/{report.id}"
    response = client.post(f"{base}/risk", data={"risk-risk": "extreme"})
    assert response.status_code == 422
    assert "Choose a risk level." in response.get_data(as_text=True)
    response = client.post(
        f"{base}/referrals",
        data={
            "referral-agency": "lado",
            "referral-referred_on": "31/02/2026",
            "referral-reference": "LADO-9",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a date, for example 14/03/2025." in page
    assert 'value="LADO-9"' in page
    response = client.post(f"{base}/pupil", data={"pupil-pupil": str(school["far_pupil"].id)})
    assert response.status_code == 422
    report = _fresh(db, report)
    assert (report.risk_level, report.referrals, report.pupil_id) == (None, [], None)


def test_correcting_a_referral_from_the_case_page(client, db, school, report):
    today = _today()
    wrong = casework.add_referral(
        db,
        school["dsl"],
        report,
        casework.ReferralInput(Agency.POLICE, today, "WRONG-1"),
        today=today,
        now=utcnow(),
    )
    db.commit()
    client.login(school["dsl"].username)
    base = f"/reports/inbox/{report.id}"
    form = client.get(f"{base}?correct_referral={wrong.id}").get_data(as_text=True)
    assert "Correct a referral" in form and f'value="{wrong.id}"' in form
    response = client.post(
        f"{base}/referrals",
        data={
            "referral-agency": "police",
            "referral-referred_on": today.isoformat(),
            "referral-reference": "NE/555/26",
            "referral-corrects": str(wrong.id),
        },
    )
    assert response.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "WRONG-1" in page and "NE/555/26" in page and "Corrected" in page


# ---- who may see and change it -------------------------------------------------------------


ATTEMPTS = [
    ("risk", {"risk-risk": "low"}),
    ("category", {"category-category": "other"}),
    ("pupil", {"pupil-pupil": "0"}),
    ("follow-up", {"follow_up-follow_up_on": "2030-01-01"}),
    ("referrals", {
        "referral-agency": "lado",
        "referral-referred_on": "2026-01-01",
        "referral-reference": "X",
    }),
]  # fmt: skip


@pytest.mark.parametrize("who", ["staff", "far_dsl", "pupil", "mum", "reporter"])
def test_nobody_outside_the_team_sees_or_changes_a_case(app, db, school, report, who):
    if who == "reporter":
        # A parent's concern: the sender themselves must not reach the case either.
        report = file_report(
            db, school["mum"], ReportKind.PARENT_CONCERN, app.config["ELEARN"]["DATA_DIR"]
        )
        person = school["mum"]
    else:
        person = school[who]
    client = app.test_client()
    assert client.login(person.username).status_code == 302
    base = f"/reports/inbox/{report.id}"
    for path, data in ATTEMPTS:
        assert client.post(f"{base}/{path}", data=data).status_code == 404, path
    assert client.get(base).status_code in (403, 404)
    home = client.get("/").get_data(as_text=True)
    assert f'{base}"' not in home
    report = _fresh(db, report)
    assert (report.risk_level, report.category, report.pupil_id, report.follow_up_on) == (
        None,
        None,
        None,
        None,
    )
    assert report.referrals == []
    changed = db.scalar(
        select(func.count()).where(
            ReportEntry.report_id == report.id, ReportEntry.kind != EntryKind.CREATED
        )
    )
    assert changed == 0


def test_another_academys_case_id_is_404_for_a_dsl(client, db, school, app_config, make):
    far_report = file_report(db, school["far_pupil"], ReportKind.TELL, app_config["DATA_DIR"])
    client.login(school["dsl"].username)
    for path, data in ATTEMPTS:
        assert client.post(f"/reports/inbox/{far_report.id}/{path}", data=data).status_code == 404
    assert _fresh(db, far_report).risk_level is None
