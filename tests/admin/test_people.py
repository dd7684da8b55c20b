"""People administration: who may do what, and what each change does."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.models import ParentLink, User
from elearn.auth.roles import Role, StaffKind

NEW_PASSWORD = re.compile(r'<span class="card-value">([a-z]+-[a-z]+-[2-9]{2})</span>')


def fresh(db, user: User) -> User:
    db.expire_all()
    return db.get(User, user.id)


def audit_actions(db, user: User) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user.id)
            .order_by(AuditEntry.id)
        )
    )


def new_person(academy, **fields) -> dict[str, str]:
    data = {
        "display_name": "Sam Taylor",
        "username": "sam.taylor",
        "email": "",
        "role": "pupil",
        "academy_id": str(academy.id) if academy else "",
        "year_group": "4",
        "staff_kind": "",
        "start_on": "",
    }
    data.update(fields)
    return data


def test_admin_adds_a_pupil_and_the_change_is_audited(client, make, db):
    academy = make.academy("Oakwood Primary")
    admin = make.user(Role.ADMIN)
    client.login(admin.username)
    response = client.post("/admin/people/new", data=new_person(academy))
    assert response.status_code == 302
    pupil = db.scalar(select(User).where(User.username == "sam.taylor"))
    assert (pupil.role, pupil.academy_id, pupil.year_group) == (Role.PUPIL, academy.id, 4)
    assert audit_actions(db, pupil) == ["person.create"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam Taylor has been added." in page and "Year 4" in page


def test_bad_input_is_shown_again_with_every_problem_and_nothing_lost(client, make, db):
    academy = make.academy()
    taken = make.user(Role.STAFF, academy, username="taken.name")
    client.login(make.user(Role.ADMIN).username)
    response = client.post(
        "/admin/people/new",
        data=new_person(
            academy,
            display_name="Kim Lee",
            username=taken.username,
            email="not an email",
            role="staff",
            staff_kind="",
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert "That username is already taken" in page
    assert "Enter an e-mail address like name@school.example." in page
    assert "Choose what kind of staff member this is." in page
    assert 'value="Kim Lee"' in page  # what was typed is kept
    assert (
        db.scalar(select(func.count()).select_from(User).where(User.display_name == "Kim Lee")) == 0
    )


def test_a_head_cannot_make_anyone_an_admin_or_a_head(client, make, db):
    academy = make.academy()
    head = make.user(Role.HEAD, academy)
    staff = make.user(Role.STAFF, academy)
    client.login(head.username)
    form = client.get("/admin/people/new").get_data(as_text=True)
    assert 'value="dsl"' in form
    assert 'value="admin"' not in form and 'value="head"' not in form

    for role in ("admin", "head"):
        response = client.post(
            "/admin/people/new",
            data=new_person(academy, role=role, username=f"new.{role}", staff_kind="teacher"),
        )
        assert response.status_code == 422
        assert db.scalar(select(User).where(User.username == f"new.{role}")) is None

    # Nor can a head change anyone's role: that belongs to trust administrators.
    assert client.get(f"/admin/people/{staff.id}/role").status_code == 403
    response = client.post(
        f"/admin/people/{staff.id}/role",
        data={"role": "admin", "academy_id": "", "staff_kind": "trust", "year_group": ""},
    )
    assert response.status_code == 403
    assert fresh(db, staff).role is Role.STAFF


def test_a_head_manages_their_own_academy_only(client, make, db):
    mine, other = make.academy("Mine"), make.academy("Other")
    head = make.user(Role.HEAD, mine)
    stranger = make.user(Role.PUPIL, other, display_name="Olive Stranger")
    colleague_head = make.user(Role.HEAD, mine, display_name="Second Head")
    client.login(head.username)

    listing = client.get("/admin/people").get_data(as_text=True)
    assert "Olive Stranger" not in listing
    for url in (f"/admin/people/{stranger.id}", f"/admin/people/{stranger.id}/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/admin/people/{stranger.id}/deactivate").status_code == 404
    assert fresh(db, stranger).active

    # Adding someone to another academy is refused.
    response = client.post("/admin/people/new", data=new_person(other, username="x.pupil"))
    assert response.status_code == 422
    # A head cannot manage another head (a role above the ones they hand out).
    assert client.get(f"/admin/people/{colleague_head.id}/edit").status_code == 403
    assert client.post(f"/admin/people/{colleague_head.id}/deactivate").status_code == 403


def test_a_teacher_cannot_see_people_pages_or_another_academys_pupils(client, make):
    mine, other = make.academy("Mine"), make.academy("Other")
    teacher = make.user(Role.STAFF, mine)
    theirs = make.user(Role.PUPIL, other, display_name="Faraway Pupil", year_group=5)
    client.login(teacher.username)
    assert client.get("/admin/people").status_code == 403
    assert client.get(f"/admin/class?academy={other.id}&year=5").status_code == 404
    page = client.get("/admin/class?year=5").get_data(as_text=True)
    assert "Faraway Pupil" not in page
    assert client.post(f"/admin/people/{theirs.id}/password").status_code == 404


def test_admin_changes_a_role_and_the_change_is_audited(app, client, make, db):
    academy = make.academy()
    admin = make.user(Role.ADMIN)
    teacher = make.user(Role.STAFF, academy)
    teacher_client = app.test_client()
    teacher_client.login(teacher.username)

    client.login(admin.username)
    response = client.post(
        f"/admin/people/{teacher.id}/role",
        data={
            "role": "dsl",
            "academy_id": str(academy.id),
            "staff_kind": "teacher",
            "year_group": "",
        },
    )
    assert response.status_code == 302
    assert fresh(db, teacher).role is Role.DSL
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "person.role_change"))
    assert (entry.actor_id, entry.subject_id) == (admin.id, teacher.id)
    assert entry.detail["from"] == "staff" and entry.detail["to"] == "dsl"
    page = client.get(f"/admin/people/{teacher.id}").get_data(as_text=True)
    assert "Role changed: Staff to Designated safeguarding lead" in page
    # A new role changes what they may see: they sign in again.
    assert teacher_client.get("/").status_code == 302


def test_a_role_change_with_missing_details_is_refused(client, make, db):
    academy = make.academy()
    parent = make.user(Role.PARENT, academy)
    client.login(make.user(Role.ADMIN).username)
    response = client.post(
        f"/admin/people/{parent.id}/role",
        data={"role": "pupil", "academy_id": str(academy.id), "staff_kind": "", "year_group": ""},
    )
    assert response.status_code == 422
    assert "Choose the pupil&#39;s year group." in response.get_data(as_text=True)
    assert fresh(db, parent).role is Role.PARENT


def test_admins_cannot_change_their_own_role(client, make):
    admin = make.user(Role.ADMIN)
    client.login(admin.username)
    assert client.get(f"/admin/people/{admin.id}/role").status_code == 403


def test_deactivating_stops_sign_in_and_reactivating_restores_it(app, client, make, db):
    academy = make.academy()
    head = make.user(Role.HEAD, academy)
    teacher = make.user(Role.STAFF, academy)
    teacher_client = app.test_client()
    teacher_client.login(teacher.username)
    assert teacher_client.get("/").status_code == 200

    client.login(head.username)
    ask = client.post(f"/admin/people/{teacher.id}/deactivate")
    assert ask.status_code == 200
    assert f"Deactivate {teacher.display_name}?" in ask.get_data(as_text=True)
    assert fresh(db, teacher).active  # one click only asks
    confirmed = client.post(f"/admin/people/{teacher.id}/deactivate", data={"confirm": "yes"})
    assert confirmed.status_code == 302
    teacher = fresh(db, teacher)
    assert not teacher.active and teacher.left_on is not None
    assert teacher_client.get("/").status_code == 302  # signed out
    assert app.test_client().login(teacher.username).status_code == 200  # cannot sign in

    assert client.post(f"/admin/people/{teacher.id}/reactivate").status_code == 302
    teacher = fresh(db, teacher)
    assert teacher.active and teacher.left_on is None
    assert app.test_client().login(teacher.username).status_code == 302
    assert audit_actions(db, teacher) == ["person.deactivate", "person.reactivate"]


def test_a_teacher_resets_a_pupils_password_and_it_is_shown_once(app, client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=3)
    pupil_client = app.test_client()
    pupil_client.login(pupil.username)

    client.login(teacher.username)
    before = pupil.password_hash
    ask = client.post(f"/admin/people/{pupil.id}/password")
    assert "Reset Ava Jones&#39;s password?" in ask.get_data(as_text=True)
    assert not NEW_PASSWORD.search(ask.get_data(as_text=True))
    assert fresh(db, pupil).password_hash == before  # one click only asks
    assert pupil_client.get("/").status_code == 200
    response = client.post(f"/admin/people/{pupil.id}/password", data={"confirm": "yes"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = NEW_PASSWORD.search(page).group(1)
    assert "will not be shown again" in page

    assert pupil_client.get("/").status_code == 302  # signed out everywhere
    assert app.test_client().login(pupil.username).status_code == 200  # old one fails
    assert app.test_client().login(pupil.username, password).status_code == 302
    assert password not in (fresh(db, pupil).password_hash or "")
    assert audit_actions(db, pupil) == ["person.password_reset"]


def test_a_teacher_cannot_reset_a_staff_members_password(client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    colleague = make.user(Role.STAFF, academy)
    before = colleague.password_hash
    client.login(teacher.username)
    assert client.post(f"/admin/people/{colleague.id}/password").status_code == 404
    assert fresh(db, colleague).password_hash == before


def test_a_head_links_a_parent_to_a_pupil_and_removes_the_link(client, make, db):
    academy = make.academy()
    head = make.user(Role.HEAD, academy)
    parent = make.user(Role.PARENT, academy, display_name="Dana Reid")
    pupil = make.user(Role.PUPIL, academy, display_name="Eli Reid", username="eli.reid")
    client.login(head.username)

    response = client.post(f"/admin/people/{parent.id}/links", data={"username": "ELI.REID "})
    assert response.status_code == 302
    page = client.get(f"/admin/people/{parent.id}").get_data(as_text=True)
    assert "Dana Reid is now linked to Eli Reid." in page and "Eli Reid" in page

    again = client.post(f"/admin/people/{parent.id}/links", data={"username": "eli.reid"})
    assert again.status_code == 422 and "already linked" in again.get_data(as_text=True)
    missing = client.post(f"/admin/people/{parent.id}/links", data={"username": "nobody"})
    assert missing.status_code == 422
    assert "could not find anyone" in missing.get_data(as_text=True)

    remove = f"/admin/people/{parent.id}/links/{pupil.id}/remove"
    ask = client.post(remove)
    assert "Remove the link between Dana Reid and Eli Reid?" in ask.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ParentLink)) == 1  # one click only asks
    assert client.post(remove, data={"confirm": "yes"}).status_code == 302
    assert db.scalar(select(func.count()).select_from(ParentLink)) == 0
    assert audit_actions(db, parent) == ["person.link_add", "person.link_remove"]


def test_a_head_cannot_link_a_pupil_from_another_academy(client, make, db):
    mine, other = make.academy("Mine"), make.academy("Other")
    head = make.user(Role.HEAD, mine)
    parent = make.user(Role.PARENT, mine)
    make.user(Role.PUPIL, other, username="far.pupil")
    client.login(head.username)
    response = client.post(f"/admin/people/{parent.id}/links", data={"username": "far.pupil"})
    assert response.status_code == 422
    assert db.scalar(select(func.count()).select_from(ParentLink)) == 0


def test_edit_keeps_the_role_and_records_which_fields_changed(client, make, db):
    academy = make.academy()
    admin = make.user(Role.ADMIN)
    teacher = make.user(Role.STAFF, academy, display_name="Old Name")
    client.login(admin.username)
    response = client.post(
        f"/admin/people/{teacher.id}/edit",
        data=new_person(
            academy,
            display_name="New Name",
            username=teacher.username,
            email="new@school.example",
            role="admin",  # ignored: roles change on their own page
            staff_kind="support",
            year_group="",
            start_on="2024-01-08",
        ),
    )
    assert response.status_code == 302
    teacher = fresh(db, teacher)
    assert (teacher.display_name, teacher.role, teacher.staff_kind) == (
        "New Name",
        Role.STAFF,
        StaffKind.SUPPORT,
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "person.update"))
    assert set(entry.detail["fields"]) == {"display_name", "email", "staff_kind", "start_on"}
    assert "New Name" not in str(entry.detail)  # the trail holds no names


def test_forged_posts_change_nothing(client, make, db):
    academy = make.academy()
    head = make.user(Role.HEAD, academy)
    teacher = make.user(Role.STAFF, academy)
    client.login(head.username)
    assert client.post(f"/admin/people/{teacher.id}/deactivate", csrf=False).status_code == 400
    assert fresh(db, teacher).active


def test_a_person_without_an_e_mail_shows_no_e_mail_not_none(client, make, db):
    academy = make.academy()
    client.login(make.user(Role.HEAD, academy).username)
    pupil = make.user(Role.PUPIL, academy, year_group=4, email=None)
    page = client.get(f"/admin/people/{pupil.id}").get_data(as_text=True)
    details = page.split('<dl class="details">', 1)[1].split("</dl>", 1)[0]
    assert "<dt>E-mail</dt><dd>No e-mail</dd>" in details
    assert "None" not in details


def _bulk_pupils(db, academy, count, prefix="pupil"):
    from tests.factories import _PASSWORD_HASH

    db.add_all(
        User(
            username=f"{prefix}-{n:03d}",
            display_name=f"Pupil {n:03d}",
            role=Role.PUPIL,
            academy_id=academy.id,
            year_group=5,
            password_hash=_PASSWORD_HASH,
        )
        for n in range(count)
    )
    db.commit()


def test_people_list_shows_50_a_page_and_keeps_the_search_across_pages(client, make, db):
    academy = make.academy("Oakwood Primary")
    _bulk_pupils(db, academy, 120)
    admin = make.user(Role.ADMIN, display_name="Zed Admin")
    client.login(admin.username)

    first = client.get(f"/admin/people?role=pupil&academy={academy.id}").get_data(as_text=True)
    assert "Showing 1 to 50 of 120 people." in first
    assert "Pupil 049" in first and "Pupil 050" not in first
    assert f"/admin/people?page=2&amp;academy={academy.id}&amp;role=pupil" in first
    last = client.get(f"/admin/people?page=3&role=pupil&academy={academy.id}")
    page = last.get_data(as_text=True)
    assert "Showing 101 to 120 of 120 people." in page
    assert "Pupil 119" in page and "Pupil 099" not in page


@pytest.mark.parametrize("page", ["x", "0", "-1", "²", "1.5", "", "99999999999999999999"])
def test_a_bad_page_number_gives_the_first_page(client, make, page):
    admin = make.user(Role.ADMIN, display_name="Zed Admin")
    client.login(admin.username)
    response = client.get(f"/admin/people?page={page}")
    assert response.status_code == 200
    assert "Zed Admin" in response.get_data(as_text=True)


def test_a_page_past_the_end_is_not_found_and_a_bad_academy_is_ignored(client, make):
    admin = make.user(Role.ADMIN)
    client.login(admin.username)
    assert client.get("/admin/people?page=2").status_code == 404
    assert client.get("/admin/people?academy=²").status_code == 200


def test_search_is_case_insensitive_across_name_username_and_roster_id(client, make):
    academy = make.academy("Oakwood Primary")
    make.user(Role.PUPIL, academy, display_name="Ava Jones", username="ajones")
    make.user(Role.PUPIL, academy, display_name="Ben Ode", roster_id="MIS_4471")
    make.user(Role.PUPIL, academy, display_name="Cal Lee", roster_id="MIS-4471")
    admin = make.user(Role.ADMIN)
    client.login(admin.username)

    def names(term):
        page = client.get("/admin/people", query_string={"q": term}).get_data(as_text=True)
        return [n for n in ("Ava Jones", "Ben Ode", "Cal Lee") if n in page]

    assert names("ava JONES") == ["Ava Jones"]
    assert names("AJON") == ["Ava Jones"]
    assert names("mis_4471") == ["Ben Ode"]  # the underscore is a character, not a wildcard
    assert names("4471") == ["Ben Ode", "Cal Lee"]
    assert names("100%") == []


def test_a_head_searches_only_their_own_academy(client, make):
    oakwood = make.academy("Oakwood Primary")
    elmfield = make.academy("Elmfield Primary")
    make.user(Role.PUPIL, oakwood, display_name="Ava Jones")
    make.user(Role.PUPIL, elmfield, display_name="Ava Smith")
    head = make.user(Role.HEAD, oakwood)
    client.login(head.username)
    page = client.get("/admin/people?q=ava").get_data(as_text=True)
    assert "Ava Jones" in page and "Ava Smith" not in page
    page = client.get(f"/admin/people?q=ava&academy={elmfield.id}").get_data(as_text=True)
    assert "Ava Smith" not in page
