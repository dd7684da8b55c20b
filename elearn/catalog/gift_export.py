"""Write questions back out: as GIFT (reads back equal) and as Moodle XML for import.

``to_gift`` always writes ``// [id:…]`` so ids survive the round trip, starts a
``$CATEGORY:`` block whenever the category changes (``$course$/top`` to return to no
category), and writes every text on one line with GIFT escapes. GIFT has no escape for
``->`` or for a ``%`` opening an answer, so a choice whose text holds ``->`` or starts
with ``%`` cannot be written faithfully; the parser never produces such a choice.

``to_moodle_xml`` writes the ``<quiz>`` document Moodle's "Moodle XML" import reads.
Missing-word questions become multiple choice or short answer with ``_____`` in the
text, as Moodle's own GIFT import does. A numerical range ``1..5`` becomes its midpoint
with a tolerance (3 ± 2), which Moodle grades the same way. A question without a
category that follows categorised ones stays in the category before it, since Moodle has
no way to say "no category" mid-file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from elearn.catalog.gift_model import (
    Choice,
    MatchPair,
    MissingWordStyle,
    NumericalAnswer,
    Question,
    QuestionType,
    TextFormat,
    TrueFalseAnswer,
    format_number,
)
from elearn.catalog.gift_reader import escape

_FORMAT_TAGS = frozenset(f"[{f.value}]" for f in TextFormat)
_XML_FORMATS = {
    TextFormat.MOODLE: "moodle_auto_format",
    TextFormat.HTML: "html",
    TextFormat.PLAIN: "plain_text",
    TextFormat.MARKDOWN: "markdown",
}
_BLANK = "_____"
_TIGHT = frozenset(".,;:!?)…'’\"")
_TAGS = re.compile(r"<[^>]*>")
# Moodle names an untitled question by its text, shortened to about 80 characters.
_NAME_LENGTH = 80


def percent(fraction: float) -> str:
    """A fraction as Moodle writes weights: ``0.3333333`` -> ``33.33333``."""
    return format_number(round(fraction * 100, 5))


# --- GIFT -----------------------------------------------------------------------------


def to_gift(questions: Iterable[Question]) -> str:
    """GIFT text that ``parse_gift`` reads back to equal questions (line numbers aside)."""
    chunks: list[str] = []
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            chunks.append(f"$CATEGORY: {category or '$course$/top'}\n")
        chunks.append(_gift_question(question))
    return "\n".join(chunks)


def _gift_question(question: Question) -> str:
    comment = f"// [id:{question.id}]"
    comment += "".join(f" [tag:{tag}]" for tag in question.tags)
    text = escape(question.text)
    # An empty title "::::" stops text such as "// …" being read as a comment line.
    guard = text.startswith(("//", "$CATEGORY:"))
    head = f"::{escape(question.title)}::" if question.title or guard else ""
    if question.text_format is not TextFormat.MOODLE or _starts_with_tag(question.text):
        # A tag is needed to keep a literal "[html]" at the start from being read as one.
        head += f"[{question.text_format.value}]"
    if question.qtype is QuestionType.DESCRIPTION:
        return f"{comment}\n{head}{text}\n"
    block = _gift_block(question)
    gap = _gap(question.text_after)
    return f"{comment}\n{head}{text} {block}{gap}{escape(question.text_after)}\n"


def _gap(after: str) -> str:
    """Space before the text after a blank, except before punctuation ("_____.")."""
    return "" if not after or after[0] in _TIGHT else " "


def _starts_with_tag(text: str) -> bool:
    return any(text.lower().startswith(tag) for tag in _FORMAT_TAGS)


def _gift_block(question: Question) -> str:
    lines = _gift_answer_lines(question)
    general = f"####{escape(question.general_feedback)}" if question.general_feedback else ""
    if question.qtype in (QuestionType.ESSAY, QuestionType.TRUEFALSE):
        inner = "".join(lines)
        return "{" + inner + (" " if inner and general else "") + general + "}"
    body = [*lines, general] if general else lines
    if question.qtype is QuestionType.NUMERICAL:
        return "{#\n" + "".join(f"\t{line}\n" for line in body) + "}"
    return "{\n" + "".join(f"\t{line}\n" for line in body) + "}"


def _gift_answer_lines(question: Question) -> list[str]:
    if question.qtype is QuestionType.TRUEFALSE:
        answer = question.truefalse
        if answer is None:
            return []
        word = "TRUE" if answer.correct else "FALSE"
        if answer.feedback_right:
            return [f"{word}#{escape(answer.feedback_wrong)}#{escape(answer.feedback_right)}"]
        return [f"{word}#{escape(answer.feedback_wrong)}" if answer.feedback_wrong else word]
    if question.qtype is QuestionType.MATCHING:
        fmt = question.text_format
        return [
            f"={_gift_part(a.left, a.left_format, fmt)} -> {escape(a.right)}"
            for a in question.answers
            if isinstance(a, MatchPair)
        ]
    if question.qtype is QuestionType.NUMERICAL:
        return [_gift_number(a) for a in question.numerical_answers]
    single = question.qtype is QuestionType.MULTICHOICE or (
        question.missing_word_style is MissingWordStyle.CHOICE
    )
    typed = question.is_typed_text
    fmt = question.text_format
    return [_gift_choice(c, fmt, single=single, typed=typed) for c in question.choices]


def _gift_choice(choice: Choice, fmt: TextFormat, *, single: bool, typed: bool) -> str:
    if typed:
        marker = "=" if choice.fraction == 1 else f"=%{percent(choice.fraction)}%"
    elif single and choice.fraction == 1:
        marker = "="
    elif choice.fraction == 0:
        marker = "~"
    else:
        marker = f"~%{percent(choice.fraction)}%"
    feedback = choice.feedback and "#" + _gift_part(choice.feedback, choice.feedback_format, fmt)
    return f"{marker}{_gift_part(choice.text, choice.text_format, fmt)}{feedback}"


def _gift_part(text: str, text_format: TextFormat | None, question_format: TextFormat) -> str:
    """An answer or feedback with its own format tag; a literal "[html]" gets a guard tag."""
    if text_format is None and _starts_with_tag(text):
        text_format = question_format
    return (f"[{text_format.value}]" if text_format else "") + escape(text)


def _gift_number(answer: NumericalAnswer) -> str:
    feedback = f"#{escape(answer.feedback)}" if answer.feedback else ""
    if answer.is_catch_all:
        return f"~{_weight_unless(answer.fraction, 0)}{feedback or '#'}"
    if answer.minimum is not None and answer.maximum is not None:
        spec = f"{format_number(answer.minimum)}..{format_number(answer.maximum)}"
    else:
        spec = f"{format_number(answer.value or 0.0)}:{format_number(answer.tolerance)}"
    return f"={_weight_unless(answer.fraction, 1)}{spec}{feedback}"


def _weight_unless(fraction: float, default: float) -> str:
    return "" if fraction == default else f"%{percent(fraction)}%"


# --- Moodle XML -----------------------------------------------------------------------


def to_moodle_xml(questions: Iterable[Question], category: str | None = None) -> str:
    """A Moodle XML ``<quiz>``; ``category`` (if given) is a parent for every category."""
    quiz = ET.Element("quiz")
    current: str | None = None
    for question in questions:
        path = "/".join(part for part in (category or "", question.category) if part)
        if path != current:
            current = path
            if path:
                holder = ET.SubElement(quiz, "question", type="category")
                _text(ET.SubElement(holder, "category"), f"$course$/top/{path}")
        _xml_question(quiz, question)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _text(parent: ET.Element, value: str) -> ET.Element:
    ET.SubElement(parent, "text").text = value
    return parent


def _formatted(parent: ET.Element, tag: str, value: str, fmt: TextFormat) -> ET.Element:
    return _text(ET.SubElement(parent, tag, format=_XML_FORMATS[fmt]), value)


def _leaf(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _xml_type(question: Question) -> str:
    if question.qtype in (QuestionType.MULTICHOICE, QuestionType.MULTIRESPONSE):
        return "multichoice"
    if question.qtype is QuestionType.MISSINGWORD:
        return "multichoice" if question.is_choice else "shortanswer"
    return str(question.qtype)


def _xml_question(quiz: ET.Element, question: Question) -> None:
    fmt = question.text_format
    node = ET.SubElement(quiz, "question", type=_xml_type(question))
    text = question.text
    if question.text_after:
        before = f"{question.text} {_BLANK}".strip()
        text = before + _gap(question.text_after) + question.text_after
    _text(ET.SubElement(node, "name"), question.title or default_name(text) or question.id)
    _formatted(node, "questiontext", text, fmt)
    _formatted(node, "generalfeedback", question.general_feedback, fmt)
    _leaf(node, "defaultgrade", "0" if question.qtype is QuestionType.DESCRIPTION else "1")
    _leaf(node, "penalty", "1" if question.qtype is QuestionType.TRUEFALSE else "0.3333333")
    _leaf(node, "hidden", "0")
    _leaf(node, "idnumber", question.id)
    if question.is_choice:
        _leaf(node, "single", "false" if question.qtype is QuestionType.MULTIRESPONSE else "true")
        _leaf(node, "shuffleanswers", "true")
        _leaf(node, "answernumbering", "abc")
        for choice in question.choices:
            _xml_choice(node, choice, fmt)
    elif question.is_typed_text:
        _leaf(node, "usecase", "0")
        for choice in question.choices:
            _xml_choice(node, choice, fmt)
    elif question.qtype is QuestionType.TRUEFALSE:
        _xml_truefalse(node, question.truefalse, fmt)
    elif question.qtype is QuestionType.NUMERICAL:
        for number in question.numerical_answers:
            _xml_number(node, number, fmt)
    elif question.qtype is QuestionType.MATCHING:
        _leaf(node, "shuffleanswers", "true")
        for pair in question.answers:
            if isinstance(pair, MatchPair):
                sub = _formatted(node, "subquestion", pair.left, pair.left_format or fmt)
                _text(ET.SubElement(sub, "answer"), pair.right)
    elif question.qtype is QuestionType.ESSAY:
        for tag, value in (
            ("responseformat", "editor"),
            ("responserequired", "1"),
            ("responsefieldlines", "15"),
            ("attachments", "0"),
            ("attachmentsrequired", "0"),
        ):
            _leaf(node, tag, value)
        _formatted(node, "graderinfo", "", TextFormat.HTML)
        _formatted(node, "responsetemplate", "", TextFormat.HTML)
    if question.tags:
        tags = ET.SubElement(node, "tags")
        for tag in question.tags:
            _text(ET.SubElement(tags, "tag"), tag)


def default_name(text: str) -> str:
    """The name Moodle gives an untitled question: its text without markup, shortened."""
    plain = " ".join(_TAGS.sub(" ", text).split())
    if len(plain) <= _NAME_LENGTH:
        return plain
    cut = plain[: _NAME_LENGTH - 3]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "..."


def _xml_choice(node: ET.Element, choice: Choice, fmt: TextFormat) -> None:
    _xml_answer(
        node,
        choice.text,
        choice.fraction,
        choice.feedback,
        choice.text_format or fmt,
        choice.feedback_format or fmt,
    )


def _xml_answer(
    parent: ET.Element,
    text: str,
    fraction: float,
    feedback: str,
    fmt: TextFormat,
    feedback_fmt: TextFormat | None = None,
) -> ET.Element:
    answer = ET.SubElement(parent, "answer", fraction=percent(fraction), format=_XML_FORMATS[fmt])
    _text(answer, text)
    _formatted(answer, "feedback", feedback, feedback_fmt or fmt)
    return answer


def _xml_truefalse(node: ET.Element, answer: TrueFalseAnswer | None, fmt: TextFormat) -> None:
    if answer is None:
        return
    for value in (True, False):
        right = value == answer.correct
        feedback = answer.feedback_right if right else answer.feedback_wrong
        _xml_answer(node, "true" if value else "false", 1.0 if right else 0.0, feedback, fmt)


def _xml_number(node: ET.Element, number: NumericalAnswer, fmt: TextFormat) -> None:
    if number.is_catch_all:
        value, tolerance = "*", "0"
    elif number.minimum is not None and number.maximum is not None:
        middle = (number.minimum + number.maximum) / 2
        value, tolerance = format_number(middle), format_number(number.maximum - middle)
    else:
        value, tolerance = format_number(number.value or 0.0), format_number(number.tolerance)
    answer = _xml_answer(node, value, number.fraction, number.feedback, fmt)
    _leaf(answer, "tolerance", tolerance)
