"""Reading a lesson as prose: its sentences (with their lines) and a Flesch–Kincaid grade.

The grade is the US school grade a text reads at; a grade of 4 is roughly what a confident
reader of 9 to 10 reads without help, so KS2 lessons aim at 4 or below. Syllables are
counted by rule, not from a dictionary, which is close enough to steer an author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,}|:{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_MARKUP = re.compile(r"[*_`|]")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a lesson and the line (of the lesson's body) it starts on."""

    line: int
    text: str


@dataclass(frozen=True)
class Readability:
    """How hard a text is to read: its Flesch–Kincaid grade and what it was worked out from."""

    grade: float
    words: int
    sentences: int
    syllables: int


def _plain(line: str) -> str:
    line = _IMAGE.sub(" ", line)
    line = _LINK.sub(r"\1", line)
    line = _HTML_TAG.sub(" ", line)
    return _MARKUP.sub(" ", line)


def _blocks(body: str, first_line: int) -> list[list[tuple[int, str]]]:
    """Paragraphs, headings, list items and table rows, each a list of (line, plain text)."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    fence: str | None = None

    def close() -> None:
        nonlocal current
        if current:
            blocks.append(current)
        current = []

    for number, line in enumerate(body.splitlines(), start=first_line):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0]:
                fence = None
            continue
        if opening:
            close()
            fence = opening.group(1)
            continue
        if not line.strip() or _TABLE_RULE.match(line):
            close()
            continue
        line = _QUOTE.sub("", line)
        if line.lstrip().startswith("|"):
            close()
            # Each table cell reads as a phrase of its own.
            blocks.extend([(number, _plain(cell))] for cell in line.split("|") if cell.strip())
        elif _HEADING.match(line):
            close()
            blocks.append([(number, _plain(_HEADING.sub("", line)))])
        elif _LIST_ITEM.match(line):
            close()
            current.append((number, _plain(_LIST_ITEM.sub("", line))))
        else:
            current.append((number, _plain(line)))
    close()
    return blocks


def sentences(body: str, first_line: int = 1) -> list[Sentence]:
    """The sentences of a Markdown body; a heading, list item or paragraph end ends one too."""
    found: list[Sentence] = []
    for block in _blocks(body, first_line):
        text, starts = "", []
        for number, part in block:
            starts.append((len(text), number))
            text += part.strip() + " "
        begin = 0
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if not ends or text[ends[-1] :].strip():
            ends.append(len(text))
        for end in ends:
            piece = " ".join(text[begin:end].split())
            if _WORD.search(piece):
                line = next(n for offset, n in reversed(starts) if offset <= begin)
                found.append(Sentence(line, piece))
            begin = end
    return found


def syllables(word: str) -> int:
    """Syllables in one English word, by rule: vowel groups, less a silent final e."""
    word = word.lower().replace("’", "'").split("'")[0]
    if len(word) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(word))
    syllabic_le = word.endswith("le") and word[-3] not in "aeiouy"
    silent_e = word.endswith("e") and not word.endswith(("ee", "ye")) and not syllabic_le
    silent_ending = (
        word.endswith(("ed", "es"))
        and word[-3] not in "aeiouy"
        and not word.endswith(("ted", "ded", "ses", "zes", "ches"))
    )
    if count > 1 and (silent_e or silent_ending):
        count -= 1
    return max(count, 1)


def words(text: str) -> list[str]:
    """The words of a piece of plain text; numbers and symbols are not words."""
    return _WORD.findall(text)


def readability(body: str) -> Readability:
    """The Flesch–Kincaid grade of a Markdown body (0 for a body with no words)."""
    parts = sentences(body)
    all_words = [w for sentence in parts for w in words(sentence.text)]
    if not all_words:
        return Readability(0.0, 0, 0, 0)
    total = sum(syllables(w) for w in all_words)
    grade = 0.39 * len(all_words) / len(parts) + 11.8 * total / len(all_words) - 15.59
    return Readability(round(grade, 1), len(all_words), len(parts), total)
