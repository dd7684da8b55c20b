"""Read question banks written in Moodle's GIFT format.

``parse_gift`` never raises on bad input: it returns the questions it could read and one
``ContentError`` per problem, each on the line where the problem is. A question with an
error is left out of the result, so a broken question is never shown to a learner.

Where Moodle's own importer is loose, this parser is stricter in ways a teacher would
want to hear about before the bank goes live:

* a blank line always ends a question, so an answer block cut by a blank line is
  reported as an unclosed ``{`` (Moodle splits questions the same way);
* ``$CATEGORY:`` must stand in a block of its own: Moodle reads any lines after it in
  the same block as part of the category's name and imports no question from them;
* ``// [id:…]`` and ``// [tag:…]`` only count in comment lines directly above the
  question (no blank line between);
* weights must be one of the percentages Moodle's import accepts (100, 90, 83.33333, 80,
  75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111,
  10, 5, 0, or their negatives), otherwise Moodle would refuse the bank;
* matching needs at least 2 pairs (Moodle's importer takes 2; its docs suggest 3), and an
  empty left side (``= -> extra``) adds a wrong right-hand option;
* text after the answer block makes a missing-word question, which must be a single
  choice (``=`` and ``~``) or short answer (only ``=``); other types may not have it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

from elearn.catalog.errors import ContentError
from elearn.catalog.gift_model import (
    Answer,
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
from elearn.catalog.gift_reader import QuestionReader, Source, escape, unescape

__all__ = [
    "Answer",
    "Choice",
    "MatchPair",
    "MissingWordStyle",
    "NumericalAnswer",
    "Question",
    "QuestionType",
    "TextFormat",
    "TrueFalseAnswer",
    "escape",
    "format_number",
    "parse_gift",
    "unescape",
]

_ID_COMMENT = re.compile(r"\[id:([^\]]*)\]")
_TAG_COMMENT = re.compile(r"\[tag:([^\]]*)\]")
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_CATEGORY_CONTEXT = re.compile(r"\$(?:course|system|coursecategory|module)\$(?:/|$)")
_BAD_ID = (
    "question id '{}' must be 1-100 letters, digits, '.', '_' or '-', "
    "starting with a letter or digit"
)


def parse_gift(text: str, path: str) -> tuple[list[Question], list[ContentError]]:
    """Parse a GIFT bank; ``path`` only names the file in the errors."""
    errors: list[ContentError] = []
    drafts: list[_Draft] = []
    category = ""
    for block in _blocks(text):
        category, draft = _read_block(block, category, path, errors)
        if draft is not None:
            drafts.append(draft)
    return _assign_ids(drafts, path, errors), sorted(errors)


@dataclass
class _Draft:
    question: Question
    explicit_id: str | None
    id_line: int


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Yield runs of non-blank lines with their 1-based numbers."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _read_block(
    block: list[tuple[int, str]], category: str, path: str, errors: list[ContentError]
) -> tuple[str, _Draft | None]:
    """Apply comments and ``$CATEGORY:`` lines, then parse the question text, if any."""
    found: list[ContentError] = []
    explicit_id: str | None = None
    id_line = 0
    tags: list[str] = []
    body: list[tuple[int, str]] = []
    category_line = 0
    for number, line in block:
        stripped = line.strip()
        if stripped.startswith("//"):
            if not body:
                for raw_id in _ID_COMMENT.findall(stripped):
                    if explicit_id is not None:
                        found.append(
                            ContentError(path, number, "a question can have only one [id:…]")
                        )
                        continue
                    explicit_id, id_line = raw_id.strip(), number
                    if not _VALID_ID.fullmatch(explicit_id):
                        found.append(ContentError(path, number, _BAD_ID.format(explicit_id)))
                tags.extend(t.strip() for t in _TAG_COMMENT.findall(stripped) if t.strip())
        elif stripped.startswith("$CATEGORY:"):
            if body:
                found.append(ContentError(path, number, "$CATEGORY: must come before a question"))
            else:
                category = _category_name(stripped[len("$CATEGORY:") :])
                category_line = number
        else:
            if category_line and not body:
                found.append(
                    ContentError(
                        path,
                        number,
                        f"put a blank line between $CATEGORY: (line {category_line}) and this "
                        "question; Moodle reads lines below $CATEGORY: in the same block as "
                        "part of the category name and skips the question",
                    )
                )
            body.append((number, line))
    question = None
    if body:
        question = QuestionReader(Source.of(body), path, found).read(category, tuple(tags))
    errors.extend(found)
    if question is None or found:
        return category, None
    return category, _Draft(question, explicit_id, id_line)


def _category_name(raw: str) -> str:
    """Drop Moodle's context prefix so ``$course$/top/safety`` reads as ``safety``."""
    name = raw.strip()
    context = _CATEGORY_CONTEXT.match(name)
    if context:
        name = name[context.end() :]
        if name == "top" or name.startswith("top/"):
            name = name[4:]
    return name.strip().strip("/")


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80]


def _assign_ids(drafts: list[_Draft], path: str, errors: list[ContentError]) -> list[Question]:
    """Give every question its id; report explicit ids used twice, keeping the first."""
    taken: dict[str, int] = {}
    for draft in drafts:
        if draft.explicit_id is not None and draft.explicit_id not in taken:
            taken[draft.explicit_id] = draft.question.line
    questions: list[Question] = []
    for draft in drafts:
        line = draft.question.line
        if draft.explicit_id is not None:
            if taken[draft.explicit_id] != line:
                errors.append(
                    ContentError(
                        path,
                        draft.id_line,
                        f"duplicate question id '{draft.explicit_id}' "
                        f"(first used on line {taken[draft.explicit_id]})",
                    )
                )
                continue
            questions.append(replace(draft.question, id=draft.explicit_id, explicit_id=True))
            continue
        new_id = _slug(draft.question.title) or f"q{line}"
        if new_id in taken:
            new_id = f"{new_id}-{line}"
        taken[new_id] = line
        questions.append(replace(draft.question, id=new_id, explicit_id=False))
    return questions
