"""Lesson Markdown to HTML that is safe to put in a page.

Teachers write the lessons, but a lesson file is still input: it may be pasted from
anywhere, and raw HTML is legal Markdown. So Markdown is rendered first and the result is
then cleaned by ``nh3`` against an allow-list: only the tags and attributes a lesson needs,
only http, https and mailto links (plus relative ones), no scripts, styles, frames or event
handlers. Relative image and link targets are rewritten to ``media_url`` so pictures saved
beside a lesson resolve wherever the lesson is shown.

A lesson's practise blocks are not Markdown: :mod:`elearn.catalog.practise` builds their
markup from escaped text, and the Markdown between them is rendered and cleaned as usual.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import partial
from urllib.parse import urlsplit

import markdown
import nh3

from elearn.catalog.model import Lesson
from elearn.catalog.practise import PractiseBlock, practise_html, split_practise

_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.fenced_code",
    "markdown.extensions.sane_lists",
]
_EXTENSION_CONFIGS = {
    # Alignment as an attribute: inline styles are stripped by the sanitiser.
    "markdown.extensions.tables": {"use_align_attribute": True},
}

ALLOWED_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6",
        "p", "br", "hr", "blockquote", "pre", "code",
        "ul", "ol", "li", "dl", "dt", "dd",
        "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup", "small",
        "abbr", "kbd", "q", "cite",
        "a", "img", "figure", "figcaption",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"align", "scope", "colspan", "rowspan"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with everything inside them, not just unwrapped.
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
)
_URL_ATTRIBUTES = frozenset({"href", "src"})

_CACHE_SIZE = 512


def render_markdown(text: str, media_url: str = "") -> str:
    """Render Markdown to sanitised HTML; relative targets are placed under ``media_url``."""
    html = markdown.markdown(
        text, extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
    )
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=partial(_rewrite_attribute, media_url),
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_lesson_body(text: str, media_url: str = "") -> str:
    """A lesson's Markdown with its practise blocks made into activities, all safe HTML."""
    segments, _errors = split_practise(text, "", 1)  # a lesson with errors is never served
    parts: list[str] = []
    number = 0
    for segment in segments:
        if isinstance(segment, PractiseBlock):
            number += 1
            question = render_markdown(segment.spec.question, media_url)
            parts.append(practise_html(segment, number, question))
        else:
            parts.append(render_markdown(segment, media_url))
    return "".join(parts)


def _rewrite_attribute(media_url: str, tag: str, attribute: str, value: str) -> str | None:
    # nh3 has already dropped URLs with a disallowed scheme before this runs.
    del tag
    if attribute in _URL_ATTRIBUTES and media_url and _is_path_relative(value):
        return f"{media_url.rstrip('/')}/{value.removeprefix('./')}"
    return value


def _is_path_relative(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "#", "?")) or not url)


class _RenderCache:
    """A small thread-safe LRU of rendered lessons keyed by file version and media URL."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: tuple[str, str, str], body: str, media_url: str) -> str:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        html = render_lesson_body(body, media_url)
        with self._lock:
            # Another thread may have rendered it meanwhile; keep one object per key.
            html = self._items.setdefault(key, html)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _RenderCache(_CACHE_SIZE)


def render_lesson(lesson: Lesson, media_url: str = "") -> str:
    """A lesson as safe HTML, rendered once per file version (path + digest) and media URL."""
    return _cache.get_or_render((lesson.path, lesson.digest, media_url), lesson.body, media_url)


def clear_render_cache() -> None:
    """Forget every rendered lesson (for tests and after reloading content)."""
    _cache.clear()
