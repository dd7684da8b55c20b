"""The trust administrator's home page: headline figures and shortcuts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from elearn.auth.roles import Role, StaffKind
from elearn.db import utcnow
from elearn.learning.models import CourseCycle
from elearn.web.admin_home import term_start, trust_headlines
from elearn.xapi.models import ForwardState
from tests.xapi.test_admin import record


def test_term_start_follows_the_school_year():
    assert term_start(date(2026, 12, 3)) == date(2026, 9, 1)
    assert term_start(date(2027, 2, 10)) == date(2027, 1, 1)
    assert term_start(date(2027, 6, 30)) == date(2027, 4, 1)
    assert term_start(date(2027, 9, 1)) == date(2027, 9, 1)


def _finished(db, pupil, course_id: str, on: date) -> None:
    db.add(
        CourseCycle(
            user_id=pupil.id,
            course_id=course_id,
            course_version=1,
            completed_at=utcnow(),
            completed_on=on,
        )
    )
    db.commit()


def test_the_headlines_count_what_an_administrator_looks_for(app, make, db):
    today = date(2026, 12, 3)
    oakwood = make.academy("Oakwood")
    make.academy("Elmfield")
    ava = make.user(Role.PUPIL, oakwood, year_group=5)
    ben = make.user(Role.PUPIL, oakwood, year_group=8)
    cal = make.user(Role.PUPIL, oakwood, year_group=5)
    gone = make.user(Role.PUPIL, oakwood, year_group=5, active=False)
    _finished(db, ava, "smart-ks2", date(2026, 10, 1))
    _finished(db, ben, "smart-ks3", date(2026, 9, 1))
    _finished(db, cal, "smart-ks2", date(2026, 7, 15))  # last term
    _finished(db, gone, "smart-ks2", date(2026, 10, 1))  # has left
    make.user(
        Role.STAFF, oakwood, staff_kind=StaffKind.TEACHER, start_on=today - timedelta(days=400)
    )
    make.user(Role.ADMIN)
    record(db)
    record(db)
    record(db, state=ForwardState.DEAD, error="HTTP 400: no")
    record(db, state=ForwardState.DELIVERED)

    catalog = app.extensions["elearn.catalog"].get()
    headlines = trust_headlines(db, catalog, today)
    assert headlines.academies == 2
    assert headlines.people_by_role[Role.PUPIL] == 3
    assert headlines.people_by_role[Role.STAFF] == 1
    assert headlines.people_by_role[Role.ADMIN] == 1
    assert headlines.people == 5
    assert headlines.pupils_finished_this_term == 2
    assert headlines.staff_overdue == 1
    assert (headlines.statements_waiting, headlines.statements_refused) == (2, 1)


def test_the_admin_home_page_shows_figures_and_shortcuts(client, make, db):
    make.academy("Oakwood")
    admin = make.user(Role.ADMIN, display_name="Alex Admin")
    record(db)
    client.login(admin.username)
    page = client.get("/").get_data(as_text=True)
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "The trust today" in words
    assert "1 learning statement waiting to forward" in words
    assert "1 academy" in words
    for shortcut in ("/admin/people", "/admin/academies", "/admin/import", "/admin/lrs"):
        assert f'href="{shortcut}' in page, shortcut


def test_other_home_pages_have_no_trust_figures(client, make):
    head = make.user(Role.HEAD, make.academy())
    client.login(head.username)
    assert "The trust today" not in client.get("/").get_data(as_text=True)
