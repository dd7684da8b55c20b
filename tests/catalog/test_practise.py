"""Practise blocks in lessons: checked with file and line, rendered as choices that explain."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from elearn.catalog.lessonfile import read_lesson_file
from elearn.catalog.rendering import render_lesson_body

FRONT = "---\ntitle: S is for Safe\nminutes: 3\n---\n"  # the body starts on line 5

GOOD_BLOCK = """\
Read this first.

```practise
question: "**Sam is playing a game.** A player asks: what school do you go to?"
options:
  - answer: Tell them the name of the school.
    why: The name of your school is private.
  - answer: Not say, and tell a grown-up.
    right: true
    why: Keep your school's name to yourself.
```

The end.
"""


def write_lesson(folder: Path, body: str, front: str = FRONT) -> Path:
    path = folder / "content" / "smart-ks2" / "01-safe.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front + textwrap.dedent(body))
    return path


def errors_of(tmp_path: Path, body: str) -> list[str]:
    path = write_lesson(tmp_path, body)
    lesson = read_lesson_file(path, "content/smart-ks2/01-safe.md")
    return [str(error) for error in lesson.errors]


def test_a_good_practise_block_passes_the_check(tmp_path):
    assert errors_of(tmp_path, GOOD_BLOCK) == []


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            """\
            ```practise
            question: Which is right?
            options:
              - answer: This one
                why: Because.
              - answer: That one
                why: Because not.
            ```
            """,
            "content/smart-ks2/01-safe.md:7: options: no answer is marked right: add "
            "'right: true' to the answer that is right",
        ),
        (
            """\
            ```practise
            question: Which is right?
            options:
              - answer: Only one
                right: true
                why: Because.
            ```
            """,
            "content/smart-ks2/01-safe.md:7: options: a practise question needs at least 2 answers",
        ),
        (
            """\
            ```practise
            question: Which is right?
            options:
              - answer: This one
                right: true
                why: Because.
              - answer: That one
            ```
            """,
            "content/smart-ks2/01-safe.md:11: missing required key 'options[1].why'",
        ),
        (
            """\
            ```practise
            question: Which is right?
            options:
              - answer: This one
                right: yes please
                why: Because.
              - answer: That one
                why: Because not.
            ```
            """,
            "content/smart-ks2/01-safe.md:9: options[0].right: must be true or false "
            "(got 'yes please')",
        ),
        (
            """\
            ```practise
            question: [unclosed
            ```
            """,
            "content/smart-ks2/01-safe.md:7: YAML syntax error",
        ),
        (
            """\
            Some words.

            ```practise
            question: Which is right?
            """,
            "content/smart-ks2/01-safe.md:7: this practise block is never closed",
        ),
    ],
)
def test_a_broken_practise_block_is_reported_at_its_line(tmp_path, block, expected):
    errors = errors_of(tmp_path, block)

    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


def test_every_answer_needs_a_kind_why_and_different_words(tmp_path):
    errors = errors_of(
        tmp_path,
        """\
        ```practise
        question: Which is right?
        options:
          - answer: Same words
            right: true
            why: Because.
          - answer: same words
            why: Because not.
        ```
        """,
    )

    assert errors == ["content/smart-ks2/01-safe.md:7: options: two answers have the same words"]


def test_a_code_example_that_mentions_practise_is_left_alone(tmp_path):
    body = "````markdown\n```practise\nnot yaml: [\n```\n````\n"

    assert errors_of(tmp_path, body) == []
    assert "<section" not in render_lesson_body(body)


def test_the_answer_is_not_printed_under_the_question():
    html = render_lesson_body(GOOD_BLOCK)

    # Outside the answers there is the question, a hint and nothing that gives it away.
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "Sam is playing a game." in outside
    assert "private" not in outside and "Yes" not in outside and "Not quite" not in outside
    assert "<strong>Sam is playing a game.</strong>" in html
    assert "<p>Read this first.</p>" in html and "<p>The end.</p>" in html


def test_each_answer_opens_to_say_whether_it_was_right_and_why():
    html = render_lesson_body(GOOD_BLOCK)

    answers = re.findall(r"<details[^>]*>(.*?)</details>", html, flags=re.S)
    assert answers == [
        "<summary>Tell them the name of the school.</summary>"
        '<p class="practise-why"><strong>Not quite — </strong>'
        "The name of your school is private.</p>",
        "<summary>Not say, and tell a grown-up.</summary>"
        '<p class="practise-why"><strong>Yes — </strong>'
        "Keep your school&#x27;s name to yourself.</p>",
    ]
    assert 'aria-labelledby="practise-1"' in html and 'id="practise-1"' in html


def test_practise_text_cannot_smuggle_markup_into_the_page():
    body = """\
```practise
question: "<script>alert(1)</script> Pick <img src=x onerror=alert(2)>"
options:
  - answer: "<b onclick=alert(3)>Bold</b>"
    right: true
    why: "<a href='javascript:alert(4)'>why</a>"
  - answer: Other
    why: No.
```
"""
    html = render_lesson_body(body)

    # The question is cleaned like the rest of the lesson; answers and reasons are plain text.
    assert "<script" not in html and "onerror" not in html and "<b " not in html
    assert "<a " not in html
    assert "&lt;a href=&#x27;javascript:alert(4)&#x27;&gt;why&lt;/a&gt;" in html
    assert "&lt;b onclick=alert(3)&gt;Bold&lt;/b&gt;" in html


def test_two_blocks_are_numbered_so_their_headings_are_distinct():
    html = render_lesson_body(GOOD_BLOCK + "\n" + GOOD_BLOCK)

    assert html.count('class="practise"') == 2
    assert 'id="practise-1"' in html and 'id="practise-2"' in html


def test_every_shipped_smart_lesson_has_a_practise_activity():
    from elearn.catalog.loader import load_catalog

    catalog = load_catalog(Path(__file__).resolve().parents[2])
    for course_id in ("smart-ks2", "smart-ks3"):
        course = catalog.course(course_id)
        assert course is not None
        for lesson in course.lessons:
            html = render_lesson_body(lesson.body)
            assert 'class="practise"' in html, lesson.path
            assert 'practise-right"' in html and 'practise-wrong"' in html, lesson.path


def test_a_lets_practise_section_that_prints_the_answer_is_reported(tmp_path):
    body = """\
        ## Let's practise

        **Sam is playing a game.** What should Sam do?

        Sam should not say.

        ## Next part

        ```markdown
        ## Let's practise
        ```

        ## Let’s practise

        ```practise
        question: Which is right?
        options:
          - answer: This one
            right: true
            why: Because.
          - answer: That one
            why: Because not.
        ```
        """

    assert errors_of(tmp_path, body) == [
        "content/smart-ks2/01-safe.md:5: this 'Let's practise' section has no practise block: "
        "write each question as a ```practise block, so the pupil chooses an answer before "
        "seeing why"
    ]


def test_a_lets_practise_section_at_the_end_with_no_block_is_reported(tmp_path):
    errors = errors_of(tmp_path, "Words.\n\n### Let's practice!\n\nThe answer is no.\n")

    assert [error.split(": ", 1)[0] for error in errors] == ["content/smart-ks2/01-safe.md:7"]


def test_an_svg_drawn_into_the_markdown_is_checked_too(tmp_path):
    media = tmp_path / "content" / "smart-ks2" / "media"
    media.mkdir(parents=True)
    (media / "bad.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )

    errors = errors_of(tmp_path, "Words.\n\n![A lock](media/bad.svg)\n")

    assert errors == [
        "content/smart-ks2/01-safe.md:7: image 'media/bad.svg': <script> is not allowed; "
        "use shapes only (no text, scripts, images or embedded content)"
    ]


def test_lines_after_a_practise_block_are_still_counted_right(tmp_path):
    # GOOD_BLOCK is 13 lines from line 5, so the heading below it is on line 19.
    errors = errors_of(tmp_path, GOOD_BLOCK + "\n## Let's practise\n\nThe answer is no.\n")

    assert [error.split(": ", 1)[0] for error in errors] == ["content/smart-ks2/01-safe.md:19"]
