"""People a report is about are picked from the academy's roll and stored by id, so exports
and erasure holds find them; someone not on the roll can still be written in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.privacy.holds import reasons_to_keep
from elearn.safeguarding.models import PerpetratorKind, Report


@pytest.fixture
def school(make):
    academy = make.academy("Elm Academy")
    return {
        "academy": academy,
        "teacher": make.user(Role.STAFF, academy, display_name="Tom Teacher"),
        "chloe": make.user(Role.PUPIL, academy, display_name="Chloe Martin", year_group=7),
        "colleague": make.user(Role.STAFF, academy, display_name="Colin Colleague"),
        "dsl": make.user(Role.DSL, academy, display_name="Dee Lead"),
        "head": make.user(Role.HEAD, academy, display_name="Hana Head"),
    }


def _cyberbullying(**overrides):
    data = {
        "person_affected_id": "",
        "person_affected": "",
        "other_party_id": "",
        "other_party": "",
        "perpetrator_kind": "unknown",
        "platform": "a group chat",
        "occurred_at": "2025-03-01T10:00",
        "description": "Posts calling her names",
    }
    data.update(overrides)
    return data


def _reports(db):
    db.rollback()
    return list(db.scalars(select(Report)))


def test_the_form_lists_the_academys_people_with_year_groups(make, client, school):
    elsewhere = make.user(Role.PUPIL, make.academy("Far"), display_name="Far Pupil")
    gone = make.user(Role.PUPIL, school["academy"], display_name="Left Pupil", active=False)
    client.login(school["teacher"].username)
    page = client.get("/reports/cyberbullying").get_data(as_text=True)
    assert f'<option value="{school["chloe"].id}">Chloe Martin (Year 7)</option>' in page
    assert '<optgroup label="Pupils">' in page and '<optgroup label="Staff">' in page
    assert "Colin Colleague (Staff)" in page
    assert elsewhere.display_name not in page and gone.display_name not in page


def test_a_targeted_pupil_and_a_responsible_colleague_are_stored_by_id(client, db, school):
    client.login(school["teacher"].username)
    response = client.post(
        "/reports/cyberbullying",
        data=_cyberbullying(
            person_affected_id=school["chloe"].id,
            other_party_id=school["colleague"].id,
            perpetrator_kind="colleague",
        ),
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.person_affected_id == school["chloe"].id and report.person_affected is None
    assert report.other_party_id == school["colleague"].id
    assert report.perpetrator_kind is PerpetratorKind.COLLEAGUE


def test_someone_not_on_the_roll_is_written_in(client, db, school):
    client.login(school["teacher"].username)
    response = client.post(
        "/reports/cyberbullying", data=_cyberbullying(person_affected="A visiting coach")
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.person_affected_id is None and report.person_affected == "A visiting coach"


def test_nobody_chosen_or_written_is_explained_and_the_words_stay(client, db, school):
    client.login(school["teacher"].username)
    response = client.post("/reports/cyberbullying", data=_cyberbullying())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose who was targeted from the list, or write who it was." in page
    assert "Posts calling her names" in page
    assert _reports(db) == []


def test_another_academys_pupil_cannot_be_named_by_a_forged_id(make, client, db, school):
    elsewhere = make.user(Role.PUPIL, make.academy("Far"))
    client.login(school["teacher"].username)
    response = client.post(
        "/reports/cyberbullying", data=_cyberbullying(person_affected_id=elsewhere.id)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose someone from the list, or write their name instead." in page
    assert "Posts calling her names" in page
    assert _reports(db) == []


def test_the_kind_of_person_responsible_must_match_who_was_chosen(client, db, school):
    client.login(school["teacher"].username)
    response = client.post(
        "/reports/cyberbullying",
        data=_cyberbullying(
            person_affected="Someone", other_party_id=school["chloe"].id, perpetrator_kind="adult"
        ),
    )
    assert response.status_code == 422
    assert "choose “A current pupil”" in response.get_data(as_text=True)
    assert _reports(db) == []


def test_a_parent_sees_only_staff_and_their_own_children(make, client, school):
    parent = make.user(Role.PARENT, school["academy"])
    child = make.user(Role.PUPIL, school["academy"], display_name="Own Child")
    make.link(parent, child)
    client.login(parent.username)
    page = client.get("/reports/contact").get_data(as_text=True)
    assert "Own Child (Year 5)" in page
    assert "Tom Teacher (Staff)" in page
    assert "Chloe Martin" not in page


def test_a_contact_attempt_names_the_member_of_staff_by_id(make, client, db, school):
    parent = make.user(Role.PARENT, school["academy"])
    client.login(parent.username)
    response = client.post(
        "/reports/contact",
        data={
            "direction": "from_staff",
            "other_party_id": school["teacher"].id,
            "platform": "Instagram",
            "description": "A follow request",
        },
    )
    assert response.status_code == 302
    [report] = _reports(db)
    assert report.other_party_id == school["teacher"].id and report.other_party is None


def test_the_case_page_shows_linked_people_and_links_to_their_records(client, db, school):
    client.login(school["teacher"].username)
    client.post(
        "/reports/cyberbullying",
        data=_cyberbullying(
            person_affected_id=school["chloe"].id,
            other_party_id=school["colleague"].id,
            perpetrator_kind="colleague",
        ),
    )
    [report] = _reports(db)
    client.logout()
    client.login(school["head"].username)
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert f'<a href="/admin/people/{school["chloe"].id}">Chloe Martin</a>' in page
    assert "(Year 7)" in page
    assert f'<a href="/admin/people/{school["colleague"].id}">Colin Colleague</a>' in page
    client.logout()
    # A DSL has no page for pupils' details, only staff training records.
    client.login(school["dsl"].username)
    page = client.get(f"/reports/inbox/{report.id}").get_data(as_text=True)
    assert "Chloe Martin" in page and f"/admin/people/{school['chloe'].id}" not in page
    assert f'<a href="/compliance/people/{school["colleague"].id}">Colin Colleague</a>' in page


def test_people_named_in_a_report_cannot_be_erased(client, db, school, make):
    bystander = make.user(Role.PUPIL, school["academy"])
    client.login(school["teacher"].username)
    client.post(
        "/reports/cyberbullying",
        data=_cyberbullying(
            person_affected_id=school["chloe"].id,
            other_party_id=school["colleague"].id,
            perpetrator_kind="colleague",
        ),
    )
    db.rollback()
    for person in (school["chloe"], school["colleague"]):
        [reason] = [r for r in reasons_to_keep(db, person.id) if "safeguarding" in r]
        assert "is named in 1 safeguarding report that the academy must keep" in reason
    assert not [r for r in reasons_to_keep(db, bystander.id) if "safeguarding" in r]
