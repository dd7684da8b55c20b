"""What pupils see on the shipped SMART courses: tone by key stage, letters, badge, pictures."""

from __future__ import annotations

import re
from datetime import date

import pytest

from elearn.auth.roles import Role
from elearn.catalog.loader import load_catalog
from elearn.learning.tone import Voice, key_stage, voice_for
from elearn.quiz.models import QuizAttempt
from elearn.quiz.services import drawn_questions
from tests.catalog.test_shipped_content import REPO_ROOT
from tests.quiz.answers import attempt_form

KS2, KS3 = "smart-ks2", "smart-ks3"
LESSONS = ["01-safe", "02-meeting", "03-accepting", "04-reliable", "05-tell"]


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _start(client, course: str) -> int:
    response = client.post(f"/learn/{course}/quiz/start")
    assert response.status_code == 302
    return int(re.search(r"/quiz/(\d+)", response.headers["Location"]).group(1))


def _answer_all(client, db, course: str, attempt_id: int, correct: list[bool]) -> list[str]:
    """Answer each question in turn; returns the feedback page after each answer."""
    db.expire_all()
    drawn = drawn_questions(db.get(QuizAttempt, attempt_id))
    pages = []
    for question, right in zip(drawn, correct, strict=True):
        page = client.post(
            f"/learn/{course}/quiz/{attempt_id}/answer/{question.position}",
            data=attempt_form([question], correct=right),
            follow_redirects=True,
        )
        pages.append(page.get_data(as_text=True))
    return pages


def _finish(client, db, course: str) -> str:
    """Read every lesson and pass the quiz; returns the result page."""
    for lesson in LESSONS:
        _text(client, f"/learn/{course}/{lesson}")
    attempt_id = _start(client, course)
    _answer_all(client, db, course, attempt_id, [True] * 5)
    return _text(client, f"/learn/{course}/quiz/{attempt_id}/result")


@pytest.fixture
def year5(make):
    return make.user(Role.PUPIL, make.academy(), display_name="Leo Hart", year_group=5)


@pytest.fixture
def year8(make):
    return make.user(Role.PUPIL, make.academy(), display_name="Maya Osei", year_group=8)


# --- tone by key stage ------------------------------------------------------------------


def test_the_key_stage_comes_from_the_course_audience():
    catalog = load_catalog(REPO_ROOT)

    assert key_stage(catalog.course(KS2)) == "ks2"
    assert key_stage(catalog.course(KS3)) == "ks3"
    assert key_stage(catalog.course("staff-induction")) is None
    assert voice_for(Role.PUPIL, 5, catalog.course(KS2)) is Voice.PRIMARY
    assert voice_for(Role.PUPIL, 8, catalog.course(KS3)) is Voice.SECONDARY
    # The course decides, not the pupil's own year (a Year 6 pupil on a KS3 course).
    assert voice_for(Role.PUPIL, 6, catalog.course(KS3)) is Voice.SECONDARY
    assert voice_for(Role.PUPIL, 9, None) is Voice.SECONDARY
    assert voice_for(Role.STAFF, None, catalog.course(KS3)) is Voice.ADULT


def test_year_5_pupils_get_a_primary_greeting_and_feedback(client, db, year5):
    client.login(year5.username)

    home = _text(client, "/")
    assert "Hello, Leo!" in home and "Learn how to be SMART online." in home
    lesson = _text(client, f"/learn/{KS2}/05-tell")
    assert "Remember" in lesson and "Now try the quiz" in lesson
    for other in LESSONS[:4]:
        _text(client, f"/learn/{KS2}/{other}")
    attempt_id = _start(client, KS2)
    pages = _answer_all(client, db, KS2, attempt_id, [False, True, True, True, True])
    assert "Not quite, but good try!" in pages[0] and "Yes, well done!" in pages[1]
    result = _text(client, f"/learn/{KS2}/quiz/{attempt_id}/result")
    assert "Brilliant, you passed!" in result
    assert "You have finished this course. Well done!" in result
    course = _text(client, f"/learn/{KS2}")
    assert "Well done! You finished this course." in course
    assert "Here&#39;s why" not in result + course and "Hi Leo" not in home


def test_year_8_pupils_get_a_tone_for_12_and_13_year_olds(client, db, year8):
    client.login(year8.username)

    home = _text(client, "/")
    assert "Hi Maya" in home and "staying in control online" in home
    assert "Hello, Maya!" not in home
    lesson = _text(client, f"/learn/{KS3}/05-tell")
    assert "Key points" in lesson and "Take the quiz" in lesson
    assert "Remember<" not in lesson and "Now try the quiz" not in lesson
    for other in LESSONS[:4]:
        _text(client, f"/learn/{KS3}/{other}")
    attempt_id = _start(client, KS3)
    pages = _answer_all(client, db, KS3, attempt_id, [False, True, True, True, True])
    assert "Not quite. Here&#39;s why." in pages[0] and "That&#39;s right." in pages[1]
    assert "good try" not in pages[0] and "well done" not in pages[1].lower()
    result = _text(client, f"/learn/{KS3}/quiz/{attempt_id}/result")
    assert "<h1>You passed.</h1>" in result and "You&#39;ve completed this course." in result
    assert "Brilliant" not in result
    assert "Course complete. Nice work." in _text(client, f"/learn/{KS3}")


def test_a_year_8_pupil_who_fails_is_encouraged_without_baby_talk(client, db, year8):
    client.login(year8.username)
    attempt_id = _start(client, KS3)
    _answer_all(client, db, KS3, attempt_id, [False] * 5)

    result = _text(client, f"/learn/{KS3}/quiz/{attempt_id}/result")

    assert "Not this time. Have another go." in result and "Good try!" not in result


# --- SMART letters, illustrations and the badge -----------------------------------------


def test_letters_light_up_as_lessons_are_read(client, year5):
    client.login(year5.username)
    assert "Your SMART letters: 0 of 5 lit" in _text(client, f"/learn/{KS2}")

    _text(client, f"/learn/{KS2}/01-safe")
    _text(client, f"/learn/{KS2}/04-reliable")

    for page in (_text(client, f"/learn/{KS2}"), _text(client, "/")):
        assert "Your SMART letters: 2 of 5 lit" in page
        lit = re.findall(r'class="smart-letter smart-(\w) is-lit"', page)
        assert lit == ["s", "r"]
        assert 'Safe</span>\n        <span class="visually-hidden">: lesson read' in page
        assert 'Meeting</span>\n        <span class="visually-hidden">: not read yet' in page


def test_each_smart_lesson_shows_its_illustration_with_alt_text(client, year5):
    client.login(year5.username)
    catalog = load_catalog(REPO_ROOT)

    for lesson in catalog.course(KS2).lessons:
        page = _text(client, f"/learn/{KS2}/{lesson.id}")
        src = f"/learn/{KS2}/media/{lesson.illustration}"
        assert f'<img src="{src}" alt="{lesson.illustration_alt}"' in page
        assert f"smart-lesson smart-{lesson.smart_letter.lower()}" in page
        picture = client.get(src)
        assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
        assert "sandbox" in picture.headers["Content-Security-Policy"]


def test_the_badge_waits_until_the_course_is_complete(client, db, year5):
    client.login(year5.username)
    for lesson in LESSONS:
        _text(client, f"/learn/{KS2}/{lesson}")
    assert client.get(f"/learn/{KS2}/badge").status_code == 404  # quiz not passed yet
    assert "See and print your badge" not in _text(client, f"/learn/{KS2}")

    result = _finish(client, db, KS2)

    assert f'href="/learn/{KS2}/badge"' in result
    assert "See and print your badge" in _text(client, f"/learn/{KS2}")
    assert "See and print your badge" in _text(client, "/")


def test_the_badge_shows_first_name_course_and_date_only(client, db, make, year5):
    year5.display_name = "Leo Hart-Quinn"
    db.commit()
    client.login(year5.username)
    _finish(client, db, KS2)

    badge = _text(client, f"/learn/{KS2}/badge")

    body = badge.split('<section class="badge"', 1)[1].split("</section>", 1)[0]
    assert '<p class="badge-name">Leo</p>' in body
    assert "Hart" not in body and year5.username not in body
    assert "Be SMART online" in body and "You are SMART online!" in body
    assert f"Finished on {date.today().strftime('%-d %B %Y')}" in body
    assert re.findall(r'badge-letter smart-(\w)"', body) == list("smart")
    assert "Hart" not in badge.replace(year5.display_name, "")  # only the header's name


def test_no_one_else_can_open_a_pupils_badge(client, db, make, year5):
    client.login(year5.username)
    _finish(client, db, KS2)
    client.logout()

    other = make.user(Role.PUPIL, make.academy(), year_group=5)
    client.login(other.username)
    assert client.get(f"/learn/{KS2}/badge").status_code == 404
    client.logout()
    client.login(make.user(Role.PUPIL, make.academy(), year_group=8).username)
    assert client.get(f"/learn/{KS2}/badge").status_code == 404  # not their course
    client.logout()
    client.login(make.user(Role.PARENT, make.academy()).username)
    assert client.get(f"/learn/{KS2}/badge").status_code == 403


# --- read-aloud -------------------------------------------------------------------------


def test_the_read_aloud_button_is_hidden_until_the_script_finds_speech(client, year5):
    client.login(year5.username)

    page = _text(client, f"/learn/{KS2}/01-safe")

    assert '<p class="read-aloud-row" hidden><button type="button" class="button read-aloud"' in (
        page
    )
    assert '<script src="/static/read-aloud.js" defer></script>' in page
    assert client.get("/static/read-aloud.js").status_code == 200
