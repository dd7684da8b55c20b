"""Giving someone safeguarding access is audited on its own and the academy's leads are told."""

from __future__ import annotations

import re

from sqlalchemy import select

from elearn.admin.models import AccessNotice
from elearn.audit.models import AuditEntry
from elearn.auth.models import User
from elearn.auth.roles import Role
from tests.admin.test_people import new_person
from tests.smtp import plain_text

NEW_PASSWORD = re.compile(r'<span class="card-value">([a-z]+-[a-z]+-[2-9]{2})</span>')


def _leads(make):
    academy = make.academy("Oakwood Primary")
    dsl = make.user(Role.DSL, academy, display_name="Dee Lead", email="dee@oakwood.example")
    head = make.user(Role.HEAD, academy, display_name="Hal Head", email="hal@oakwood.example")
    return academy, dsl, head


def _entries(db, action: str) -> list[tuple[int | None, int | None]]:
    db.expire_all()
    return list(
        db.execute(
            select(AuditEntry.actor_id, AuditEntry.subject_id).where(AuditEntry.action == action)
        ).all()
    )


def _text(message) -> str:
    return plain_text(message)


def test_a_new_dsl_made_by_an_admin_is_audited_and_the_existing_dsl_is_told(
    smtp, app, client, make, db
):
    academy, dsl, head = _leads(make)
    admin = make.user(Role.ADMIN, display_name="Ada Admin")
    client.login(admin.username)
    response = client.post(
        "/admin/people/new",
        data=new_person(
            academy,
            display_name="Nina New",
            username="nina.new",
            role="dsl",
            staff_kind="teacher",
            year_group="",
        ),
    )
    assert response.status_code == 302
    nina = db.scalar(select(User).where(User.username == "nina.new"))
    assert _entries(db, "access.safeguarding_granted") == [(admin.id, nina.id)]

    [mail] = smtp.to("dee@oakwood.example")
    assert mail["Subject"] == "Safeguarding access changed at your academy"
    body = _text(mail)
    assert "Ada Admin (trust administrator) made Nina New designated safeguarding lead" in body
    assert "at Oakwood Primary" in body
    assert "http://elearn.test/#access-notices" in body
    assert len(smtp.to("hal@oakwood.example")) == 1
    assert not smtp.to("nina")  # the new lead is not told about themselves

    lead = app.test_client()
    lead.login(dsl.username)
    page = lead.get("/").get_data(as_text=True)
    assert "Changes to who can read safeguarding reports" in page
    assert "Ada Admin (trust administrator) made Nina New designated safeguarding lead" in page

    notice = db.scalar(select(AccessNotice).where(AccessNotice.recipient_id == dsl.id))
    # Someone else cannot dismiss it; its owner can, and it stays dismissed.
    other = app.test_client()
    other.login(head.username)
    assert other.post(f"/notices/{notice.id}/dismiss").status_code == 404
    assert lead.post(f"/notices/{notice.id}/dismiss").status_code == 302
    assert "Nina New" not in lead.get("/").get_data(as_text=True)
    assert "Nina New" in other.get("/").get_data(as_text=True)


def test_a_role_change_to_head_is_audited_and_notified(smtp, client, make, db):
    academy, _dsl, _head = _leads(make)
    admin = make.user(Role.ADMIN)
    teacher = make.user(Role.STAFF, academy, display_name="Tom Teacher")
    client.login(admin.username)
    response = client.post(
        f"/admin/people/{teacher.id}/role",
        data={
            "role": "head",
            "academy_id": str(academy.id),
            "staff_kind": "teacher",
            "year_group": "",
        },
    )
    assert response.status_code == 302
    assert _entries(db, "access.safeguarding_granted") == [(admin.id, teacher.id)]
    assert "made Tom Teacher head teacher" in _text(smtp.to("dee@oakwood.example")[0])


def test_resetting_a_leads_password_is_audited_and_the_mail_has_no_password(smtp, client, make, db):
    _academy, dsl, _head = _leads(make)
    admin = make.user(Role.ADMIN, display_name="Ada Admin")
    client.login(admin.username)
    page = client.post(f"/admin/people/{dsl.id}/password", data={"confirm": "yes"}).get_data(
        as_text=True
    )
    password = NEW_PASSWORD.search(page).group(1)
    assert _entries(db, "access.safeguarding_password_reset") == [(admin.id, dsl.id)]
    [mail] = smtp.to("hal@oakwood.example")
    body = mail.as_string()
    assert "reset the password of Dee Lead" in _text(mail)
    assert password not in body
    assert not smtp.to("dee@oakwood.example")


def test_a_head_adding_a_dsl_tells_the_other_leads_but_not_themselves(smtp, client, make, db):
    academy, _dsl, head = _leads(make)
    client.login(head.username)
    response = client.post(
        "/admin/people/new",
        data=new_person(
            academy, username="new.dsl", role="dsl", staff_kind="teacher", year_group=""
        ),
    )
    assert response.status_code == 302
    assert len(smtp.to("dee@oakwood.example")) == 1
    assert not smtp.to("hal@oakwood.example")


def test_other_academies_and_ordinary_people_are_not_told(smtp, client, make, db):
    academy, _dsl, _head = _leads(make)
    elsewhere = make.academy("Riverside")
    make.user(Role.DSL, elsewhere, email="other@riverside.example")
    client.login(make.user(Role.ADMIN).username)
    client.post("/admin/people/new", data=new_person(academy))  # a pupil: no access granted
    assert not smtp.messages
    client.post(
        "/admin/people/new",
        data=new_person(academy, username="x.dsl", role="dsl", staff_kind="teacher", year_group=""),
    )
    assert not smtp.to("other@riverside.example")
    assert smtp.to("dee@oakwood.example")
