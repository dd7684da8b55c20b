"""The five SMART letters: each rule's colour and icon, and which letters a pupil has lit.

A course is a SMART course when its lessons are marked ``smart_letter`` S, M, A, R and T in
that order. The same letter keeps the same colour and icon on the lesson page, the course
page, the pupil's home page and the completion badge, so a child can find "the blue S".
"""

from __future__ import annotations

from dataclasses import dataclass

from elearn.catalog.model import Course, Lesson
from elearn.catalog.schema import SMART_LETTERS
from elearn.learning.services import CourseProgress


@dataclass(frozen=True)
class SmartRule:
    """One letter of SMART: the word it stands for and its icon (SVG path data, 24x24)."""

    letter: str
    word: str
    icon: str

    @property
    def css_class(self) -> str:
        return f"smart-{self.letter.lower()}"


RULES: dict[str, SmartRule] = {
    rule.letter: rule
    for rule in (
        # A padlock.
        SmartRule("S", "Safe", "M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H6a1 "
                  "1 0 0 1-1-1v-9a1 1 0 0 1 1-1zm2 0h6V7a3 3 0 0 0-6 0z"),
        # Two people side by side.
        SmartRule("M", "Meeting", "M8 11a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7zm8 0a3.5 3.5 0 1 1 "
                  "0-7 3.5 3.5 0 0 1 0 7zM2 20c0-3.5 2.7-6 6-6s6 2.5 6 6zm12.5 0c0-2-.6-3.9-1.7-"
                  "5.3A6 6 0 0 1 22 20z"),
        # An envelope.
        SmartRule("A", "Accepting", "M3 6h18a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V7a1 "
                  "1 0 0 1 1-1zm1.4 2L12 13l7.6-5z"),
        # A magnifying glass.
        SmartRule("R", "Reliable", "M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 "
                  "10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z"),
        # A speech bubble.
        SmartRule("T", "Tell", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-"
                  "2V6a2 2 0 0 1 2-2z"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class LitLetter:
    """A letter on a pupil's SMART progress: lit once its lesson has been read."""

    rule: SmartRule
    lesson: Lesson
    lit: bool


def is_smart(course: Course) -> bool:
    """Whether the course teaches the five SMART rules, one lesson each, in order."""
    return tuple(lesson.smart_letter for lesson in course.lessons) == SMART_LETTERS


def rule_for(lesson: Lesson) -> SmartRule | None:
    """The SMART rule a lesson teaches, if it is one."""
    return RULES.get(lesson.smart_letter) if lesson.smart_letter else None


def lit_letters(progress: CourseProgress) -> list[LitLetter]:
    """The five letters of a SMART course with the ones read lit; empty for other courses."""
    if not is_smart(progress.course):
        return []
    return [
        LitLetter(RULES[state.lesson.smart_letter or ""], state.lesson, state.read)
        for state in progress.lessons
    ]
