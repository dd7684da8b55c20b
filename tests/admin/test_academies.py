"""Academies: trust administrators add and edit them."""

from __future__ import annotations

from sqlalchemy import select

from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy
from elearn.auth.roles import Role


def test_admin_adds_and_edits_an_academy(client, make, db):
    client.login(make.user(Role.ADMIN).username)
    response = client.post(
        "/admin/academies/new",
        data={
            "name": "Brook Lane Primary",
            "code": "Brook-Lane",
            "urn": "141234",
            "phase": "primary",
        },
    )
    assert response.status_code == 302
    academy = db.scalar(select(Academy).where(Academy.name == "Brook Lane Primary"))
    assert (academy.code, academy.urn) == ("brook-lane", "141234")
    assert "Brook Lane Primary" in client.get("/admin/academies").get_data(as_text=True)

    response = client.post(
        f"/admin/academies/{academy.id}/edit",
        data={
            "name": "Brook Lane Academy",
            "code": "brook-lane",
            "urn": "",
            "phase": "all-through",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Academy, academy.id).phase == "all-through"
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "academy"))
    assert list(actions) == ["academy.create", "academy.update"]


def test_duplicate_codes_and_bad_urns_are_explained(client, make, db):
    make.academy("Existing", code="existing")
    client.login(make.user(Role.ADMIN).username)
    response = client.post(
        "/admin/academies/new",
        data={"name": "New One", "code": "existing", "urn": "12", "phase": "primary"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Another academy already uses that code." in text
    assert "6 to 8 digits" in text
    assert 'value="New One"' in text


def test_only_admins_manage_academies(client, make):
    academy = make.academy()
    client.login(make.user(Role.HEAD, academy).username)
    assert client.get("/admin/academies").status_code == 403
    assert client.get(f"/admin/academies/{academy.id}/edit").status_code == 403


def test_an_unknown_academy_is_not_found(client, make):
    client.login(make.user(Role.ADMIN).username)
    assert client.get("/admin/academies/999999/edit").status_code == 404
