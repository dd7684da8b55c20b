"""Class lists and printable sign-in cards."""

from __future__ import annotations

import re

from sqlalchemy import select

from elearn.auth.models import User
from elearn.auth.roles import Role

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


def test_cards_need_a_confirmation_and_then_reset_only_that_year(app, client, make, db):
    academy = make.academy("Oakwood Primary")
    teacher = make.user(Role.STAFF, academy)
    ava = make.user(
        Role.PUPIL, academy, display_name="Ava Jones", username="ava.jones", year_group=4
    )
    make.user(Role.PUPIL, academy, display_name="Cal Ito", username="cal.ito", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Ben Ode", username="ben.ode", year_group=5)
    before = hashes(db)
    client.login(teacher.username)

    confirm = client.get("/admin/class/cards?year=4")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "This gives 2 pupils new passwords" in text
    assert "Their old passwords stop working straight away" in text
    assert hashes(db) == before  # looking is safe: nothing changed yet

    response = client.post("/admin/class/cards", data={"year": "4", "academy": str(academy.id)})
    assert response.status_code == 200
    cards = CARD.findall(response.get_data(as_text=True))
    assert [(name, username) for name, username, _ in cards] == [
        ("Ava Jones", "ava.jones"),
        ("Cal Ito", "cal.ito"),
    ]
    after = hashes(db)
    assert after["ava.jones"] != before["ava.jones"] and after["cal.ito"] != before["cal.ito"]
    assert after["ben.ode"] == before["ben.ode"]
    ava_password = dict((u, p) for _, u, p in cards)["ava.jones"]
    assert app.test_client().login(ava.username, ava_password).status_code == 302
    assert "Oakwood Primary" in response.get_data(as_text=True)


def test_cards_page_prints_only_the_cards(client, make):
    academy = make.academy()
    teacher = make.user(Role.STAFF, academy)
    make.user(Role.PUPIL, academy, year_group=2)
    client.login(teacher.username)
    page = client.post("/admin/class/cards", data={"year": "2", "academy": str(academy.id)})
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
