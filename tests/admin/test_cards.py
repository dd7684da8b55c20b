"""Class lists and printable sign-in cards."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from elearn.admin.cards import MAX_CARDS_PER_REQUEST as MAX
from elearn.admin.cards import claim_card_job
from elearn.admin.models import CardJob
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.db import utcnow

CARD = re.compile(
    r'<p class="card-name">([^<]+?) <span class="card-year">[^<]+</span></p>.*?'
    r'Username</span> <span class="card-value">([^<]+)</span>.*?'
    r'Password</span> <span class="card-value">([^<]+)</span>',
    re.S,
)


def hashes(db) -> dict[str, str | None]:
    db.expire_all()
    return {u.username: u.password_hash for u in db.scalars(select(User))}


def test_class_list_shows_a_year_groups_usernames(client, make):
    academy = make.academy("Oakwood Primary")
    teacher = make.user(Role.STAFF, academy)
    make.user(Role.PUPIL, academy, display_name="Ava Jones", username="ava.jones", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Ben Ode", username="ben.ode", year_group=5)
    client.login(teacher.username)
    page = client.get("/admin/class?year=4").get_data(as_text=True)
    assert "ava.jones" in page and "Ava Jones" in page
    assert "ben.ode" not in page
    assert "Year 4: 1 pupil" in page


def no_password(db, user: User) -> User:
    user.password_hash = None
    db.commit()
    return user


def chosen(page: str) -> dict[str, bool]:
    """Each pupil checkbox's label text and whether it is ticked."""
    boxes = re.findall(
        r'<input type="checkbox" id="pupil-(\d+)" name="pupil" value="\d+"( checked)?>\s*'
        r'<label for="pupil-\d+">([^<]+?) <',
        page,
    )
    return {name: bool(ticked) for _id, ticked, name in boxes}


def test_the_cards_page_chooses_pupils_with_no_password_and_changes_nothing(client, make, db):
    academy = make.academy("Oakwood Primary")
    teacher = make.user(Role.STAFF, academy)
    no_password(db, make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=4))
    make.user(Role.PUPIL, academy, display_name="Cal Ito", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Ben Ode", year_group=5)
    before = hashes(db)
    client.login(teacher.username)

    confirm = client.get("/admin/class/cards?year=4")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert chosen(text) == {"Ava Jones": True, "Cal Ito": False}
    assert "old password stops working straight away" in text
    assert hashes(db) == before  # looking is safe: nothing changed yet


def test_cards_reset_only_the_chosen_pupils(app, client, make, db):
    academy = make.academy("Oakwood Primary")
    teacher = make.user(Role.STAFF, academy)
    ava = make.user(
        Role.PUPIL, academy, display_name="Ava Jones", username="ava.jones", year_group=4
    )
    cal = make.user(Role.PUPIL, academy, display_name="Cal Ito", username="cal.ito", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Dee Ray", username="dee.ray", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Ben Ode", username="ben.ode", year_group=5)
    before = hashes(db)
    client.login(teacher.username)

    form = {"year": "4", "academy": str(academy.id), "pupil": [str(ava.id), str(cal.id)]}
    response = client.post("/admin/class/cards", data=form)
    assert response.status_code == 200
    cards = CARD.findall(response.get_data(as_text=True))
    assert [(name, username) for name, username, _ in cards] == [
        ("Ava Jones", "ava.jones"),
        ("Cal Ito", "cal.ito"),
    ]
    after = hashes(db)
    assert after["ava.jones"] != before["ava.jones"] and after["cal.ito"] != before["cal.ito"]
    assert after["dee.ray"] == before["dee.ray"] and after["ben.ode"] == before["ben.ode"]
    ava_password = dict((u, p) for _, u, p in cards)["ava.jones"]
    assert app.test_client().login(ava.username, ava_password).status_code == 302
    assert "Oakwood Primary" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(CardJob)) == 0  # the class is free


def test_choosing_nobody_or_too_many_makes_no_cards_and_says_why(client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupils = [make.user(Role.PUPIL, academy, year_group=3) for _ in range(MAX + 1)]
    before = hashes(db)
    client.login(teacher.username)
    base = {"year": "3", "academy": str(academy.id)}

    nobody = client.post("/admin/class/cards", data=base)
    assert nobody.status_code == 422
    assert "Choose at least one pupil" in nobody.get_data(as_text=True)

    everyone = client.post(
        "/admin/class/cards", data={**base, "pupil": [str(p.id) for p in pupils]}
    )
    assert everyone.status_code == 422
    text = everyone.get_data(as_text=True)
    assert f"You chose {MAX + 1} pupils. Cards can be made for at most {MAX} at a time" in text
    assert all(chosen(text).values())  # the choice is kept, to untick some
    assert hashes(db) == before


def test_a_pupil_from_another_class_cannot_be_given_a_card(client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    elsewhere = make.user(Role.PUPIL, make.academy(), year_group=3)
    other_year = make.user(Role.PUPIL, academy, year_group=4)
    make.user(Role.PUPIL, academy, year_group=3)
    before = hashes(db)
    client.login(teacher.username)
    for stranger in (elsewhere, other_year):
        form = {"year": "3", "academy": str(academy.id), "pupil": [str(stranger.id)]}
        assert client.post("/admin/class/cards", data=form).status_code == 404
    assert hashes(db) == before


def test_a_second_card_request_for_a_class_being_done_is_told_to_wait(client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy, year_group=3)
    before = hashes(db)
    # Another app server is making this class's cards right now.
    db.add(CardJob(academy_id=academy.id, year_group=3, started_at=utcnow()))
    db.commit()
    client.login(teacher.username)
    form = {"year": "3", "academy": str(academy.id), "pupil": [str(pupil.id)]}
    response = client.post("/admin/class/cards", data=form)
    assert response.status_code == 409
    assert "Someone else is making sign-in cards for Year 3 right now" in response.get_data(
        as_text=True
    )
    assert hashes(db) == before
    # Another class is not held up.
    other = make.user(Role.PUPIL, academy, year_group=4)
    form = {"year": "4", "academy": str(academy.id), "pupil": [str(other.id)]}
    assert client.post("/admin/class/cards", data=form).status_code == 200


def test_a_job_left_by_a_request_that_died_does_not_block_the_class(client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy, year_group=3)
    db.add(CardJob(academy_id=academy.id, year_group=3, started_at=utcnow() - timedelta(hours=1)))
    db.commit()
    client.login(teacher.username)
    form = {"year": "3", "academy": str(academy.id), "pupil": [str(pupil.id)]}
    assert client.post("/admin/class/cards", data=form).status_code == 200


def test_only_one_of_two_simultaneous_claims_gets_the_class(app, make, db):
    academy = make.academy()
    writer = app.extensions["elearn.writer_sessionmaker"]
    with writer() as first:
        assert claim_card_job(first, academy.id, 3, now=utcnow()) is not None
        first.commit()
    with writer() as second:
        assert claim_card_job(second, academy.id, 3, now=utcnow()) is None
        second.commit()


def test_nursery_classes_have_card_pages_too(client, make, db):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    no_password(db, make.user(Role.PUPIL, academy, display_name="Isla Reed", year_group=-2))
    client.login(teacher.username)
    page = client.get("/admin/class?year=-2").get_data(as_text=True)
    assert "Nursery 1: 1 pupil" in page and "Isla Reed" in page
    confirm = client.get("/admin/class/cards?year=-2").get_data(as_text=True)
    assert chosen(confirm) == {"Isla Reed": True}


def test_cards_page_prints_only_the_cards(client, make):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    pupil = make.user(Role.PUPIL, academy, year_group=2)
    client.login(teacher.username)
    form = {"year": "2", "academy": str(academy.id), "pupil": [str(pupil.id)]}
    page = client.post("/admin/class/cards", data=form)
    text = page.get_data(as_text=True)
    assert 'href="/static/admin.css"' in text
    assert '<div class="no-print">' in text
    css = client.get("/static/admin.css").get_data(as_text=True)
    assert "@media print" in css


def test_an_admin_chooses_the_academy_first(client, make):
    academy = make.academy("Oakwood Primary")
    make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=4)
    client.login(make.user(Role.ADMIN).username)
    page = client.get("/admin/class").get_data(as_text=True)
    assert "Choose an academy." in page
    page = client.get(f"/admin/class?academy={academy.id}&year=4").get_data(as_text=True)
    assert "Ava Jones" in page


def test_pupils_and_parents_cannot_open_class_lists(client, make):
    academy = make.academy()
    for role in (Role.PUPIL, Role.PARENT):
        user = make.user(role, academy)
        client.login(user.username)
        assert client.get("/admin/class").status_code == 403
        client.logout()
