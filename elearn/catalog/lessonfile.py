"""One lesson file: its front matter, its Markdown body and the mistakes a reader would notice.

A lesson is ``content/<course>/<nn>-<slug>.md``: a ``---`` line, YAML front matter, another
``---`` line, then Markdown. Every line number reported is a line of the ``.md`` file itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from elearn.catalog.errors import ContentError
from elearn.catalog.illustration import check_illustration, svg_problem
from elearn.catalog.practise import split_practise
from elearn.catalog.schema import LessonFrontMatter
from elearn.catalog.yamlsource import YamlDocument, parse_yaml, validate

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_TOP_HEADING = re.compile(r"^\s{0,3}#(?!#)(\s|$)")
# Inline targets only, ![alt](target "title") and [text](target): reference-style links
# are rare in lessons and are still made safe when rendered.
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")


@dataclass(frozen=True)
class LessonFile:
    """A lesson file as read; ``front`` is None when the file has any error."""

    id: str
    path: str
    front: LessonFrontMatter | None
    body: str
    digest: str
    errors: tuple[ContentError, ...]


def read_lesson_file(path: Path, rel: str) -> LessonFile:
    """Read and check one lesson; ``rel`` is how errors name the file."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()

    def failed(*errors: ContentError) -> LessonFile:
        return LessonFile(path.stem, rel, None, "", digest, tuple(errors))

    text, decode_error = decode_utf8(raw, rel)
    if text is None:
        assert decode_error is not None
        return failed(decode_error)
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return failed(
            ContentError(
                rel,
                1,
                "missing front matter: a lesson starts with a '---' line, then title: "
                "and minutes:, then another '---' line",
            )
        )
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        return failed(
            ContentError(rel, 1, "front matter is never closed: add a '---' line after it")
        )

    errors: list[ContentError] = []
    front: LessonFrontMatter | None = None
    document, yaml_errors = parse_yaml("".join(lines[1:closing]), rel, offset=1)
    errors.extend(yaml_errors)
    if document is not None:
        if document.data is None:
            document = YamlDocument(data=None, node=None, path=rel, offset=1)
        front, schema_errors = validate(document, LessonFrontMatter, what="the front matter")
        errors.extend(schema_errors)
        if front is not None and front.illustration is not None:
            line = document.line(("illustration",))
            errors.extend(check_illustration(path.parent, front.illustration, rel, line))
    body = "".join(lines[closing + 1 :])
    errors.extend(_check_body(body, rel, closing + 2, path.parent))
    if errors:
        front = None
    return LessonFile(path.stem, rel, front, body, digest, tuple(errors))


def _check_body(body: str, rel: str, first_line: int, folder: Path) -> list[ContentError]:
    """Mistakes in a lesson's Markdown that would show badly or break for the reader."""
    if not body.strip():
        return [ContentError(rel, first_line - 1, "the lesson has no text after its front matter")]
    _segments, errors = split_practise(body, rel, first_line)
    fence: str | None = None
    for number, line in enumerate(body.splitlines(), start=first_line):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        if _TOP_HEADING.match(line):
            errors.append(
                ContentError(
                    rel,
                    number,
                    "use '##' for headings: the lesson title is already the page's main heading",
                )
            )
        for match in _IMAGE.finditer(line):
            alt, target = match.group(1), match.group(2)
            if not alt.strip():
                errors.append(
                    ContentError(
                        rel,
                        number,
                        f"image '{target}' has no alt text: describe it between the square "
                        "brackets for readers who cannot see it",
                    )
                )
            missing = _missing_target(rel, number, folder, target, "image")
            errors.extend(missing)
            if not missing and target.lower().endswith(".svg") and "://" not in target:
                errors.extend(_unsafe_svg(rel, number, folder, target))
        for match in _LINK.finditer(line):
            errors.extend(_missing_target(rel, number, folder, match.group(1), "linked file"))
    return errors


def _missing_target(
    rel: str, line: int, folder: Path, target: str, what: str
) -> list[ContentError]:
    parts = urlsplit(target)
    if not target or parts.scheme or parts.netloc or target.startswith(("/", "#", "?")):
        return []
    relative = unquote(parts.path)
    resolved = (folder / relative).resolve()
    if not resolved.is_relative_to(folder.resolve()):
        return [
            ContentError(
                rel,
                line,
                f"{what} '{target}' is outside the lesson's folder; put it beside the lesson",
            )
        ]
    if not resolved.is_file():
        return [ContentError(rel, line, f"{what} '{target}' not found beside the lesson")]
    return []


def _unsafe_svg(rel: str, line: int, folder: Path, target: str) -> list[ContentError]:
    problem = svg_problem((folder / unquote(urlsplit(target).path)).read_bytes())
    return [] if problem is None else [ContentError(rel, line, f"image '{target}': {problem}")]


def decode_utf8(raw: bytes, rel: str) -> tuple[str | None, ContentError | None]:
    """The text of a file, or the line where it stops being UTF-8."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, ContentError(rel, line, "not valid UTF-8 text: save the file as UTF-8")
