"""How the app speaks to a learner: a primary voice for Key Stage 2, an older one for Key Stage 3.

A Year 5 pupil wants "Brilliant, you passed!"; a Year 8 pupil finds that babyish. The key
stage comes from the course's audience (the year groups it is written for), so a teacher
never has to set it twice. Staff and parents keep the plain adult wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from elearn.auth.roles import Role
from elearn.catalog.model import Course

# England's key stages by school year (Year 1 is KS1, Years 10-11 KS4, 12-13 sixth form).
_KEY_STAGE_YEARS = {"ks1": range(1, 3), "ks2": range(3, 7), "ks3": range(7, 10)}
_OLDEST_PRIMARY_YEAR = 6


class Voice(StrEnum):
    """Who the words are written for."""

    PRIMARY = "primary"  # Key Stages 1 and 2: ages 5 to 11
    SECONDARY = "secondary"  # Key Stage 3 and up: ages 11 and over
    ADULT = "adult"  # staff, parents, leads and admins


@dataclass(frozen=True)
class Tone:
    """The greetings and feedback one voice uses; ``{name}`` is the reader's first name."""

    voice: Voice
    greeting: str
    welcome: str
    all_done: str
    course_done: str
    remember: str
    to_quiz: str
    right: str
    partly: str
    wrong: str
    passed: str
    not_passed: str
    finished: str
    badge_title: str
    badge_line: str

    def greet(self, name: str) -> str:
        return self.greeting.format(name=name)


TONES: dict[Voice, Tone] = {
    Voice.PRIMARY: Tone(
        voice=Voice.PRIMARY,
        greeting="Hello, {name}!",
        welcome="Welcome to your online safety lessons. Learn how to be SMART online.",
        all_done="You have finished all your lessons. Amazing!",
        course_done="Well done! You finished this course.",
        remember="Remember",
        to_quiz="Now try the quiz",
        right="Yes, well done!",
        partly="Nearly there!",
        wrong="Not quite, but good try!",
        passed="Brilliant, you passed!",
        not_passed="Good try!",
        finished="You have finished this course. Well done!",
        badge_title="You are SMART online!",
        badge_line="You learned all five SMART rules for staying safe online.",
    ),
    Voice.SECONDARY: Tone(
        voice=Voice.SECONDARY,
        greeting="Hi {name}",
        welcome="Your online safety lessons: the SMART rules for staying in control online.",
        all_done="You've completed all your lessons. Nice work.",
        course_done="Course complete. Nice work.",
        remember="Key points",
        to_quiz="Take the quiz",
        right="That's right.",
        partly="Partly right.",
        wrong="Not quite. Here's why.",
        passed="You passed.",
        not_passed="Not this time. Have another go.",
        finished="You've completed this course.",
        badge_title="SMART online: complete",
        badge_line="You've worked through all five SMART rules and passed the quiz.",
    ),
    Voice.ADULT: Tone(
        voice=Voice.ADULT,
        greeting="Welcome, {name}",
        welcome="Your online safety training.",
        all_done="You have completed all your courses.",
        course_done="Course complete",
        remember="Key points",
        to_quiz="Go to the quiz",
        right="Correct",
        partly="Partly correct",
        wrong="Not correct",
        passed="You passed",
        not_passed="Not passed this time",
        finished="You have completed this course.",
        badge_title="Course complete",
        badge_line="You have completed this course.",
    ),
}


def key_stage(course: Course) -> str | None:
    """``ks1``, ``ks2`` or ``ks3`` when every year group in the audience is in that key stage."""
    years = course.audience.year_groups or ()
    for stage, span in _KEY_STAGE_YEARS.items():
        if years and all(year in span for year in years):
            return stage
    return None


def voice_for(role: Role | str, year_group: int | None, course: Course | None = None) -> Voice:
    """The voice for this reader: by the course's key stage, else by the pupil's own year."""
    if Role(role) is not Role.PUPIL:
        return Voice.ADULT
    stage = key_stage(course) if course is not None else None
    if stage is not None:
        return Voice.PRIMARY if stage in ("ks1", "ks2") else Voice.SECONDARY
    if course is not None and course.audience.year_groups:
        youngest = min(course.audience.year_groups)
        return Voice.PRIMARY if youngest <= _OLDEST_PRIMARY_YEAR else Voice.SECONDARY
    if year_group is not None and year_group > _OLDEST_PRIMARY_YEAR:
        return Voice.SECONDARY
    return Voice.PRIMARY


def tone_for(role: Role | str, year_group: int | None, course: Course | None = None) -> Tone:
    """The words to use for this reader on this course's pages."""
    return TONES[voice_for(role, year_group, course)]
