"""What a quiz page shows of one question."""

from __future__ import annotations

import pytest

from elearn.catalog.gift import parse_gift
from elearn.quiz.draw import DrawnQuestion
from elearn.quiz.presentation import present


def _rendered(app, gift: str) -> str:
    questions, errors = parse_gift(gift, "t.gift")
    assert errors == []
    question = questions[0]
    drawn = DrawnQuestion(1, question, tuple(range(len(question.choices))), question.right_texts)
    with app.test_request_context():
        macro = app.jinja_env.get_template("quiz/_question.html").module.question_inputs
        return str(macro(present(drawn), {}))


@pytest.mark.parametrize(
    "gift",
    [
        "Phones are allowed in class {F} unless a teacher says so.",
        "A week has {#7} days.",
        "Match them {=cat -> meow =dog -> woof} before moving on.",
    ],
)
def test_text_after_the_answer_block_is_shown_for_every_kind(app, gift):
    html = _rendered(app, gift)
    assert gift.rsplit("}", 1)[1].strip() in html
