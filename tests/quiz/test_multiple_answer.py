"""A tick-box question asks for an answer before it is marked, like the single-choice ones."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.quiz.models import AttemptAnswer, QuizAttempt
from elearn.quiz.services import drawn_questions


def _tick_boxes(bank: str) -> str:
    return "\n".join(
        f"// [id:{bank}-fruit-{i}]\n::Fruit {i}::Which of these are fruit?{{\n"
        "~%50%Apple\n~%50%Pear\n~%-100%Carrot\n}\n"
        for i in range(4)
    )


@pytest.fixture
def tick_box_banks(content_root):
    for bank in ("test-staff", "test-pupil"):
        (content_root / "quizzes" / f"{bank}.gift").write_text(_tick_boxes(bank))
    return content_root


def _start(client, course: str) -> int:
    response = client.post(f"/learn/{course}/quiz/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/quiz/(\d+)", response.headers["Location"]).group(1))


def _answers_saved(db) -> int:
    return db.scalar(select(func.count()).select_from(AttemptAnswer))


def test_whole_quiz_with_no_box_ticked_asks_for_answers(tick_box_banks, client, make, db):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    attempt_id = _start(client, "test-staff")
    response = client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for position in range(1, 5):
        assert re.search(rf'id="q{position}-error">Please answer this question.<', html)
    assert _answers_saved(db) == 0


def test_one_at_a_time_with_no_box_ticked_asks_for_an_answer(tick_box_banks, client, make, db):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    client.get("/learn/test-pupil/01-only")
    attempt_id = _start(client, "test-pupil")
    response = client.post(f"/learn/test-pupil/quiz/{attempt_id}/answer/1", data={})
    assert response.status_code == 422
    assert "Please choose or type an answer first." in response.get_data(as_text=True)
    assert _answers_saved(db) == 0


def _choose(drawn, *texts: str) -> list[str]:
    """Displayed positions of the named options, as the browser posts them."""
    bank = [c.text for c in drawn.question.choices]
    return [str(drawn.order.index(bank.index(text))) for text in texts]


def test_result_shows_percentages_and_what_a_partial_tick_box_answer_missed(
    tick_box_banks, client, make, db
):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    attempt_id = _start(client, "test-staff")
    attempt = db.get(QuizAttempt, attempt_id)
    drawn = drawn_questions(attempt)
    # Apple and Pear (full), Apple and Carrot (0.5 - 1 = 0), Apple (0.5), Apple and Pear.
    picks = [("Apple", "Pear"), ("Apple", "Carrot"), ("Apple",), ("Apple", "Pear")]
    form = {f"q{d.position}": _choose(d, *pick) for d, pick in zip(drawn, picks, strict=True)}
    response = client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=form)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Your score: 62%." in text  # 2.5 of 4
    assert "Pass mark: 75%." in text
    assert " out of " not in text and "2.5" not in text and " / 4" not in text
    assert "Right answers not ticked: Pear Ticked but not right: Carrot" in text
    assert text.count("Right answers not ticked: Pear") == 2
    assert text.count("Ticked but not right: Carrot") == 1


def test_pupil_sees_what_a_tick_box_answer_missed_when_checking_it(
    tick_box_banks, client, make, db
):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    client.get("/learn/test-pupil/01-only")
    attempt_id = _start(client, "test-pupil")
    first = drawn_questions(db.get(QuizAttempt, attempt_id))[0]
    page = client.post(
        f"/learn/test-pupil/quiz/{attempt_id}/answer/1",
        data={"q1": _choose(first, "Carrot", "Pear")},
        follow_redirects=True,
    ).get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "You missed: Apple" in text
    assert "You ticked, but these are not right: Carrot" in text
