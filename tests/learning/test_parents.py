"""Parents and carers: their child's record, the child's lessons read-only, who to contact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy
from elearn.auth.roles import Role
from elearn.learning.models import CourseCycle, LessonRead
from elearn.xapi.models import StoredStatement
from tests.progress.helpers import history


@pytest.fixture
def family(make, db):
    academy = make.academy("Oakwood Primary")
    ava = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    parent = make.user(Role.PARENT, academy, display_name="Cara Jones")
    make.link(parent, ava)
    history(db, ava, lessons=2, scores=(3.0,))
    db.commit()
    return academy, ava, parent


def _counts(db):
    db.expire_all()
    return tuple(
        db.scalar(select(func.count()).select_from(table))
        for table in (CourseCycle, LessonRead, StoredStatement)
    )


def test_the_child_page_shows_dates_scores_and_links_to_lessons(client, family):
    _, ava, parent = family
    client.login(parent.username)
    page = client.get(f"/children/{ava.id}").get_data(as_text=True)
    assert "3 November 2026" in page  # the day the first lesson was read
    assert "best score 60%" in page
    assert f'href="/children/{ava.id}/smart-ks2/01-safe"' in page
    assert "2 of 5 lessons read" in page


def test_a_parent_reads_a_childs_lesson_and_nothing_is_recorded(client, db, family):
    _, ava, parent = family
    client.login(parent.username)
    before = _counts(db)
    response = client.get(f"/children/{ava.id}/smart-ks2/04-reliable")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "does not change Ava" in page
    assert "<h1>" in page and "Next:" in page
    assert _counts(db) == before
    again = client.get(f"/children/{ava.id}").get_data(as_text=True)
    assert "2 of 5 lessons read" in again


def test_only_linked_childrens_own_courses_open(client, make, family):
    academy, ava, parent = family
    other = make.user(Role.PUPIL, academy, display_name="Ben Ode", year_group=5)
    client.login(parent.username)
    assert client.get(f"/children/{other.id}/smart-ks2/01-safe").status_code == 404
    assert client.get(f"/children/{other.id}").status_code == 404
    # Year 5 takes the KS2 course, not the KS3 one; staff courses are nobody's child's.
    assert client.get(f"/children/{ava.id}/smart-ks3/01-safe").status_code == 404
    assert client.get(f"/children/{ava.id}/staff-induction/01-welcome").status_code == 404
    assert client.get(f"/children/{ava.id}/smart-ks2/99-nope").status_code == 404
    teacher = make.user(Role.STAFF, academy)
    client.logout()
    client.login(teacher.username)
    assert client.get(f"/children/{ava.id}/smart-ks2/01-safe").status_code == 403


def _contact_form(**fields):
    return {"dsl_id": "", "office_phone": "", "office_email": "", **fields}


def test_the_head_sets_contact_details_and_parents_see_them(client, make, db, family):
    academy, _, parent = family
    head = make.user(Role.HEAD, academy)
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")
    client.login(head.username)
    response = client.post(
        f"/admin/academies/{academy.id}/contact",
        data=_contact_form(
            dsl_id=str(dsl.id), office_phone="01642 123456", office_email="Office@Oak.example"
        ),
    )
    assert response.status_code == 302
    db.expire_all()
    saved = db.get(Academy, academy.id)
    assert (saved.contact_dsl_id, saved.office_phone, saved.office_email) == (
        dsl.id,
        "01642 123456",
        "office@oak.example",
    )
    assert db.scalar(select(AuditEntry.action).where(AuditEntry.subject_type == "academy")) == (
        "academy.contact_update"
    )
    client.logout()

    client.login(parent.username)
    for url in ("/", "/learn/parent-guidance", "/learn/parent-guidance/01-your-role-at-home"):
        page = client.get(url).get_data(as_text=True)
        assert "Dee Lead" in page, url
        assert 'href="tel:01642123456"' in page, url
        assert "mailto:office@oak.example" in page, url


def test_a_dsl_who_leaves_is_no_longer_shown(client, make, db, family):
    academy, _, parent = family
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead")
    academy.contact_dsl_id = dsl.id
    academy.office_phone = "01642 123456"
    db.commit()
    client.login(parent.username)
    assert "Dee Lead" in client.get("/").get_data(as_text=True)
    dsl.active = False
    db.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Dee Lead" not in page and "01642 123456" in page


def test_bad_contact_details_are_refused_and_nothing_is_saved(client, make, db, family):
    academy, _, _ = family
    elsewhere = make.academy("Elmfield")
    outsider = make.user(Role.DSL, elsewhere, display_name="Out Sider")
    head = make.user(Role.HEAD, academy)
    client.login(head.username)
    response = client.post(
        f"/admin/academies/{academy.id}/contact",
        data=_contact_form(dsl_id=str(outsider.id), office_phone="call me", office_email="nope"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a phone number" in page and "Enter an e-mail address" in page
    assert "Choose one of the academy&#39;s safeguarding leads." in page
    db.expire_all()
    assert db.get(Academy, academy.id).office_phone is None


def test_heads_set_only_their_own_academy_and_staff_none(client, make, family):
    academy, _, _ = family
    elsewhere = make.academy("Elmfield")
    head = make.user(Role.HEAD, academy)
    client.login(head.username)
    assert client.get(f"/admin/academies/{elsewhere.id}/contact").status_code == 404
    assert (
        client.post(
            f"/admin/academies/{elsewhere.id}/contact", data=_contact_form(office_phone="01642 1")
        ).status_code
        == 404
    )
    client.logout()
    dsl = make.user(Role.DSL, academy)
    client.login(dsl.username)
    assert client.get(f"/admin/academies/{academy.id}/contact").status_code == 403


def test_pupils_course_pages_have_no_parent_contact_box(client, make, db, family):
    academy, ava, _ = family
    academy.office_phone = "01642 123456"
    db.commit()
    client.login(ava.username)
    assert "Talk to the school" not in client.get("/learn/smart-ks2").get_data(as_text=True)


def test_an_erased_pupil_has_no_child_page(client, db, family):
    _, ava, parent = family
    ava.erased_at = datetime(2026, 11, 30, tzinfo=UTC)
    db.commit()
    client.login(parent.username)
    assert client.get(f"/children/{ava.id}").status_code == 404
