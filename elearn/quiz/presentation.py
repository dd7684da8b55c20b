"""What a quiz page shows of a question: its text and options, never its answer key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from elearn.catalog.gift import Question, QuestionType, TextFormat
from elearn.catalog.rendering import render_markdown
from elearn.quiz.draw import DrawnQuestion, field_name


def question_html(text: str, text_format: TextFormat) -> Markup:
    """Question and feedback text, safe for the page whatever the author typed."""
    if text_format is TextFormat.PLAIN:
        return Markup("<p>") + escape(text).replace("\n", Markup("<br>")) + Markup("</p>")
    return Markup(render_markdown(text))


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class QuestionView:
    position: int
    field: str
    kind: str  # radio | checkbox | truefalse | text | number | matching | missingword
    text: Markup
    text_after: str
    options: tuple[Option, ...] = ()
    items: tuple[tuple[str, str], ...] = ()  # matching: (field name, left-hand text)


@dataclass(frozen=True)
class TickBoxReview:
    """Where a multiple-answer response fell short: right options left unticked, and
    options ticked that were not right, each in the order the learner saw them."""

    missed: tuple[str, ...]
    wrongly_ticked: tuple[str, ...]


def tick_box_review(drawn: DrawnQuestion, response: Any) -> TickBoxReview | None:
    """What a learner should look at again on a multiple-answer question (None if nothing)."""
    question = drawn.question
    if question.qtype is not QuestionType.MULTIRESPONSE or not isinstance(response, list):
        return None
    choices = question.choices
    ticked = {i for i in response if isinstance(i, int) and 0 <= i < len(choices)}
    shown = drawn.order or tuple(range(len(choices)))
    missed = tuple(choices[i].text for i in shown if choices[i].fraction > 0 and i not in ticked)
    wrong = tuple(choices[i].text for i in shown if choices[i].fraction <= 0 and i in ticked)
    if not missed and not wrong:
        return None
    return TickBoxReview(missed, wrong)


def present(drawn: DrawnQuestion) -> QuestionView:
    question: Question = drawn.question
    name = field_name(drawn.position)
    text = question_html(question.text, question.text_format)
    options = tuple(
        Option(str(display), question.choices[index].text)
        for display, index in enumerate(drawn.order)
    )
    kind = {
        QuestionType.MULTICHOICE: "radio",
        QuestionType.MULTIRESPONSE: "checkbox",
        QuestionType.TRUEFALSE: "truefalse",
        QuestionType.SHORTANSWER: "text",
        QuestionType.NUMERICAL: "number",
        QuestionType.MATCHING: "matching",
    }.get(question.qtype, "text")
    if question.qtype is QuestionType.MISSINGWORD:
        kind = "missingword-choice" if question.is_choice else "missingword-text"
    items: tuple[tuple[str, str], ...] = ()
    if question.qtype is QuestionType.MATCHING:
        items = tuple((f"{name}_m{i}", pair.left) for i, pair in enumerate(question.pairs))
        options = tuple(Option(right, right) for right in drawn.rights)
    return QuestionView(
        position=drawn.position,
        field=name,
        kind=kind,
        text=text,
        text_after=question.text_after,
        options=options,
        items=items,
    )
