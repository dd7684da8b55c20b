"""Whether a typed short answer says what an accepted answer says.

Both sides are brought to one comparable form, so a question lists the answer once and
not every way of typing it:

* case, accents written as composed or separate characters, and spacing do not count;
* punctuation does not count ("headteacher." is "headteacher"), except a decimal point
  between digits, so "3.5" stays different from "35";
* apostrophes and hyphens do not count ("don't" is "dont", "e-mail" is "email"), nor do
  the spaces between words ("no one" is "noone");
* a leading "a", "an" or "the" does not count ("the head" is "head");
* words and phrases in ``SYNONYMS`` count as the same word wherever they appear.

An accepted answer with ``*`` (any run of characters; ``\\*`` is a literal star) is
compared with the same rules, except that articles and synonyms are left as written, since
a pattern's pieces need not be whole words.
"""

from __future__ import annotations

import re
import unicodedata

# Common names for the same role or thing in this trust's policy and lessons, and common
# spellings of the same word. Each key is the form compared; write variants in lower case.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "headteacher": (
        "head",
        "head teacher",
        "headteacher",
        "headmaster",
        "headmistress",
        "head master",
        "head mistress",
        "principal",
        "head of school",
    ),
    "ceo": ("ceo", "chief executive", "chief executive officer", "chief exec"),
    "dsl": (
        "dsl",
        "designated safeguarding lead",
        "designated safeguarding leader",
        "designated safeguarding officer",
        "safeguarding lead",
    ),
    "ddsl": ("ddsl", "deputy dsl", "deputy designated safeguarding lead"),
    "email": ("email", "e mail"),
    "online": ("online", "on line"),
    "cyberbullying": ("cyberbullying", "cyber bullying"),
    "username": ("username", "user name"),
    "organisation": ("organisation", "organization"),
    "behaviour": ("behaviour", "behavior"),
    "favourite": ("favourite", "favorite"),
    "recognise": ("recognise", "recognize"),
}

_ARTICLES = frozenset({"a", "an", "the"})
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_DECIMAL_POINT = re.compile(r"(?<=\d)[.,](?=\d)")
_KEEP_POINT = "\0"


def _words(text: str) -> list[str]:
    """Lower-case words with punctuation, apostrophes and hyphens taken out."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _DECIMAL_POINT.sub(lambda m: _KEEP_POINT if m.group(0) == "." else "", text)
    cleaned = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return cleaned.replace(_KEEP_POINT, ".").split()


def _phrase_table() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for key, variants in SYNONYMS.items():
        for variant in (key, *variants):
            table[tuple(_words(variant))] = key
    return table


_PHRASES = _phrase_table()
_LONGEST = max(len(phrase) for phrase in _PHRASES)


def _with_synonyms(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            key = _PHRASES.get(tuple(words[i : i + size]))
            if key is not None:
                out.append(key)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def comparable(text: str) -> str:
    """The form two answers are compared in: equal forms say the same thing."""
    words = _words(text)
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return "".join(_with_synonyms(words))


def _piece(text: str) -> str:
    """Compared form of text matched against a pattern: stars typed are kept as stars."""
    return "*".join("".join(_words(part)) for part in text.split("*"))


def _pattern(answer: str) -> re.Pattern[str]:
    parts = re.split(r"(\\\*|\*)", answer)
    body = "".join(
        ".*" if part == "*" else re.escape("*") if part == "\\*" else re.escape(_piece(part))
        for part in parts
    )
    return re.compile(body, re.DOTALL)


def text_matches(answer: str, typed: str) -> bool:
    """True when ``typed`` says what the accepted ``answer`` says."""
    if "*" in answer:
        return _pattern(answer).fullmatch(_piece(typed)) is not None
    return comparable(answer) == comparable(typed)
