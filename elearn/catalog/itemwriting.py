"""Item-writing checks: questions a learner could pass without knowing the answer.

These are warnings rather than errors: the content still loads and can be served, but a
quiz whose right answer is always the longest option, or whose options are sentences
lifted from the lesson, measures test-wiseness, not understanding. ``elearn content check
--strict`` turns every warning into a failure, and the shipped content is held to that.

Each lesson also gets an informational reading grade; KS2 lessons warn above grade 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from elearn.auth.roles import Role
from elearn.catalog.gift import Question, QuestionType, parse_gift
from elearn.catalog.lessonfile import decode_utf8
from elearn.catalog.loader import QUIZZES, load_catalog
from elearn.catalog.model import Course, Lesson
from elearn.catalog.readability import readability, sentences, words

# A correct option that is the longest in more than this share of a bank's single-answer
# questions gives the answer away to anyone who has noticed the pattern.
LONGEST_SHARE = 1 / 3
TRUE_SHARE = 0.7
KS2_GRADE = 4.0
KS2_LAST_YEAR = 6
# Shorter runs of words ("tell a trusted adult") are fair to repeat; longer ones are copying.
COPIED_WORDS = 6
# A lesson "sentence" this short is usually a heading or a name ("The Tell a trusted adult
# button"), which an option may fairly contain.
WHOLE_SENTENCE_WORDS = 8
_NEGATIVES = frozenset(
    {"not", "never", "except", "cannot", "least", "none", "nor"}
    | {"don't", "doesn't", "isn't", "aren't", "shouldn't", "mustn't", "can't", "won't"}
)
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|<(strong|b|em)>(.+?)</\3>", re.IGNORECASE)
_STEM_SENTENCE = re.compile(r"[^.!?]*[.!?]*\s*$")
# Feedback that only says right or wrong ("No.", "Not quite.") explains nothing.
_VERDICT_ONLY = re.compile(
    r"^\s*(?:no|nope|wrong|incorrect|not quite|not so|not really|sorry)\W*$", re.IGNORECASE
)


@dataclass(frozen=True, order=True)
class ContentWarning:
    """An item-writing flaw; prints as ``file:line: warning: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


@dataclass(frozen=True)
class LessonGrade:
    """A lesson's reading grade, shown for information on every check."""

    path: str
    grade: float
    for_ks2: bool

    def __str__(self) -> str:
        aim = f" (KS2 aim: {KS2_GRADE:g} or below)" if self.for_ks2 else ""
        return f"{self.path}:1: reading grade {self.grade:.1f} (Flesch–Kincaid){aim}"


@dataclass(frozen=True)
class ItemWritingReport:
    warnings: tuple[ContentWarning, ...]
    grades: tuple[LessonGrade, ...]


def review_content(root: Path) -> ItemWritingReport:
    """Every item-writing warning and lesson reading grade for the content under ``root``.

    Banks are read directly, so one that no course uses yet is still checked; lesson
    copying is judged against the lessons of the courses that draw on the bank.
    """
    root = Path(root)
    catalog = load_catalog(root)
    warnings: list[ContentWarning] = []
    for path in sorted((root / QUIZZES).glob("*.gift")):
        rel = path.relative_to(root).as_posix()
        text, _ = decode_utf8(path.read_bytes(), rel)
        if text is None:
            continue
        questions, _ = parse_gift(text, rel)
        lessons = [
            lesson
            for course in catalog.courses
            if course.quiz is not None and course.quiz.bank == path.stem
            for lesson in course.lessons
        ]
        warnings.extend(review_bank(rel, questions, lessons, root))
    grades: list[LessonGrade] = []
    for course in catalog.courses:
        for_ks2 = _is_ks2(course)
        for lesson in course.lessons:
            grade = LessonGrade(lesson.path, readability(lesson.body).grade, for_ks2)
            grades.append(grade)
            if for_ks2 and grade.grade > KS2_GRADE:
                warnings.append(
                    ContentWarning(
                        lesson.path,
                        1,
                        f"reads at grade {grade.grade:.1f}, above {KS2_GRADE:g} for KS2 pupils: "
                        "use shorter sentences and shorter words",
                    )
                )
    return ItemWritingReport(tuple(sorted(set(warnings))), tuple(grades))


def review_bank(
    rel: str, questions: list[Question], lessons: list[Lesson], root: Path | None = None
) -> list[ContentWarning]:
    """The item-writing warnings for one bank, judged against the given lessons.

    With ``root`` (the content root) a copied sentence is located by its line in the file.
    """
    warnings: list[ContentWarning] = []
    warnings.extend(_longest_correct(rel, questions))
    warnings.extend(_true_share(rel, questions))
    lesson_text = _lesson_runs(lessons, root)
    for question in questions:

        def warn(message: str, q: Question = question) -> None:
            warnings.append(ContentWarning(rel, q.line, f"'{q.title or q.id}': {message}"))

        for message in _feedback_gaps(question):
            warn(message)
        negative = _unemphasised_negative(question.text)
        if negative:
            warn(
                f"the question turns on the negative '{negative}' without emphasis: "
                f"write **{negative}** (or ask the question the positive way)"
            )
        for shown, source in _copied(question, lesson_text):
            warn(f"{shown} repeats {source} word for word: put it in new words")
    return warnings


def _single_answer(question: Question) -> bool:
    return question.qtype is QuestionType.MULTICHOICE or (
        question.qtype is QuestionType.MISSINGWORD and question.is_choice
    )


def _uniquely_longest_correct(question: Question) -> bool:
    lengths = [(len(c.text.strip()), c.is_correct) for c in question.choices]
    longest = max(length for length, _ in lengths)
    at_longest = [correct for length, correct in lengths if length == longest]
    return at_longest == [True]


def _longest_correct(rel: str, questions: list[Question]) -> list[ContentWarning]:
    single = [q for q in questions if _single_answer(q) and len(q.choices) > 1]
    flagged = [q for q in single if _uniquely_longest_correct(q)]
    if not single or len(flagged) <= len(single) * LONGEST_SHARE:
        return []
    share = f"{len(flagged)} of {len(single)} single-answer questions"
    return [
        ContentWarning(
            rel,
            q.line,
            f"'{q.title or q.id}': the right answer is the longest option, as in {share} "
            "in this bank (at most a third should be): make the wrong options as full "
            "and as plausible as the right one",
        )
        for q in flagged
    ]


def _true_share(rel: str, questions: list[Question]) -> list[ContentWarning]:
    answers = [(q, q.truefalse) for q in questions if q.qtype is QuestionType.TRUEFALSE]
    trues = [q for q, answer in answers if answer is not None and answer.correct]
    if not answers or len(trues) <= len(answers) * TRUE_SHARE:
        return []
    return [
        ContentWarning(
            rel,
            answers[0][0].line,
            f"{len(trues)} of {len(answers)} true/false questions are True (more than "
            f"{TRUE_SHARE:.0%}): learners who always answer True pass; rewrite some as "
            "false statements of a real misconception",
        )
    ]


def _explains(feedback: str) -> bool:
    return bool(feedback.strip()) and not _VERDICT_ONLY.match(feedback)


def _feedback_gaps(question: Question) -> list[str]:
    if question.is_choice:
        wrong = [c for c in question.choices if c.fraction <= 0]
        return [
            f"the wrong option '{_short(c.text)}' has no feedback saying why it is wrong"
            for c in wrong
            if not _explains(c.feedback)
        ]
    if question.qtype is QuestionType.TRUEFALSE:
        answer = question.truefalse
        if answer is not None and not _explains(answer.feedback_wrong):
            return ["a wrong answer gets no feedback: write {T#why not#…} or {F#why not#…}"]
    if question.qtype is QuestionType.MATCHING and not question.general_feedback.strip():
        return ["a matching question needs #### feedback that explains each pair"]
    return []


def _unemphasised_negative(text: str) -> str:
    # Only the sentence that asks matters: "She did not reply. What now?" is not negative.
    asking = _STEM_SENTENCE.search(text.strip())
    sentence = asking.group(0) if asking else text
    emphasised = {w.lower() for m in _EMPHASIS.finditer(sentence) for w in words(m.group(0))}
    for word in words(sentence):
        lowered = word.lower().replace("’", "'")
        if lowered in _NEGATIVES and lowered not in emphasised:
            return word
    return ""


def _normalise(text: str) -> str:
    return " ".join(w.lower().replace("’", "'") for w in words(text))


def _lesson_runs(lessons: list[Lesson], root: Path | None) -> list[tuple[str, str]]:
    """Each lesson sentence, normalised, with where it is (``path:line``)."""
    runs: list[tuple[str, str]] = []
    for lesson in lessons:
        for sentence in sentences(lesson.body, _body_start(root, lesson)):
            runs.append((f" {_normalise(sentence.text)} ", f"{lesson.path}:{sentence.line}"))
    return runs


def _body_start(root: Path | None, lesson: Lesson) -> int:
    # Lines are counted in the .md file, so skip the front matter the body was cut from.
    if root is None:
        return 1
    text, _ = decode_utf8((root / lesson.path).read_bytes(), lesson.path)
    if text is None or not text.endswith(lesson.body):
        return 1
    return text[: len(text) - len(lesson.body)].count("\n") + 1


def _copied(question: Question, runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    if question.qtype is QuestionType.TRUEFALSE:
        shown.append(("the statement", question.text))
    elif question.is_choice:
        shown.extend((f"the option '{_short(c.text)}'", c.text) for c in question.choices)
    found = []
    for label, text in shown:
        normal = _normalise(text)
        if len(normal.split()) < COPIED_WORDS:
            continue
        padded = f" {normal} "
        for run, where in runs:
            whole_sentence = len(run.split()) >= WHOLE_SENTENCE_WORDS and run in padded
            if padded in run or whole_sentence:
                found.append((label, f"the lesson sentence at {where}"))
                break
    return found


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_ks2(course: Course) -> bool:
    years = course.audience.year_groups or ()
    return Role.PUPIL in course.audience.roles and bool(years) and max(years) <= KS2_LAST_YEAR
