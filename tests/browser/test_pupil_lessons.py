"""A pupil in a real browser: practise activities, pictures, read-aloud, the badge, a phone."""

import re

import pytest

from elearn.auth.roles import Role
from elearn.quiz.services import drawn_questions
from tests.browser.conftest import sign_in
from tests.browser.test_learning import _answer, _attempt

pytestmark = pytest.mark.browser

LESSON = "/learn/smart-ks2/01-safe"

# Headless Chromium may have no voices: record what the page asks of speech synthesis and
# speak nothing, so the test sees the calls and the button, not the sound.
RECORD_SPEECH = """
window.__speech = {spoken: [], cancels: 0};
const synth = window.speechSynthesis;
synth.speak = (utterance) => { window.__speech.spoken.push(utterance.text); };
synth.cancel = () => { window.__speech.cancels += 1; };
"""


@pytest.fixture
def pupil(make):
    return make.user(Role.PUPIL, make.academy(), display_name="Leo Hart", year_group=5)


def test_a_pupil_chooses_an_answer_and_sees_why(page, a11y, pupil):
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.goto(LESSON)
    a11y.check(page)

    activity = page.get_by_role("region", name="Practise question 1")
    assert activity.get_by_text("What school do you go to?").is_visible()
    wrong = activity.locator("details", has_text="Tell them. They seem friendly.")
    right = activity.locator("details", has_text="Not say, and keep playing")
    # Nothing under the question gives the answer away.
    assert activity.locator(".practise-why").count() == 3
    assert activity.locator(".practise-why:visible").count() == 0

    wrong.locator("summary").click()
    assert wrong.locator(".practise-why").is_visible()
    assert wrong.locator(".practise-why").inner_text().startswith("Not quite — ")
    assert "private" in wrong.locator(".practise-why").inner_text()
    a11y.check(page)

    # The keyboard works as well as the mouse.
    right.locator("summary").focus()
    page.keyboard.press("Enter")
    assert right.locator(".practise-why").inner_text().startswith("Yes — ")
    assert right.evaluate("el => el.open") is True


def test_the_lesson_picture_is_shown_with_its_description(page, a11y, pupil):
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.goto(LESSON)
    a11y.check(page)

    picture = page.get_by_role(
        "img", name="A child beside a laptop, thinking of a padlock that keeps private things safe."
    )
    assert picture.is_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")


def test_read_aloud_starts_and_stops_from_the_keyboard(page, a11y, pupil):
    page.context.add_init_script(RECORD_SPEECH)
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.goto(LESSON)
    a11y.check(page)

    button = page.get_by_role("button", name="Read this lesson aloud")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    stop = page.get_by_role("button", name="Stop reading aloud")
    assert stop.is_visible()
    spoken = page.evaluate("window.__speech.spoken")
    assert spoken[0] == "S is for Safe"
    assert "Some facts about you are private. They are like the key to your front door." in spoken
    # Closed answers are not read out; the choices are.
    assert "Tell them. They seem friendly." in spoken
    assert not any(text.startswith(("Yes —", "Not quite —")) for text in spoken)
    a11y.check(page)

    cancels = page.evaluate("window.__speech.cancels")
    page.keyboard.press("Space")
    assert page.get_by_role("button", name="Read this lesson aloud").is_visible()
    assert page.evaluate("window.__speech.cancels") == cancels + 1


def test_without_speech_synthesis_there_is_no_button(page, a11y, pupil):
    page.context.add_init_script("delete window.speechSynthesis;")
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.goto(LESSON)
    a11y.check(page)

    assert page.get_by_role("button", name="Read this lesson aloud").count() == 0
    assert page.get_by_role("region", name="Practise question 1").is_visible()


def test_a_pupil_finishes_the_course_and_prints_a_badge(page, a11y, pupil, db):
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    assert page.get_by_text("Your SMART letters: 0 of 5 lit").is_visible()
    page.goto("/learn/smart-ks2")
    a11y.check(page)
    page.get_by_role("link", name=re.compile("^Start:")).click()
    a11y.check(page)
    while page.get_by_role("link", name=re.compile("^Next:")).count():
        page.get_by_role("link", name=re.compile("^Next:")).click()
        a11y.check(page)
    page.get_by_role("link", name="Now try the quiz").click()
    a11y.check(page)
    page.get_by_role("button", name="Start the quiz").click()
    a11y.check(page)
    drawn = drawn_questions(_attempt(db, page))
    for number, question in enumerate(drawn, start=1):
        _answer(page, question, correct=True)
        page.get_by_role("button", name="Check my answer").click()
        a11y.check(page)
        page.get_by_role(
            "link", name="See how you did" if number == len(drawn) else "Next question"
        ).click()
        a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Brilliant, you passed!"

    page.get_by_role("link", name="Back to the course").click()
    a11y.check(page)
    assert page.get_by_text("Your SMART letters: 5 of 5 lit").is_visible()
    assert page.locator(".smart-letter.is-lit").count() == 5
    page.get_by_role("link", name="See and print your badge").click()
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "You are SMART online!"
    assert page.locator(".badge-name").inner_text() == "Leo"
    assert page.locator(".badge").get_by_text("Hart").count() == 0

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".badge-name").is_visible()
    page.emulate_media(media="screen")

    page.goto("/")
    a11y.check(page)
    assert page.get_by_text("Your SMART letters: 5 of 5 lit").is_visible()


def test_the_lesson_page_fits_a_phone(browser, live_server, a11y, pupil):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    phone = context.new_page()
    try:
        sign_in(phone, a11y, pupil.username)
        a11y.check(phone)
        phone.goto(LESSON)
        a11y.check(phone)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        picture = phone.locator(".lesson-illustration img").bounding_box()
        assert picture["x"] >= 0 and picture["x"] + picture["width"] <= 360
        summary = phone.locator(".practise-option summary").first.bounding_box()
        assert summary["height"] >= 44  # a finger-sized target (WCAG 2.5.8 asks for 24)
        for letter in phone.locator(".smart-badge").all():
            assert letter.bounding_box()["x"] + letter.bounding_box()["width"] <= 360
    finally:
        context.close()


def test_when_reading_ends_the_button_offers_to_read_again(page, a11y, pupil):
    page.context.add_init_script(
        "window.__utterances = [];"
        "window.speechSynthesis.speak = (u) => window.__utterances.push(u);"
        "window.speechSynthesis.cancel = () => {};"
    )
    sign_in(page, a11y, pupil.username)
    a11y.check(page)
    page.goto(LESSON)
    a11y.check(page)
    page.get_by_role("button", name="Read this lesson aloud").press("Enter")
    assert page.get_by_role("button", name="Stop reading aloud").is_visible()

    # The voice reaches the end of the last block.
    page.evaluate("window.__utterances.at(-1).onend()")

    assert page.get_by_role("button", name="Read this lesson aloud").is_visible()
    assert page.get_by_role("button", name="Stop reading aloud").count() == 0

    # Reading again: a late event from the first reading does not stop the second.
    first_reading = page.evaluate("window.__utterances.length")
    page.get_by_role("button", name="Read this lesson aloud").press("Space")
    page.evaluate(f"window.__utterances[{first_reading - 1}].onerror()")
    assert page.get_by_role("button", name="Stop reading aloud").is_visible()
    page.evaluate("window.__utterances.at(-1).onend()")
    assert page.get_by_role("button", name="Read this lesson aloud").is_visible()
