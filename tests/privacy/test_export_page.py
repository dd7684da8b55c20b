"""The readable copy of a subject access export, and the safeguarding lead's copy."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.audit.models import AuditEntry
from elearn.auth.roles import Role
from elearn.privacy import registry
from elearn.privacy.models import RetentionSetting


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def signed_in(app, user):
    client = app.test_client()
    assert client.login(user.username).status_code == 302
    return client


@pytest.fixture
def report_words(extra_registrations):
    """A confidential section, as the safeguarding package registers one."""

    @registry.register_exporter(
        "report_words",
        tables=(),
        confidential=True,
        guide=registry.SectionGuide("Report contents", "What the reports said.", {"said": "x"}),
    )
    def words(session, user_id):
        return [{"said": "the words of a report about a worrying message"}]

    return "the words of a report about a worrying message"


@pytest.fixture
def people_at(make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah", username="ruby.shah")
    return {
        "academy": academy,
        "pupil": pupil,
        "admin": make.user(Role.ADMIN, display_name="Alex Admin"),
        "dsl": make.user(Role.DSL, academy, display_name="Dee Lead"),
        "head": make.user(Role.HEAD, academy, display_name="Hana Head"),
        "other_dsl": make.user(Role.DSL, make.academy("Elm High"), display_name="Olu Other"),
        "staff": make.user(Role.STAFF, academy),
    }


def test_the_readable_copy_is_made_by_a_post_then_shown_with_its_supplementary_information(
    app, make, db, people_at, report_words
):
    db.add(RetentionSetting(audience="pupil", keep_months=18))
    db.commit()
    pupil, admin = people_at["pupil"], signed_in(app, people_at["admin"])

    made = admin.post(f"/admin/people/{pupil.id}/export", data={"format": "page"})
    assert made.status_code == 303
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.export"))
    assert entry.detail == {"copy": "person", "format": "page"}
    assert made.headers["Location"].endswith(f"/exports/{entry.id}")

    shown = admin.get(made.headers["Location"])
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    assert shown.headers["Cache-Control"] == "no-store"
    text = page_text(shown)
    assert "Personal data held about Ruby Shah" in text
    for words in (
        "Public task (UK GDPR Article 6(1)(e))",  # lawful basis
        "pupils 18 months",  # the retention setting, not the default
        "Learning records are not sent to any other system.",
        "management information system (MIS)",  # where it came from
        "Information Commissioner's Office (ICO)",
        "Have anything wrong corrected.",
    ):
        assert words in text, words
    # Every section, with every key of its guide explained.
    for name, guide in registry.GUIDES.items():
        if name in registry.CONFIDENTIAL:
            assert guide.title not in text
            continue
        assert guide.title in text, name
        for key, meaning in guide.keys.items():
            assert f"<dt>{key}</dt><dd>{meaning}</dd>" in text, (name, key)
    # The person's copy never holds what only the safeguarding lead may see.
    assert report_words not in text
    # Reloading shows the page again without making (or logging) another copy.
    assert admin.get(made.headers["Location"]).status_code == 200
    assert (
        len(db.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.export")).all()) == 1
    )


def test_an_external_lrs_is_named_among_those_the_data_is_shared_with(
    app_config, app, make, db, people_at
):
    app.config["ELEARN"]["LRS_ENDPOINT"] = "https://lrs.trust.example/xapi/"
    admin = signed_in(app, people_at["admin"])
    made = admin.post(f"/admin/people/{people_at['pupil'].id}/export", data={"format": "page"})
    text = page_text(admin.get(made.headers["Location"]))
    assert "learning record store at lrs.trust.example" in text
    assert "not sent to any other system" not in text


def test_only_the_one_who_asked_sees_the_copy_and_only_for_an_hour(app, make, db, people_at):
    admin = signed_in(app, people_at["admin"])
    made = admin.post(f"/admin/people/{people_at['pupil'].id}/export", data={"format": "page"})
    url = made.headers["Location"]
    another_admin = signed_in(app, make.user(Role.ADMIN))
    assert another_admin.get(url).status_code == 404
    assert signed_in(app, people_at["dsl"]).get(url).status_code == 404
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.export"))
    entry.at -= timedelta(hours=1, minutes=1)
    db.commit()
    assert admin.get(url).status_code == 404
    assert admin.get("/exports/999999").status_code == 404


def test_a_bad_format_is_refused_and_nothing_is_logged(app, db, people_at):
    admin = signed_in(app, people_at["admin"])
    response = admin.post(f"/admin/people/{people_at['pupil'].id}/export", data={"format": "pdf"})
    assert response.status_code == 400
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.export")) is None


def test_the_safeguarding_leads_copy_holds_the_confidential_sections(
    app, make, db, people_at, report_words
):
    pupil = people_at["pupil"]
    lead = signed_in(app, people_at["dsl"])
    asking = lead.get(f"/people/{pupil.id}/safeguarding-copy")
    assert asking.status_code == 200
    assert "Safeguarding lead's copy to read or print" in page_text(asking)
    # Offered on the training record of a member of staff too.
    record = page_text(lead.get(f"/compliance/people/{people_at['staff'].id}"))
    assert "Safeguarding lead's copy to read or print" in record

    download = lead.post(f"/people/{pupil.id}/safeguarding-export")
    assert download.status_code == 200
    assert "safeguarding-copy" in download.headers["Content-Disposition"]
    assert json.loads(download.get_data(as_text=True))["report_words"][0]["said"] == report_words

    made = lead.post(f"/people/{pupil.id}/safeguarding-export", data={"format": "page"})
    assert made.status_code == 303
    text = page_text(lead.get(made.headers["Location"]))
    assert "Safeguarding lead's copy: confidential" in text
    assert report_words in text and "Report contents (confidential)" in text
    copies = [
        e.detail
        for e in db.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy.export").order_by(AuditEntry.id)
        )
    ]
    assert copies == [{"copy": "dsl", "format": "json"}, {"copy": "dsl", "format": "page"}]

    # The head of the same academy may make it too; the person's copy never holds it.
    head = signed_in(app, people_at["head"])
    assert "Safeguarding lead's copy" in page_text(head.get(f"/admin/people/{pupil.id}"))
    assert head.post(f"/people/{pupil.id}/safeguarding-export").status_code == 200
    admin = signed_in(app, people_at["admin"])
    persons_copy = admin.post(f"/admin/people/{pupil.id}/export")
    assert "report_words" not in json.loads(persons_copy.get_data(as_text=True))
    assert report_words not in persons_copy.get_data(as_text=True)


def test_nobody_else_makes_the_safeguarding_leads_copy(app, make, db, people_at):
    pupil = people_at["pupil"]
    url = f"/people/{pupil.id}/safeguarding-export"
    # Another academy's lead: as if the person did not exist.
    other = signed_in(app, people_at["other_dsl"])
    assert other.post(url).status_code == 404
    assert other.get(f"/people/{pupil.id}/safeguarding-copy").status_code == 404
    assert (
        signed_in(app, people_at["dsl"]).post("/people/999999/safeguarding-export").status_code
        == 404
    )
    # Trust admins answer the person's request, with the person's copy only.
    assert signed_in(app, people_at["admin"]).post(url).status_code == 403
    assert signed_in(app, people_at["staff"]).post(url).status_code == 403
    admin_page = page_text(signed_in(app, people_at["admin"]).get(f"/admin/people/{pupil.id}"))
    assert "Safeguarding lead's copy" not in admin_page
    assert "Readable copy to print" in admin_page
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.export")) is None
    assert not re.search(r"safeguarding-export", admin_page)
