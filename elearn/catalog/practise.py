"""Practise activities in a lesson: a fenced ``practise`` block of YAML, checked and rendered.

A teacher writes::

    ```practise
    question: Sam is playing a game. A player asks what school Sam goes to. What should Sam do?
    options:
      - answer: Tell them, so they can be friends.
        why: The name of your school is private. It could help a stranger find you.
      - answer: Not say, and tell a grown-up.
        right: true
        why: Your school's name is private, so keep it to yourself.
    ```

The pupil sees the question and the answers; opening an answer says whether it was right
and why. The markup is built here from escaped text, never passed through the sanitiser as
raw HTML, and needs no script: each answer is a ``<details>`` element, which every browser
opens with a click, Enter or Space and which screen readers announce as expandable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictStr,
    StringConstraints,
    model_validator,
)

from elearn.catalog.errors import ContentError
from elearn.catalog.schema import content_error
from elearn.catalog.yamlsource import YamlDocument, parse_yaml, validate

FENCE_WORD = "practise"
MIN_ANSWERS = 2
MAX_ANSWERS = 5

_OPENING = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_PRACTISE_HEADING = re.compile(r"^let[’']?s practi[sc]e\W*$", re.IGNORECASE)

_Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PractiseAnswer(_Strict):
    """One answer the pupil may choose, whether it is right, and why."""

    answer: _Text
    right: StrictBool = False
    why: _Text


class PractiseSpec(_Strict):
    """The YAML inside a practise block."""

    question: _Text
    options: tuple[PractiseAnswer, ...]

    @model_validator(mode="after")
    def _right_and_wrong(self) -> Self:
        if len(self.options) < MIN_ANSWERS:
            raise content_error(
                f"a practise question needs at least {MIN_ANSWERS} answers to choose from",
                at="options",
            )
        if len(self.options) > MAX_ANSWERS:
            raise content_error(
                f"a practise question has at most {MAX_ANSWERS} answers to choose from "
                f"(this one has {len(self.options)})",
                at="options",
            )
        rights = sum(option.right for option in self.options)
        if rights == 0:
            raise content_error(
                "no answer is marked right: add 'right: true' to the answer that is right",
                at="options",
            )
        if rights == len(self.options):
            raise content_error(
                "every answer is marked right: give the pupil at least one answer that is not",
                at="options",
            )
        answers = [option.answer.casefold() for option in self.options]
        if len(set(answers)) != len(answers):
            raise content_error("two answers have the same words", at="options")
        return self


@dataclass(frozen=True)
class PractiseBlock:
    """A checked practise block and the line of the file its fence opens on."""

    spec: PractiseSpec
    line: int


Segment = str | PractiseBlock


def split_practise(
    body: str, rel: str, first_line: int
) -> tuple[list[Segment], list[ContentError]]:
    """The body as Markdown text between practise blocks, and what is wrong with the blocks.

    ``first_line`` is the file line the body starts on, so errors name lines of the file.
    A block with errors is left out of the segments (a lesson with errors is not served).
    """
    segments: list[Segment] = []
    errors: list[ContentError] = []
    text: list[str] = []
    # The "Let's practise" heading waiting for its first block: (line, level).
    waiting: tuple[int, int] | None = None
    line_number = first_line
    for item in _scan(body.splitlines(keepends=True), first_line):
        if isinstance(item, str):
            heading = _HEADING.match(item)
            if heading is not None:
                if waiting is not None and len(heading.group(1)) <= waiting[1]:
                    errors.append(_empty_section(rel, waiting[0]))
                    waiting = None
                if _PRACTISE_HEADING.match(heading.group(2)):
                    waiting = (line_number, len(heading.group(1)))
            text.append(item)
            line_number += len(item.splitlines())
            continue
        line, yaml_lines, closed = item
        line_number = line + 1 + len(yaml_lines) + (1 if closed else 0)
        waiting = None
        if not closed:
            errors.append(
                ContentError(
                    rel, line, "this practise block is never closed: end it with a ``` line"
                )
            )
            continue
        block, block_errors = _read_block(yaml_lines, rel, line)
        errors.extend(block_errors)
        if block is not None:
            segments.append("".join(text))
            text = []
            segments.append(block)
    segments.append("".join(text))
    if waiting is not None:
        errors.append(_empty_section(rel, waiting[0]))
    return [s for s in segments if not (isinstance(s, str) and not s)], errors


def _empty_section(rel: str, line: int) -> ContentError:
    return ContentError(
        rel,
        line,
        "this 'Let's practise' section has no practise block: write each question as a "
        "```practise block, so the pupil chooses an answer before seeing why",
    )


def _scan(lines: list[str], first_line: int) -> Iterator[str | tuple[int, list[str], bool]]:
    """Lines of Markdown, and (opening line, inner lines, closed?) for each practise block."""
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            yield lines[index]
            index += 1
            continue
        fence, word = opening.group(1), opening.group(2)
        end = next(
            (
                j
                for j in range(index + 1, len(lines))
                if (close := _OPENING.match(lines[j])) is not None
                and close.group(1)[0] == fence[0]
                and len(close.group(1)) >= len(fence)
                and not close.group(2)
            ),
            None,
        )
        if word != FENCE_WORD:
            # Other fenced code passes through whole, so nothing in it is read as a heading.
            stop = len(lines) if end is None else end + 1
            yield "".join(lines[index:stop])
            index = stop
            continue
        inner = lines[index + 1 : end] if end is not None else lines[index + 1 :]
        yield (first_line + index, inner, end is not None)
        index = len(lines) if end is None else end + 1


def _read_block(
    yaml_lines: list[str], rel: str, fence_line: int
) -> tuple[PractiseBlock | None, list[ContentError]]:
    document, errors = parse_yaml("".join(yaml_lines), rel, offset=fence_line)
    if document is None:
        return None, errors
    if document.data is None:
        document = YamlDocument(data=None, node=None, path=rel, offset=fence_line)
    spec, schema_errors = validate(document, PractiseSpec, what="a practise block")
    errors.extend(schema_errors)
    if spec is None or errors:
        return None, errors
    return PractiseBlock(spec, fence_line), []


def practise_html(block: PractiseBlock, number: int, question_html: str) -> str:
    """The markup for one practise activity; ``question_html`` is the sanitised question."""
    heading_id = f"practise-{number}"
    options = "".join(
        _option_html(option.answer, option.right, option.why) for option in block.spec.options
    )
    return (
        f'<section class="practise" aria-labelledby="{heading_id}">'
        f'<h3 class="practise-title" id="{heading_id}">Practise question {number}</h3>'
        f'<div class="practise-question">{question_html}</div>'
        '<p class="practise-hint">Choose an answer to find out if it is right.</p>'
        f'<ul class="practise-options">{options}</ul>'
        "</section>"
    )


def _option_html(answer: str, right: bool, why: str) -> str:
    verdict, kind = ("Yes", "right") if right else ("Not quite", "wrong")
    return (
        f'<li><details class="practise-option practise-{kind}">'
        f"<summary>{escape(answer)}</summary>"
        f'<p class="practise-why"><strong>{verdict} — </strong>{escape(why)}</p>'
        "</details></li>"
    )
