"""A lesson's illustration: declared in front matter, found in media/, described, and safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearn.catalog.lessonfile import read_lesson_file

REL = "content/smart-ks2/01-safe.md"
DRAWING = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<rect width="10" height="10" fill="#e3effb"/><circle cx="5" cy="5" r="3" fill="#1d5fa8"/>'
    "</svg>"
)


def lesson_with(tmp_path: Path, front: str, svg: str | None = DRAWING) -> list[str]:
    folder = tmp_path / "content" / "smart-ks2"
    (folder / "media").mkdir(parents=True, exist_ok=True)
    if svg is not None:
        (folder / "media" / "safe.svg").write_text(svg)
    path = folder / "01-safe.md"
    path.write_text(f"---\ntitle: S is for Safe\nminutes: 3\n{front}---\nSome words.\n")
    lesson = read_lesson_file(path, REL)
    return [str(error) for error in lesson.errors]


def test_an_illustration_with_alt_text_and_a_letter_passes(tmp_path):
    front = "illustration: media/safe.svg\nillustration_alt: A padlock.\nsmart_letter: S\n"
    assert lesson_with(tmp_path, front) == []


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "illustration: media/safe.svg\n",
            f"{REL}:4: illustration: illustration_alt is missing",
        ),
        (
            "illustration_alt: A padlock.\n",
            f"{REL}:4: illustration_alt: illustration_alt describes a picture, but there is no",
        ),
        (
            "illustration: media/safe.svg\nillustration_alt: '  '\n",
            f"{REL}:5: illustration_alt: must not be empty",
        ),
        (
            "smart_letter: S\n",
            f"{REL}:4: smart_letter: a SMART lesson needs an illustration",
        ),
        (
            "illustration: media/safe.svg\nillustration_alt: A padlock.\nsmart_letter: X\n",
            f"{REL}:6: smart_letter: must be 'S', 'M', 'A', 'R' or 'T'",
        ),
        (
            "illustration: media/missing.svg\nillustration_alt: A padlock.\n",
            f"{REL}:4: illustration 'media/missing.svg' not found in the course's media/ folder",
        ),
        (
            "illustration: safe.svg\nillustration_alt: A padlock.\n",
            f"{REL}:4: illustration 'safe.svg' must be a file in the course's media/ folder",
        ),
        (
            "illustration: https://example.org/safe.svg\nillustration_alt: A padlock.\n",
            f"{REL}:4: illustration 'https://example.org/safe.svg' must be a file",
        ),
        (
            "illustration: media/../../smart-ks3/media/safe.svg\nillustration_alt: A padlock.\n",
            f"{REL}:4: illustration 'media/../../smart-ks3/media/safe.svg' is outside",
        ),
        (
            "illustration: media/notes.txt\nillustration_alt: A padlock.\n",
            f"{REL}:4: illustration 'media/notes.txt' is not a picture file",
        ),
    ],
)
def test_a_wrong_illustration_is_reported_at_its_line(tmp_path, front, expected):
    errors = lesson_with(tmp_path, front)

    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


@pytest.mark.parametrize(
    ("svg", "expected"),
    [
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "<script> is not allowed",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
            "the event handler onload= is not allowed",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            '<use x:href="https://example.org/sprite.svg#a"/></svg>',
            "the link 'https://example.org/sprite.svg#a' is not allowed",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://example.org/x)"/></svg>',
            "fill= refers to something outside the file",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><text>Hello</text></svg>',
            "<text> is not allowed",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
            "<foreignObject> is not allowed",
        ),
        (
            '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "remove the <!DOCTYPE> or <!ENTITY> declaration",
        ),
        ("<svg><rect/>", "not valid SVG"),
        ("<html xmlns='http://www.w3.org/1999/xhtml'/>", "the file must be an <svg"),
    ],
)
def test_an_svg_that_could_run_or_fetch_anything_is_refused(tmp_path, svg, expected):
    errors = lesson_with(tmp_path, "illustration: media/safe.svg\nillustration_alt: A lock.\n", svg)

    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{REL}:4: illustration 'media/safe.svg': {expected}"), errors


def test_the_shipped_smart_lessons_each_have_a_described_illustration():
    from elearn.catalog.loader import load_catalog

    catalog = load_catalog(Path(__file__).resolve().parents[2])
    for course_id in ("smart-ks2", "smart-ks3"):
        course = catalog.course(course_id)
        assert course is not None
        assert [lesson.smart_letter for lesson in course.lessons] == list("SMART")
        for lesson in course.lessons:
            assert lesson.illustration and lesson.illustration.endswith(".svg")
            assert lesson.illustration_alt and len(lesson.illustration_alt) > 20
