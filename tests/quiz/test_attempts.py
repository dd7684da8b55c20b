import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.quiz.models import AttemptAnswer, AttemptState, QuizAttempt
from elearn.quiz.services import drawn_questions
from elearn.xapi.models import StoredStatement
from elearn.xapi.validation import validate_statement
from tests.quiz.answers import attempt_form


def _start(client, course="test-staff") -> int:
    response = client.post(f"/learn/{course}/quiz/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/quiz/(\d+)", response.headers["Location"]).group(1))


def _attempt(db, attempt_id) -> QuizAttempt:
    db.expire_all()
    return db.get(QuizAttempt, attempt_id)


def _verbs(db) -> list[str]:
    return [
        v.rsplit("/", 1)[1]
        for v in db.scalars(select(StoredStatement.verb_id).order_by(StoredStatement.seq))
    ]


@pytest.fixture
def staff(make):
    return make.user(Role.STAFF, make.academy())


def test_the_answer_key_never_reaches_the_quiz_page(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start(client)
    html = client.get(f"/learn/test-staff/quiz/{attempt_id}").get_data(as_text=True)
    attempt = _attempt(db, attempt_id)
    for drawn in drawn_questions(attempt):
        question = drawn.question
        assert question.text in html
        for choice in question.choices:
            if choice.feedback:
                assert choice.feedback not in html
        if question.general_feedback:
            assert question.general_feedback not in html
        if question.truefalse:
            assert question.truefalse.feedback_right not in html
    assert "fraction" not in html and "%50%" not in html and "100" not in html.split("pass")[0]
    # Options are posted by displayed position: the value says nothing about the bank order.
    for drawn in drawn_questions(attempt):
        if drawn.question.is_choice:
            values = re.findall(rf'name="q{drawn.position}" value="(\d+)"', html)
            assert values == [str(i) for i in range(len(drawn.order))]


def test_a_reload_shows_the_same_draw(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start(client)

    def questions_shown():
        html = client.get(f"/learn/test-staff/quiz/{attempt_id}").get_data(as_text=True)
        main = html[html.index('<form method="post"') :]
        return re.findall(
            r'<div class="question-text"[^>]*>(.*?)</div>|<label for="q[^"]+">(.*?)</label>',
            main,
            re.S,
        )

    first = questions_shown()
    assert len(first) >= 4
    assert questions_shown() == first
    # Starting again while one is open carries on with the same attempt.
    assert _start(client) == attempt_id
    assert db.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def _start_with_a_choice_question(client, db) -> int:
    """Start attempts until the random draw includes a choice question (4 of 6 are drawn)."""
    for _ in range(40):
        attempt_id = _start(client)
        if any(d.question.is_choice for d in drawn_questions(_attempt(db, attempt_id))):
            return attempt_id
        db.execute(QuizAttempt.__table__.delete())
        db.commit()
    raise AssertionError("no draw included a choice question")


def test_a_forged_choice_is_rejected_and_nothing_is_saved(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start_with_a_choice_question(client, db)
    drawn = drawn_questions(_attempt(db, attempt_id))
    form = attempt_form(drawn)
    choice = next(d for d in drawn if d.question.is_choice)
    form[f"q{choice.position}"] = ["17"]
    response = client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "not one of the choices" in text
    assert _attempt(db, attempt_id).state is AttemptState.IN_PROGRESS
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
    # What was typed for the other questions is still there to correct and resend.
    short = next((d for d in drawn if d.question.is_typed_text), None)
    if short:
        assert f'value="{form[f"q{short.position}"][0]}"' in text


def test_missing_answers_are_listed_and_kept(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start(client)
    response = client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data={})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Please answer this question.") >= 3


def test_staff_pass_with_all_right_and_complete_the_course(content_root, client, staff, db):
    client.login(staff.username)
    client.get("/learn/test-staff/01-first")
    client.get("/learn/test-staff/02-second")
    attempt_id = _start(client)
    form = attempt_form(drawn_questions(_attempt(db, attempt_id)), correct=True)
    response = client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form)
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You passed" in result and "Your score: 100%." in result
    attempt = _attempt(db, attempt_id)
    assert attempt.passed and attempt.score_raw == 4 and attempt.score_max == 4
    verbs = _verbs(db)
    assert verbs.count("answered") == 4
    assert verbs[-1] == "completed" and "passed" in verbs
    assert "Course complete" in client.get("/learn/test-staff").get_data(as_text=True)


def test_fail_then_retake_within_the_attempt_limit(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start(client)
    form = attempt_form(
        drawn_questions(_attempt(db, attempt_id)), correct=[True, False, False, False]
    )
    client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form)
    result = client.get(f"/learn/test-staff/quiz/{attempt_id}/result").get_data(as_text=True)
    assert "Not passed this time" in result and "Start another attempt" in result
    assert _attempt(db, attempt_id).passed is False
    assert "failed" in _verbs(db)

    second = _start(client)
    assert second != attempt_id
    client.post(
        f"/learn/test-staff/quiz/{second}/submit",
        data=attempt_form(drawn_questions(_attempt(db, second)), correct=False),
    )
    # Two attempts allowed, both used.
    response = client.post("/learn/test-staff/quiz/start", follow_redirects=True)
    assert "used all your attempts" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(QuizAttempt)) == 2


def test_partial_credit_counts(content_root, app, client, staff, db):
    from elearn.catalog.gift import QuestionType

    client.login(staff.username)
    # Retry until the multi-answer question is drawn; the draw is random by design.
    for _ in range(30):
        attempt_id = _start(client)
        drawn = drawn_questions(_attempt(db, attempt_id))
        multi = next((d for d in drawn if d.question.qtype is QuestionType.MULTIRESPONSE), None)
        if multi:
            break
        client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=attempt_form(drawn))
        db.execute(QuizAttempt.__table__.delete())
        db.commit()
    assert multi is not None
    form = attempt_form(drawn)
    apple = next(i for i, c in enumerate(multi.question.choices) if c.text == "Apple")
    form[f"q{multi.position}"] = [str(multi.order.index(apple))]  # half marks
    client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form)
    attempt = _attempt(db, attempt_id)
    # 87.5% shows as 87%: rounding down never shows a pass mark that was not reached.
    assert attempt.score_raw == 3.5 and attempt.percent == 87 and attempt.passed


def test_two_concurrent_submissions_give_one_result(content_root, app, staff, db):
    first, second = app.test_client(), app.test_client()
    first.login(staff.username)
    second.login(staff.username)
    attempt_id = _start(first)
    form = attempt_form(drawn_questions(_attempt(db, attempt_id)))
    url = f"/learn/test-staff/quiz/{attempt_id}/submit"
    barrier = threading.Barrier(2)
    statuses = []

    def send(client):
        barrier.wait()
        statuses.append(client.post(url, data=dict(form)).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 4
    verbs = _verbs(db)
    assert verbs.count("passed") + verbs.count("failed") == 1
    assert verbs.count("answered") == 4


def test_a_submitted_attempt_cannot_be_changed(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start(client)
    drawn = drawn_questions(_attempt(db, attempt_id))
    client.post(
        f"/learn/test-staff/quiz/{attempt_id}/submit", data=attempt_form(drawn, correct=False)
    )
    again = client.post(
        f"/learn/test-staff/quiz/{attempt_id}/submit", data=attempt_form(drawn, correct=True)
    )
    assert again.status_code == 302
    attempt = _attempt(db, attempt_id)
    assert attempt.passed is False and attempt.score_raw == 0


def test_time_limit_is_enforced_on_the_server(content_root, client, staff, db):
    client.login(staff.username)
    attempt_id = _start(client)
    attempt = _attempt(db, attempt_id)
    attempt.deadline_at = attempt.started_at - timedelta(minutes=1)
    db.commit()
    form = attempt_form(drawn_questions(attempt))
    response = client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form)
    assert response.status_code == 302
    attempt = _attempt(db, attempt_id)
    assert attempt.state is AttemptState.TIMED_OUT and attempt.score_raw == 0
    page = client.get(f"/learn/test-staff/quiz/{attempt_id}/result").get_data(as_text=True)
    assert "time limit ran out" in page


def test_someone_elses_attempt_is_not_found(content_root, app, client, staff, make, db):
    colleague = make.user(Role.STAFF, make.academy())
    other = app.test_client()
    other.login(colleague.username)
    attempt_id = _start(other)
    client.login(staff.username)
    assert client.get(f"/learn/test-staff/quiz/{attempt_id}").status_code == 404
    assert client.get(f"/learn/test-staff/quiz/{attempt_id}/result").status_code == 404
    form = attempt_form(drawn_questions(_attempt(db, attempt_id)))
    assert client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form).status_code == 404
    assert _attempt(db, attempt_id).state is AttemptState.IN_PROGRESS


def test_pupils_get_immediate_kind_feedback_and_unlimited_tries(content_root, client, make, db):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    client.get("/learn/test-pupil/01-only")
    attempt_id = _start(client, "test-pupil")
    drawn = drawn_questions(_attempt(db, attempt_id))
    page = client.get(f"/learn/test-pupil/quiz/{attempt_id}").get_data(as_text=True)
    assert "Check my answer" in page and "Question 1 of 2" in page

    wrong = client.post(
        f"/learn/test-pupil/quiz/{attempt_id}/answer/1",
        data=attempt_form([drawn[0]], correct=False),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Not quite, but good try!" in wrong and "Not quite" in wrong
    right = client.post(
        f"/learn/test-pupil/quiz/{attempt_id}/answer/2",
        data=attempt_form([drawn[1]], correct=True),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Yes, well done!" in right and "See how you did" in right
    result = client.get(f"/learn/test-pupil/quiz/{attempt_id}/result").get_data(as_text=True)
    assert "Good try!" in result and "Try again" in result

    again = _start(client, "test-pupil")
    for d in drawn_questions(_attempt(db, again)):
        client.post(f"/learn/test-pupil/quiz/{again}/answer/{d.position}", data=attempt_form([d]))
    assert "Brilliant, you passed!" in client.get(
        f"/learn/test-pupil/quiz/{again}/result"
    ).get_data(as_text=True)
    assert "You have finished this course" in client.get(
        f"/learn/test-pupil/quiz/{again}/result"
    ).get_data(as_text=True)


def test_an_answer_given_cannot_be_changed(content_root, client, make, db):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    attempt_id = _start(client, "test-pupil")
    first = drawn_questions(_attempt(db, attempt_id))[0]
    client.post(
        f"/learn/test-pupil/quiz/{attempt_id}/answer/1", data=attempt_form([first], correct=False)
    )
    client.post(
        f"/learn/test-pupil/quiz/{attempt_id}/answer/1", data=attempt_form([first], correct=True)
    )
    [answer] = db.scalars(select(AttemptAnswer)).all()
    assert answer.success is False


def test_a_learner_journey_yields_valid_statements(content_root, client, staff, db):
    client.login(staff.username)
    client.get("/learn/test-staff/01-first")
    client.get("/learn/test-staff/02-second")
    attempt_id = _start(client)
    client.post(
        f"/learn/test-staff/quiz/{attempt_id}/submit",
        data=attempt_form(drawn_questions(_attempt(db, attempt_id))),
    )
    assert _verbs(db) == ["experienced", "experienced", "attempted"] + ["answered"] * 4 + [
        "passed",
        "completed",
    ]
    payloads = [json.loads(p) for p in db.scalars(select(StoredStatement.payload))]
    registrations = {p["context"]["registration"] for p in payloads}
    assert len(registrations) == 1
    for payload in payloads:
        validate_statement(payload)
        assert set(payload["actor"]) == {"objectType", "account"}
        assert staff.display_name not in json.dumps(payload)
    answered = [p for p in payloads if p["verb"]["id"].endswith("answered")]
    assert all("response" in p["result"] and "success" in p["result"] for p in answered)
    scored = next(p for p in payloads if p["verb"]["id"].endswith("passed"))
    assert scored["result"]["score"] == {"raw": 4.0, "min": 0, "max": 4.0, "scaled": 1.0}


def test_the_last_two_answers_sent_at_once_both_count_and_mark_the_attempt_once(
    content_root, app, make, db
):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    first, second = app.test_client(), app.test_client()
    first.login(pupil.username)
    second.login(pupil.username)
    attempt_id = _start(first, "test-pupil")
    drawn = drawn_questions(_attempt(db, attempt_id))
    assert len(drawn) == 2
    barrier = threading.Barrier(2)
    statuses = []

    def send(client, question):
        barrier.wait()
        url = f"/learn/test-pupil/quiz/{attempt_id}/answer/{question.position}"
        statuses.append(client.post(url, data=attempt_form([question])).status_code)

    threads = [
        threading.Thread(target=send, args=(client, question))
        for client, question in zip((first, second), drawn, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    db.expire_all()
    attempt = _attempt(db, attempt_id)
    assert attempt.state is AttemptState.SUBMITTED and attempt.passed
    verbs = _verbs(db)
    assert verbs.count("answered") == 2 and verbs.count("passed") == 1


def test_an_answer_out_of_time_closes_the_attempt_and_says_so(content_root, client, make, db):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    attempt_id = _start(client, "test-pupil")
    attempt = _attempt(db, attempt_id)
    attempt.deadline_at = attempt.started_at - timedelta(minutes=1)
    db.commit()
    first = drawn_questions(attempt)[0]
    page = client.post(
        f"/learn/test-pupil/quiz/{attempt_id}/answer/1",
        data=attempt_form([first]),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Time ran out for this attempt." in page
    db.expire_all()
    attempt = _attempt(db, attempt_id)
    assert attempt.state is AttemptState.TIMED_OUT
    assert db.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
