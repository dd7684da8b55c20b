import json
from datetime import date, timedelta

from sqlalchemy import func, select

from elearn.auth.roles import Role, StaffKind
from elearn.learning.models import Certificate, CourseCycle, LessonRead, PolicySignOff
from elearn.xapi.models import StoredStatement
from elearn.xapi.validation import validate_statement
from tests.content_fixtures import write_content

BASE = "http://elearn.test"


def _statements(db, verb: str) -> list[dict]:
    rows = db.scalars(select(StoredStatement.payload).where(StoredStatement.verb_id.endswith(verb)))
    return [json.loads(row) for row in rows]


def test_opening_a_lesson_records_it_once_per_cycle(content_root, client, make, db):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    page = client.get("/learn/test-staff/01-first")
    assert page.status_code == 200
    assert "Some words to read." in page.get_data(as_text=True)
    client.get("/learn/test-staff/01-first")  # re-reading is fine and records nothing new
    assert db.scalar(select(func.count()).select_from(LessonRead)) == 1
    [statement] = _statements(db, "/experienced")
    validate_statement({k: v for k, v in statement.items()})
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "http://elearn.test", "name": staff.xapi_id},
    }
    assert staff.display_name not in json.dumps(statement)


def test_course_page_shows_progress_and_where_to_continue(content_root, client, make):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    text = client.get("/learn/test-staff").get_data(as_text=True)
    assert "0 of 2 lessons read" in text
    assert "Start: First lesson" in text
    client.get("/learn/test-staff/01-first")
    text = client.get("/learn/test-staff").get_data(as_text=True)
    assert "1 of 2 lessons read" in text
    assert "Continue where you left off: Second lesson" in text
    assert 'href="/learn/test-staff/02-second"' in text


def test_lesson_page_has_previous_and_next(content_root, client, make):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    first = client.get("/learn/test-staff/01-first").get_data(as_text=True)
    assert "Next: Second lesson" in first and "Previous:" not in first
    second = client.get("/learn/test-staff/02-second").get_data(as_text=True)
    assert "Previous: First lesson" in second and "Go to the quiz" in second


def test_another_audiences_course_and_lessons_are_not_found(content_root, client, make, db):
    academy = make.academy()
    pupil = make.user(Role.PUPIL, academy, year_group=5)
    older = make.user(Role.PUPIL, academy, year_group=9)
    client.login(pupil.username)
    assert client.get("/learn/test-staff").status_code == 404
    assert client.get("/learn/test-staff/01-first").status_code == 404
    assert client.get("/learn/test-staff/quiz").status_code == 404
    assert client.get("/learn/no-such-course").status_code == 404
    assert client.get("/learn/test-pupil/99-missing").status_code == 404
    assert client.get("/learn/test-pupil/01-only").status_code == 200
    client.logout()
    client.login(older.username)  # wrong year group
    assert client.get("/learn/test-pupil/01-only").status_code == 404
    assert db.scalar(select(func.count()).select_from(LessonRead)) == 1


def test_catalogue_lists_only_my_courses(content_root, client, make):
    academy = make.academy()
    client.login(make.user(Role.PARENT, academy).username)
    text = client.get("/learn").get_data(as_text=True)
    assert "Test parent course" in text
    assert "Test staff course" not in text and "Test pupil course" not in text


def test_course_without_quiz_completes_on_its_last_lesson(content_root, client, make, db):
    parent = make.user(Role.PARENT, make.academy())
    client.login(parent.username)
    client.get("/learn/test-parent/01-hello")
    cycle = db.scalar(select(CourseCycle).where(CourseCycle.user_id == parent.id))
    assert cycle.completed_at is not None and cycle.expires_on is None
    assert len(_statements(db, "/completed")) == 1
    # Parents are not staff: no certificate.
    assert db.scalar(select(func.count()).select_from(Certificate)) == 0
    assert "Well done" in client.get("/learn/test-parent").get_data(as_text=True) or (
        "Course complete" in client.get("/learn/test-parent").get_data(as_text=True)
    )


def test_media_beside_a_lesson_is_served_and_paths_cannot_escape(content_root, client, make):
    (content_root / "content" / "test-pupil" / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (content_root / "secret.png").write_bytes(b"\x89PNG secret")
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    assert client.get("/learn/test-pupil/media/picture.png").status_code == 200
    assert client.get("/learn/test-pupil/media/../../secret.png").status_code == 404
    assert client.get("/learn/test-pupil/media/%2e%2e/%2e%2e/secret.png").status_code == 404
    assert client.get("/learn/test-pupil/media/01-only.md").status_code == 404


def test_policy_sign_off_needs_reading_and_confirming(content_root, client, make, db):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    early = client.post("/learn/test-policy/sign-off", data={"confirm": "yes"})
    assert early.status_code == 302
    assert "Read “Policy summary” before you sign." in client.get("/learn/test-policy").get_data(
        as_text=True
    )
    client.get("/learn/test-policy/01-summary")
    client.post("/learn/test-policy/sign-off", data={})
    assert "Tick the box" in client.get("/learn/test-policy").get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(PolicySignOff)) == 0

    client.post("/learn/test-policy/sign-off", data={"confirm": "yes"})
    signed = db.scalar(select(PolicySignOff))
    assert signed.policy_version == "1.0" and signed.user_id == staff.id
    assert "You have signed version 1.0" in client.get("/learn/test-policy").get_data(as_text=True)
    [statement] = _statements(db, "/completed")[:1] or [None]
    assert statement is not None


def test_a_new_policy_version_asks_again(content_root, client, make, db):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    client.get("/learn/test-policy/01-summary")
    client.post("/learn/test-policy/sign-off", data={"confirm": "yes"})
    write_content(content_root, policy_version="2.0")
    import time

    time.sleep(0.01)  # let the content watcher notice the edited file
    page = client.get("/learn/test-policy").get_data(as_text=True)
    assert "You have signed version" not in page
    assert "Sign the policy (version 2.0)" in page
    client.post("/learn/test-policy/sign-off", data={"confirm": "yes"})
    versions = sorted(db.scalars(select(PolicySignOff.policy_version)))
    assert versions == ["1.0", "2.0"]


def test_parent_sees_only_their_linked_childs_progress(content_root, client, make):
    academy = make.academy()
    parent = make.user(Role.PARENT, academy)
    child = make.user(Role.PUPIL, academy, display_name="Ella Stone", year_group=5)
    stranger = make.user(Role.PUPIL, academy, display_name="Zed Other", year_group=5)
    make.link(parent, child)
    child_client = client.application.test_client()
    child_client.login(child.username)
    child_client.get("/learn/test-pupil/01-only")

    client.login(parent.username)
    home = client.get("/").get_data(as_text=True)
    assert "Ella Stone" in home and "Zed Other" not in home
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "Ella Stone" in page and "Only lesson" in page and "Read" in page
    assert client.get(f"/children/{stranger.id}").status_code == 404
    assert client.get(f"/children/{parent.id}").status_code == 404


def test_recurring_training_starts_a_new_cycle_when_renewal_opens(content_root, app, make, db):
    from elearn.learning import services
    from elearn.learning.context import Moment

    staff = make.user(Role.STAFF, make.academy(), staff_kind=StaffKind.TEACHER)
    catalog = app.extensions["elearn.catalog"].get()
    course = catalog.course("test-staff")
    first = services.cycle_for_learning(
        db, staff, course, Moment(now=_at(2025, 1, 10), base_url=BASE)
    )
    services.complete_cycle(db, staff, course, first, Moment(now=_at(2025, 1, 10), base_url=BASE))
    db.commit()
    assert first.expires_on == date(2026, 1, 10)
    # Before the window: still the completed cycle.
    before = services.cycle_for_learning(
        db, staff, course, Moment(now=_at(2025, 11, 1), base_url=BASE)
    )
    assert before.id == first.id
    # Inside the 60-day window: a fresh cycle with its own registration; history kept.
    renewal = services.cycle_for_learning(
        db, staff, course, Moment(now=_at(2025, 12, 1), base_url=BASE)
    )
    assert renewal.id != first.id and renewal.registration != first.registration
    services.complete_cycle(db, staff, course, renewal, Moment(now=_at(2025, 12, 1), base_url=BASE))
    db.commit()
    # Finishing early gives no extra time: the next expiry counts from the previous one.
    assert renewal.expires_on == date(2027, 1, 10)
    assert db.scalar(select(func.count()).select_from(Certificate)) == 2


def _at(year, month, day):
    from datetime import UTC, datetime

    return datetime(year, month, day, 10, tzinfo=UTC)


def test_training_record_lists_history_and_certificates(content_root, app, client, make, db):
    from elearn.learning import services
    from elearn.learning.context import Moment

    staff = make.user(Role.STAFF, make.academy())
    course = app.extensions["elearn.catalog"].get().course("test-staff")
    cycle = services.cycle_for_learning(
        db, staff, course, Moment(now=_at(2025, 3, 3), base_url=BASE)
    )
    services.complete_cycle(db, staff, course, cycle, Moment(now=_at(2025, 3, 3), base_url=BASE))
    db.commit()
    client.login(staff.username)
    text = client.get("/my-training").get_data(as_text=True)
    assert "Test staff course" in text and "3 March 2025" in text and "3 March 2026" in text
    assert "View certificate" in text


def test_certificates_are_private_but_verifiable_by_code(content_root, app, client, make, db):
    from elearn.learning import services
    from elearn.learning.context import Moment

    academy = make.academy()
    owner = make.user(Role.STAFF, academy, display_name="Nia Okoro")
    other = make.user(Role.STAFF, academy)
    course = app.extensions["elearn.catalog"].get().course("test-staff")
    moment = Moment(now=_at(2026, 2, 2), base_url=BASE)
    cycle = services.cycle_for_learning(db, owner, course, moment)
    certificate = services.complete_cycle(db, owner, course, cycle, moment)
    db.commit()

    client.login(owner.username)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "Nia Okoro" in page and certificate.code in page
    client.logout()
    client.login(other.username)
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    client.logout()

    public = client.get(f"/verify/{certificate.code}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "genuine" in text and "Nia Okoro" in text and "Test staff course" in text
    assert "2 February 2026" in text
    assert client.get(f"/verify?code={certificate.code.lower()}").status_code == 200
    missing = client.get("/verify/NOPE-NOPE-NOPE")
    assert missing.status_code == 404 and "No certificate has that code" in missing.get_data(
        as_text=True
    )


def test_offline_training_counts_as_completion(content_root, app, make, db):
    from datetime import UTC, datetime

    import pytest

    from elearn.learning.services import LearningError, record_offline_completion

    academy = make.academy()
    staff = make.user(Role.STAFF, academy)
    dsl = make.user(Role.DSL, academy)
    course = app.extensions["elearn.catalog"].get().course("test-staff")
    now = datetime(2026, 5, 1, 9, tzinfo=UTC)
    with pytest.raises(LearningError, match="future"):
        record_offline_completion(
            db,
            user=staff,
            course=course,
            completed_on=date(2026, 6, 1),
            evidence_note="INSET",
            recorded_by=dsl,
            base_url="http://elearn.test",
            now=now,
        )
    cycle = record_offline_completion(
        db,
        user=staff,
        course=course,
        completed_on=date(2026, 4, 20),
        evidence_note="INSET day, signed register",
        recorded_by=dsl,
        base_url="http://elearn.test",
        now=now,
    )
    db.commit()
    assert cycle.completed_on == date(2026, 4, 20) and cycle.expires_on == date(2027, 4, 20)
    assert cycle.source.value == "offline" and cycle.recorded_by_id == dsl.id
    assert len(_statements(db, "/completed")) == 1
    assert date(2027, 4, 20) - cycle.completed_on == timedelta(days=365)
