"""Progress reads the same in words and on the bar, on every page that shows it."""

from __future__ import annotations

import re

from elearn.auth.roles import Role
from elearn.quiz.services import drawn_questions
from tests.quiz.answers import attempt_form


def _progress(html: str) -> tuple[str, int]:
    text, value = re.search(
        r'class="progress-text">(.*?)</p>.*?aria-valuenow="(\d+)"', html, re.DOTALL
    ).groups()
    return " ".join(text.split()), int(value)


def test_the_lesson_page_counts_the_lesson_being_read(content_root, client, make):
    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    first = _progress(client.get("/learn/test-staff/01-first").get_data(as_text=True))
    assert first == ("1 of 3 steps done: 1 of 2 lessons read, quiz not passed yet.", 33)
    second = _progress(client.get("/learn/test-staff/02-second").get_data(as_text=True))
    assert second == ("2 of 3 steps done: 2 of 2 lessons read, quiz not passed yet.", 66)


def test_the_bar_and_the_words_count_the_quiz_as_a_step_everywhere(content_root, client, make, db):
    from elearn.quiz.models import QuizAttempt

    staff = make.user(Role.STAFF, make.academy())
    client.login(staff.username)
    client.get("/learn/test-staff/01-first")
    client.get("/learn/test-staff/02-second")
    course = client.get("/learn/test-staff").get_data(as_text=True)
    # All lessons read is not all done while the quiz is still to pass.
    assert _progress(course) == ("2 of 3 steps done: 2 of 2 lessons read, quiz not passed yet.", 66)
    home = " ".join(re.sub(r"<[^>]+>", " ", client.get("/").get_data(as_text=True)).split())
    assert "Test staff course : 2 of 3 steps done." in home
    assert "In progress: 2 of 3 steps done" in home

    started = client.post("/learn/test-staff/quiz/start")
    attempt_id = int(re.search(r"/quiz/(\d+)", started.headers["Location"]).group(1))
    drawn = drawn_questions(db.get(QuizAttempt, attempt_id))
    client.post(f"/learn/test-staff/quiz/{attempt_id}/submit", data=attempt_form(drawn))
    course = client.get("/learn/test-staff").get_data(as_text=True)
    assert _progress(course) == ("3 of 3 steps done: 2 of 2 lessons read, quiz passed.", 100)


def test_a_pupil_reads_the_same_count_in_their_own_words(content_root, client, make):
    pupil = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(pupil.username)
    lesson = _progress(client.get("/learn/test-pupil/01-only").get_data(as_text=True))
    assert lesson == ("You have done 1 of 2 steps: 1 of 1 lesson read, quiz not passed yet.", 50)
