"""The pupil progress report: what it shows, to whom, and what it costs in SQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from elearn.auth.roles import Role
from elearn.progress.services import CourseStage, ProgressFilter, Stage, progress_report
from tests.compliance.test_query_count import counting
from tests.progress.helpers import history, pupils_academy

TODAY = date(2026, 12, 3)


@pytest.fixture
def ks2(app):
    return app.extensions["elearn.catalog"].get().course("smart-ks2")


def _report(app, course, **wanted):
    with app.extensions["elearn.sessionmaker"]() as session:
        return progress_report(
            session, course, ProgressFilter(course_id=course.id, **wanted), TODAY
        )


def test_each_pupil_shows_lessons_read_quiz_result_and_finish(app, make, db, ks2):
    academy = make.academy("Oakwood")
    ava = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    ben = make.user(Role.PUPIL, academy, display_name="Ben Ode", year_group=5)
    make.user(Role.PUPIL, academy, display_name="Cal Lee", year_group=4)
    history(db, ava, lessons=5, scores=(3.0, 4.5), finished=True)
    history(db, ben, lessons=2, scores=(2.0,))
    db.commit()

    report = _report(app, ks2, academy_id=academy.id)
    rows = {row.name: row for row in report.rows}
    assert [row.name for row in report.rows] == ["Ava Jones", "Ben Ode", "Cal Lee"]
    assert rows["Ava Jones"].stage is CourseStage.FINISHED
    assert rows["Ava Jones"].finished_on == date(2026, 11, 20)
    assert rows["Ava Jones"].quiz.stage is Stage.PASSED
    assert rows["Ava Jones"].quiz.best_percent == 90
    assert rows["Ava Jones"].quiz.on == date(2026, 11, 12)  # the day of the passing attempt
    assert rows["Ben Ode"].lessons_read_on == (
        date(2026, 11, 3),
        date(2026, 11, 4),
        None,
        None,
        None,
    )
    assert rows["Ben Ode"].quiz.stage is Stage.IN_PROGRESS
    assert rows["Ben Ode"].quiz.best_percent == 40
    assert rows["Cal Lee"].stage is CourseStage.NOT_STARTED
    assert rows["Cal Lee"].quiz.stage is Stage.NOT_STARTED
    assert report.finished == 1


def test_filters_year_group_not_finished_and_sorts(app, make, db, ks2):
    academy = make.academy("Oakwood")
    other = make.academy("Elmfield")
    ava = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    make.user(Role.PUPIL, academy, display_name="Ben Ode", year_group=5)
    make.user(Role.PUPIL, academy, display_name="Cal Lee", year_group=4)
    make.user(Role.PUPIL, academy, display_name="Dee Old", year_group=8)  # a KS3 pupil
    make.user(Role.PUPIL, other, display_name="Eve Else", year_group=5)
    make.user(Role.PUPIL, academy, display_name="Fay Gone", year_group=5, active=False)
    make.user(Role.STAFF, academy, display_name="Tia Teacher")
    history(db, ava, lessons=5, scores=(5.0,), finished=True)
    db.commit()

    everyone = _report(app, ks2, academy_id=academy.id)
    assert [row.name for row in everyone.rows] == ["Ava Jones", "Ben Ode", "Cal Lee"]
    year5 = _report(app, ks2, academy_id=academy.id, year_group=5)
    assert [row.name for row in year5.rows] == ["Ava Jones", "Ben Ode"]
    follow_up = _report(app, ks2, academy_id=academy.id, year_group=5, not_finished=True)
    assert [row.name for row in follow_up.rows] == ["Ben Ode"]
    least_first = _report(app, ks2, academy_id=academy.id, sort="progress")
    assert [row.name for row in least_first.rows] == ["Ben Ode", "Cal Lee", "Ava Jones"]
    by_year = _report(app, ks2, academy_id=academy.id, sort="year")
    assert [row.name for row in by_year.rows] == ["Cal Lee", "Ava Jones", "Ben Ode"]


def test_query_count_is_the_same_for_10_or_1000_pupils(app, db, ks2):
    small = pupils_academy(db, "Small Primary", 10)
    large = pupils_academy(db, "Large Primary", 1000)
    engine = app.extensions["elearn.engine"]

    with counting(engine) as small_statements:
        small_report = _report(app, ks2, academy_id=small.id)
    with counting(engine) as large_statements:
        large_report = _report(app, ks2, academy_id=large.id)

    assert len(small_report.rows) == 10
    assert len(large_report.rows) == 1000
    assert large_report.finished == 333
    assert sum(1 for row in large_report.rows if row.quiz.stage is Stage.IN_PROGRESS) == 333
    assert sum(1 for row in large_report.rows if row.stage is CourseStage.NOT_STARTED) == 334
    assert len(small_statements) == len(large_statements)
    # Pupils, cycles, lessons read, quiz attempts.
    assert len([each for each in large_statements if each.lstrip().startswith("SELECT")]) == 4


def test_the_page_costs_the_same_for_10_or_1000_pupils(app, db, make, client):
    small = pupils_academy(db, "Small Primary", 10)
    large = pupils_academy(db, "Large Primary", 1000)
    admin = make.user(Role.ADMIN)
    engine = app.extensions["elearn.engine"]
    client.login(admin.username)
    counts = []
    for academy in (small, large):
        with counting(engine) as statements:
            response = client.get(f"/progress?academy={academy.id}&year=5")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_staff_see_their_own_academy_and_another_is_404(app, make, client):
    academy = make.academy("Oakwood")
    other = make.academy("Elmfield")
    make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    make.user(Role.PUPIL, other, display_name="Eve Else", year_group=5)
    teacher = make.user(Role.STAFF, academy)
    client.login(teacher.username)

    page = client.get("/progress").get_data(as_text=True)
    assert "Ava Jones" in page
    assert "Eve Else" not in page
    assert client.get(f"/progress?academy={other.id}").status_code == 404
    assert client.get(f"/progress/export.csv?academy={other.id}").status_code == 404
    assert client.get(f"/progress?academy={academy.id}").status_code == 200


@pytest.mark.parametrize("role", [Role.PUPIL, Role.PARENT])
def test_pupils_and_parents_cannot_open_the_report(make, client, role):
    academy = make.academy()
    person = make.user(role, academy)
    client.login(person.username)
    assert client.get("/progress").status_code == 403
    assert client.get("/progress/export.csv").status_code == 403


def test_admin_picks_an_academy_and_bad_values_never_fail(make, client):
    academy = make.academy("Oakwood")
    make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    admin = make.user(Role.ADMIN)
    client.login(admin.username)

    picker = client.get("/progress")
    assert picker.status_code == 200
    assert "Choose an academy" in picker.get_data(as_text=True)
    for bad in ("x", "-1", "²", "99999999999999999999"):
        assert client.get(f"/progress?academy={bad}").status_code == 404
    assert client.get(f"/progress?academy={academy.id}&course=nope").status_code == 404
    # A course for staff is not a pupil course.
    assert client.get(f"/progress?academy={academy.id}&course=staff-induction").status_code == 404
    odd = client.get(f"/progress?academy={academy.id}&year=banana&sort=evil&not_finished=yes")
    assert odd.status_code == 200
    assert "Ava Jones" in odd.get_data(as_text=True)


def test_csv_download_follows_the_filters_and_neutralises_formulas(make, db, client):
    academy = make.academy("Oakwood", code="oakwood")
    ava = make.user(Role.PUPIL, academy, display_name="=HYPERLINK(1)", year_group=5)
    make.user(Role.PUPIL, academy, display_name="Cal Lee", year_group=4)
    history(db, ava, lessons=5, scores=(5.0,), finished=True)
    db.commit()
    teacher = make.user(Role.STAFF, academy)
    client.login(teacher.username)

    response = client.get("/progress/export.csv?year=5")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "progress-oakwood-smart-ks2-year5-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["Name", "Username", "Year group", "Course", "Status", "Finished on"]
    assert len(rows) == 2  # Cal is in Year 4
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][4] == "Finished"
    assert rows[1][-4:] == ["Passed", "100", "1", "2026-11-11"]


def test_a_pupils_person_page_shows_their_progress(make, db, client):
    academy = make.academy("Oakwood")
    ava = make.user(Role.PUPIL, academy, display_name="Ava Jones", year_group=5)
    history(db, ava, lessons=2, scores=(3.0,))
    db.commit()
    head = make.user(Role.HEAD, academy)
    client.login(head.username)

    page = client.get(f"/admin/people/{ava.id}").get_data(as_text=True)
    assert "<h2>Progress</h2>" in page
    assert "Be SMART online" in page
    assert "3 November 2026" in page  # the first lesson's reading
    assert "best score 60%" in page
    assert "2 of 5 lessons read" in page
