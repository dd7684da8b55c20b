from datetime import timedelta

from elearn.auth.roles import Role, StaffKind
from elearn.db import utcnow


def test_new_starter_sees_what_is_due_and_when(client, make):
    today = utcnow().date()
    staff = make.user(Role.STAFF, make.academy(), start_on=today - timedelta(days=3))
    client.login(staff.username)
    page = client.get("/").get_data(as_text=True)
    assert "Your mandatory training" in page
    induction = page[page.index("Your mandatory training") :]
    assert "staff induction" in induction.lower() and "Due soon" in induction
    assert "Next step" in page and "Start:" in page


def test_long_serving_staff_with_nothing_done_see_overdue(client, make):
    staff = make.user(
        Role.STAFF,
        make.academy(),
        staff_kind=StaffKind.TEACHER,
        start_on=utcnow().date() - timedelta(days=400),
    )
    client.login(staff.username)
    page = client.get("/").get_data(as_text=True)
    assert page.count("Overdue") >= 2


def test_volunteers_are_asked_for_the_annual_refresher_too(client, make):
    # Volunteers work with children, so they keep their safeguarding training current.
    volunteer = make.user(
        Role.STAFF,
        make.academy(),
        staff_kind=StaffKind.VOLUNTEER,
        start_on=utcnow().date() - timedelta(days=400),
    )
    client.login(volunteer.username)
    page = client.get("/").get_data(as_text=True)
    due = page[
        page.index("Your mandatory training") : page.index(
            "</section>", page.index("Your mandatory training")
        )
    ]
    assert "refresher" in due.lower()
    assert "induction" in due.lower()


def test_pupils_see_what_to_do_next_not_training(client, make):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    page = client.get("/").get_data(as_text=True)
    assert "What to do next" in page and "Be SMART online" in page
    assert "mandatory training" not in page
