"""Lesson Markdown renders to HTML that keeps the lesson and drops anything that could run."""

from __future__ import annotations

import hashlib

import pytest

from elearn.catalog.model import Lesson
from elearn.catalog.rendering import clear_render_cache, render_lesson, render_markdown


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_render_cache()
    yield
    clear_render_cache()


def make_lesson(body: str, path: str = "content/smart-ks2/01-safe.md") -> Lesson:
    return Lesson(
        id="01-safe",
        course_id="smart-ks2",
        position=1,
        title="Keep safe",
        minutes=5,
        key_points=(),
        body=body,
        path=path,
        digest=hashlib.sha256(body.encode()).hexdigest(),
    )


# --- nothing can run ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "kept", "gone"),
    [
        ("Before <script>alert(1)</script> after", ["Before", "after"], ["<script", "alert(1)"]),
        ("Look <img src=x onerror=alert(1)> here", ["Look", "here"], ["onerror", "alert"]),
        ("[click me](javascript:alert(1))", ["click me"], ["javascript", "alert"]),
        ('<a href="JaVaScRiPt:alert(1)">shout</a>', ["shout"], ["javascript", "alert"]),
        ('<a href="&#106;avascript:alert(1)">encoded</a>', ["encoded"], ["avascript", "alert"]),
        ('<a href="data:text/html,<b>x</b>">data link</a>', ["data link"], ["data:"]),
        (
            '<iframe src="https://evil.example/"></iframe>Text stays',
            ["Text stays"],
            ["<iframe", "evil.example"],
        ),
        (
            '<object data="evil.swf"></object><embed src="evil.swf">ok',
            ["ok"],
            ["<object", "<embed", "evil"],
        ),
        (
            '<p style="position:fixed;top:0">Styled words</p>',
            ["Styled words"],
            ["style=", "position"],
        ),
        ("<style>body{display:none}</style>Visible", ["Visible"], ["<style", "display"]),
        ('<div onclick="steal()">Click area</div>', ["Click area"], ["onclick", "steal"]),
        ('<svg onload="alert(1)"><circle/></svg>Drawing', ["Drawing"], ["<svg", "onload"]),
        (
            '<form action="https://evil.example"><input name="pw"></form>Form text',
            ["Form text"],
            ["<form", "<input"],
        ),
        ("<!-- secret comment -->Said aloud", ["Said aloud"], ["secret comment"]),
    ],
)
def test_dangerous_markup_renders_inert(markdown, kept, gone) -> None:
    html = render_markdown(markdown)

    for text in kept:
        assert text in html
    for text in gone:
        assert text.lower() not in html.lower()


def test_no_event_handler_survives_anywhere() -> None:
    html = render_markdown(
        '<b onmouseover="x()">bold</b> <a href="https://ok.example" onfocus="y()">link</a> '
        '<table onload="z()"><tr><td onclick="w()">cell</td></tr></table>'
    )

    assert " on" not in html.replace("noopener", "")
    assert "bold" in html and "cell" in html


# --- normal lessons keep their shape ------------------------------------------------------


def test_normal_markdown_survives() -> None:
    html = render_markdown(
        "## Staying safe\n\n"
        "Some **bold** and *emphasised* words.\n\n"
        "- one\n- two\n\n"
        "1. first\n2. second\n\n"
        "> A quote\n\n"
        "| Rule | Meaning |\n|:-----|--------:|\n| S | Safe |\n\n"
        "```\ncode <kept as text>\n```\n"
    )

    assert "<h2>Staying safe</h2>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>emphasised</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<ol>" in html and "<li>second</li>" in html
    assert "<blockquote>" in html
    assert "<table>" in html and "<th" in html and "<td" in html and "Safe" in html
    assert 'align="right"' in html
    assert "<pre><code>code &lt;kept as text&gt;" in html


def test_safe_links_are_kept_and_external_ones_get_rel() -> None:
    html = render_markdown(
        "[Childline](https://www.childline.org.uk) [http](http://example.com) "
        "[write to us](mailto:office@example.org) [top](#top)"
    )

    assert '<a href="https://www.childline.org.uk" rel="noopener noreferrer">Childline</a>' in html
    assert 'href="http://example.com"' in html
    assert 'href="mailto:office@example.org"' in html
    assert 'href="#top"' in html


def test_images_keep_their_alt_text() -> None:
    html = render_markdown('![A padlock on a phone](https://cdn.example/lock.png "Locked")')

    assert 'alt="A padlock on a phone"' in html
    assert 'src="https://cdn.example/lock.png"' in html


def test_relative_images_and_links_get_the_media_prefix() -> None:
    html = render_markdown(
        "![A padlock](lock.png) ![Map](./pictures/map.png) [worksheet](sheet.pdf) "
        "[outside](https://example.com/x.png) [site page](/help) [section](#rules)",
        media_url="/media/smart-ks2/",
    )

    assert 'src="/media/smart-ks2/lock.png"' in html
    assert 'src="/media/smart-ks2/pictures/map.png"' in html
    assert 'href="/media/smart-ks2/sheet.pdf"' in html
    assert 'href="https://example.com/x.png"' in html
    assert 'href="/help"' in html
    assert 'href="#rules"' in html


def test_without_a_media_url_relative_targets_are_left_alone() -> None:
    html = render_markdown("![A padlock](lock.png)")

    assert 'src="lock.png"' in html


def test_media_prefix_cannot_smuggle_a_script_url() -> None:
    html = render_markdown("![x](javascript:alert(1))", media_url="/media/c")

    assert "javascript" not in html
    assert "/media/c" not in html


# --- caching per file version -------------------------------------------------------------


def test_same_file_version_returns_the_same_rendering() -> None:
    lesson = make_lesson("## Hello\n\nWorld\n")

    first = render_lesson(lesson, "/media/smart-ks2/")
    second = render_lesson(make_lesson("## Hello\n\nWorld\n"), "/media/smart-ks2/")

    assert "<h2>Hello</h2>" in first
    assert second is first


def test_a_new_digest_renders_again() -> None:
    before = render_lesson(make_lesson("## Old heading\n"), "/m/")
    after = render_lesson(make_lesson("## New heading\n"), "/m/")

    assert "Old heading" in before
    assert "New heading" in after
    assert after is not before


def test_cache_is_keyed_by_digest_not_body() -> None:
    lesson = make_lesson("## Original\n")
    render_lesson(lesson, "/m/")
    same_version = Lesson(**{**lesson.__dict__, "body": "## Edited in memory\n"})

    assert "Original" in render_lesson(same_version, "/m/")


def test_media_url_is_part_of_the_cache_key() -> None:
    lesson = make_lesson("![A padlock](lock.png)\n")

    one = render_lesson(lesson, "/media/a/")
    two = render_lesson(lesson, "/media/b/")

    assert 'src="/media/a/lock.png"' in one
    assert 'src="/media/b/lock.png"' in two
