"""Form answers for a drawn attempt, worked out from its stored draw (as a pupil who knows)."""

from __future__ import annotations

from elearn.catalog.gift import QuestionType
from elearn.quiz.draw import DrawnQuestion, field_name


def form_for(drawn: DrawnQuestion, *, correct: bool) -> dict[str, list[str]]:
    question = drawn.question
    name = field_name(drawn.position)
    if question.is_choice:
        if question.qtype is QuestionType.MULTIRESPONSE:
            chosen = [i for i, c in enumerate(question.choices) if (c.fraction > 0) == correct]
            return {name: [str(drawn.order.index(i)) for i in chosen]}
        index = next(i for i, c in enumerate(question.choices) if (c.fraction >= 1) == correct)
        return {name: [str(drawn.order.index(index))]}
    if question.qtype is QuestionType.TRUEFALSE:
        value = question.truefalse.correct if correct else not question.truefalse.correct
        return {name: ["true" if value else "false"]}
    if question.qtype is QuestionType.MATCHING:
        rights = list(drawn.rights)
        answers = {}
        for i, pair in enumerate(question.pairs):
            wrong = next(r for r in rights if r != pair.right)
            answers[f"{name}_m{i}"] = [pair.right if correct else wrong]
        return answers
    if question.qtype is QuestionType.NUMERICAL:
        value = question.numerical_answers[0].value
        return {name: [str(value if correct else value + 1000)]}
    good = next(c.text for c in question.choices if c.fraction >= 1)
    return {name: [good if correct else "definitely not this"]}


def attempt_form(drawn_questions: list[DrawnQuestion], *, correct: bool | list[bool] = True):
    flags = correct if isinstance(correct, list) else [correct] * len(drawn_questions)
    form: dict[str, list[str]] = {}
    for drawn, flag in zip(drawn_questions, flags, strict=True):
        form.update(form_for(drawn, correct=flag))
    return form
