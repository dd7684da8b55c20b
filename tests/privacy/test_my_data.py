"""The "My data" page, in plain words."""

from __future__ import annotations

from elearn.auth.roles import Role


def test_a_pupil_sees_what_is_held_in_words_a_child_understands(client, make):
    academy = make.academy("Oakwood Primary")
    pupil = make.user(Role.PUPIL, academy, display_name="Ruby Shah", year_group=4)
    parent = make.user(Role.PARENT, academy, display_name="Nadia Shah")
    make.link(parent, pupil)
    client.login(pupil.username)
    page = client.get("/my-data").get_data(as_text=True)
    assert "My information" in page
    assert "Ruby Shah" in page and "Oakwood Primary" in page and "Year 4" in page
    assert "Nadia Shah" in page  # who else can see it
    assert "12 months" in page
    assert "Talk to your teacher or the school office" in page
    assert 'href="/my-data" aria-current="page"' in page  # in the navigation


def test_adults_see_their_rights_and_who_to_contact(app, client, make):
    app.config["ELEARN"]["PRIVACY_CONTACT"] = "the data protection officer (dpo@tve.example)"
    academy = make.academy()
    parent = make.user(Role.PARENT, academy, display_name="Dana Reid")
    child = make.user(Role.PUPIL, academy, display_name="Eli Reid")
    make.link(parent, child)
    client.login(parent.username)
    page = client.get("/my-data").get_data(as_text=True)
    assert "Eli Reid" in page
    assert "ask for a copy of everything held about you" in page
    assert "dpo@tve.example" in page
    assert "3 months" in page  # parents' retention


def test_staff_are_told_about_their_training_record(client, make):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    page = client.get("/my-data").get_data(as_text=True)
    assert "Your training record" in page and "72 months" in page
