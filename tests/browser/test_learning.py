import re

import pytest

from elearn.auth.roles import Role
from elearn.quiz.models import QuizAttempt
from elearn.quiz.services import drawn_questions
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _attempt(db, page) -> QuizAttempt:
    attempt_id = int(re.search(r"/quiz/(\d+)", page.url).group(1))
    db.expire_all()
    db.commit()
    return db.get(QuizAttempt, attempt_id)


def _answer(page, drawn, *, correct: bool) -> None:
    """Answer one question the way a pupil would: click the option's label."""
    question = drawn.question
    if question.truefalse is not None:
        value = question.truefalse.correct if correct else not question.truefalse.correct
        page.locator(f"#q{drawn.position}-{'true' if value else 'false'}").check()
        return
    if question.pairs:
        for i, pair in enumerate(question.pairs):
            choice = pair.right if correct else next(r for r in drawn.rights if r != pair.right)
            page.locator(f"#q{drawn.position}_m{i}").select_option(choice)
        return
    if question.is_typed_text:
        answer = next(c.text for c in question.choices if c.fraction >= 1)
        page.locator(f"#q{drawn.position}").fill(answer if correct else "no idea")
        return
    if question.qtype.value == "multiresponse":
        for i, choice in enumerate(question.choices):
            if (choice.fraction > 0) == correct:
                page.locator(f"#q{drawn.position}-{drawn.order.index(i)}").check()
        return
    index = next(i for i, c in enumerate(question.choices) if (c.fraction >= 1) == correct)
    page.locator(f"#q{drawn.position}-{drawn.order.index(index)}").check()


def test_pupil_reads_smart_lessons_gets_one_wrong_with_feedback_and_passes(page, a11y, make, db):
    pupil = make.user(Role.PUPIL, make.academy(), display_name="Leo Hart", year_group=4)
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.get_by_role("link", name="Be SMART online").first.click()
    a11y.check(page)
    page.get_by_role("link", name=re.compile("^Start:")).click()
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text()
    # Read every lesson through the Next buttons, then go to the quiz.
    while page.get_by_role("link", name=re.compile("^Next:")).count():
        page.get_by_role("link", name=re.compile("^Next:")).click()
        a11y.check(page)
    page.get_by_role("link", name="Now try the quiz").click()
    a11y.check(page)
    page.get_by_role("button", name="Start the quiz").click()
    a11y.check(page)

    attempt = _attempt(db, page)
    drawn = drawn_questions(attempt)
    for number, question in enumerate(drawn, start=1):
        _answer(page, question, correct=number != 1)
        page.get_by_role("button", name="Check my answer").click()
        a11y.check(page)
        feedback = page.locator("#feedback")
        if number == 1:
            assert "Not quite, but good try!" in feedback.inner_text()
        else:
            assert "Yes, well done!" in feedback.inner_text()
        button = "See how you did" if number == len(drawn) else "Next question"
        page.get_by_role("link", name=button).click()
        a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Brilliant, you passed!"
    # 4 of 5 right meets the 80% pass mark.
    assert page.get_by_text("You got 80% right.").is_visible()
    assert page.get_by_text("You have finished this course. Well done!").is_visible()


def test_staff_complete_induction_and_open_a_verifiable_certificate(
    browser, live_server, page, a11y, make, db
):
    staff = make.user(Role.STAFF, make.academy(), display_name="Grace Lowe")
    sign_in(page, a11y, staff.username)
    a11y.check(page)
    page.goto("/learn/staff-induction")
    a11y.check(page)
    page.get_by_role("link", name=re.compile("^Start:")).click()
    a11y.check(page)
    while page.get_by_role("link", name=re.compile("^Next:")).count():
        page.get_by_role("link", name=re.compile("^Next:")).click()
        a11y.check(page)
    page.get_by_role("link", name="Go to the quiz").click()
    a11y.check(page)
    page.get_by_role("button", name="Start the quiz").click()
    a11y.check(page)

    for question in drawn_questions(_attempt(db, page)):
        _answer(page, question, correct=True)
    page.get_by_role("button", name="Submit answers").click()
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    page.get_by_role("link", name="Back to the course").click()
    a11y.check(page)
    page.get_by_role("link", name="View your certificate").click()
    a11y.check(page)
    assert page.locator(".certificate-name").inner_text() == "Grace Lowe"
    code = page.locator(".certificate-code strong").inner_text()

    # Anyone can check it without signing in.
    stranger = browser.new_context(base_url=live_server).new_page()
    stranger.goto(f"/verify/{code}")
    a11y.check(stranger)
    assert stranger.get_by_text("This certificate is genuine").is_visible()
    assert stranger.get_by_text("Grace Lowe").is_visible()
    stranger.context.close()
