"""A password someone else set must be replaced by the person's own before anything else."""

from __future__ import annotations

import re

from sqlalchemy import select

from elearn.admin.cards import class_list, give_cards, new_passwords
from elearn.audit.models import AuditEntry
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.db import utcnow

NEW_PASSWORD = re.compile(r'<span class="card-value">([a-z]+-[a-z]+-[2-9]{2})</span>')
MINE = "my own secret 42"


def _reset_by(app, make, actor: User, person: User) -> str:
    staff = app.test_client()
    staff.login(actor.username)
    page = staff.post(f"/admin/people/{person.id}/password", data={"confirm": "yes"}).get_data(
        as_text=True
    )
    return NEW_PASSWORD.search(page).group(1)


def _fresh(db, user: User) -> User:
    db.expire_all()
    return db.get(User, user.id)


def test_after_a_staff_reset_the_pupil_must_choose_a_password_first(app, client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy, display_name="Ava Jones")
    given = _reset_by(app, make, teacher, pupil)
    assert _fresh(db, pupil).must_change_password

    response = client.login(pupil.username, given)
    assert response.headers["Location"] == "/password/new"
    for path in ("/", "/learn", "/my-data", "/learn/smart-ks2", "/reports/tell"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/password/new", path
    page = client.get("/password/new").get_data(as_text=True)
    assert "Choose your own password" in page
    assert 'href="/learn"' not in page  # no menu of pages that would only send them back
    # Learning records and static files still work.
    assert client.get("/xapi/statements").status_code == 400  # no version header: not 302
    assert client.get("/static/elearn.css").status_code == 200


def test_choosing_a_password_clears_the_flag_and_ends_other_sign_ins(app, client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy)
    given = _reset_by(app, make, teacher, pupil)
    # Whoever saw the password on the teacher's screen signs in with it somewhere else.
    elsewhere = app.test_client()
    assert elsewhere.login(pupil.username, given).status_code == 302

    client.login(pupil.username, given)
    response = client.post("/password/new", data={"password": MINE, "again": MINE})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not _fresh(db, pupil).must_change_password

    assert elsewhere.get("/").headers["Location"].startswith("/login")
    assert app.test_client().login(pupil.username, given).status_code == 200  # old one fails
    assert app.test_client().login(pupil.username, MINE).headers["Location"] == "/"


def test_the_form_explains_each_problem_and_keeps_the_flag(app, client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy)
    given = _reset_by(app, make, teacher, pupil)
    client.login(pupil.username, given)
    cases = [
        ({"password": "short", "again": "short"}, "Use at least 8 characters."),
        ({"password": MINE, "again": "something else"}, "The two passwords are not the same"),
        ({"password": given, "again": given}, "not the one you were given"),
        ({"password": "", "again": ""}, "Type your new password."),
    ]
    for data, message in cases:
        response = client.post("/password/new", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _fresh(db, pupil).must_change_password


def test_every_reset_by_someone_else_sets_the_flag_and_is_audited(app, make, db):
    academy = make.academy()
    head = make.user(Role.HEAD, academy)
    admin = make.user(Role.ADMIN)
    teacher = make.user(Role.STAFF, academy)
    parent = make.user(Role.PARENT, academy)
    pupils = [make.user(Role.PUPIL, academy, year_group=4) for _ in range(2)]
    _reset_by(app, make, head, teacher)
    _reset_by(app, make, admin, parent)

    # Sign-in cards reset a whole class through the same password service.
    in_class = class_list(db, academy.id, 4)
    made = give_cards(db, teacher, in_class, new_passwords(len(in_class)), now=utcnow())
    db.commit()
    assert len(made) == 2
    for person in (teacher, parent, *pupils):
        assert _fresh(db, person).must_change_password, person.username
    entries = db.execute(
        select(AuditEntry.actor_id, AuditEntry.subject_id).where(
            AuditEntry.action == "person.password_reset"
        )
    ).all()
    assert (head.id, teacher.id) in entries
    assert (admin.id, parent.id) in entries
    assert all((teacher.id, pupil.id) in entries for pupil in pupils)


def test_someone_without_the_flag_is_sent_home_from_the_page(client, make):
    user = make.user(Role.STAFF, make.academy())
    client.login(user.username)
    assert client.get("/password/new").headers["Location"] == "/"
    assert client.get("/").status_code == 200
