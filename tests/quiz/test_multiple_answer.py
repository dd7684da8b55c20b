"""A tick-box question asks for an answer before it is marked, like the single-choice ones."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from elearn.auth.roles import Role
from elearn.quiz.models import AttemptAnswer


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
