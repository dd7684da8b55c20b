"""The picture a lesson declares in its front matter: that it exists, and that it is safe.

Illustrations are served from the course's own folder, on the site's own origin, so an SVG
is checked against a short list of drawing elements: nothing that runs (scripts, event
handlers), nothing fetched from elsewhere (external links, images, fonts) and no text, so
a picture never needs translating or reading aloud beyond its alt text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from elearn.catalog.errors import ContentError

MEDIA_FOLDER = "media"
PICTURE_TYPES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"})
MAX_BYTES = 200_000

SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "path", "circle", "ellipse", "rect", "line",
        "polyline", "polygon", "linearGradient", "radialGradient", "stop", "clipPath", "use",
    }
)  # fmt: skip
_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_illustration(folder: Path, target: str, rel: str, line: int) -> list[ContentError]:
    """Problems with the picture ``target`` (relative to the lesson's folder ``folder``)."""

    def error(message: str) -> list[ContentError]:
        return [ContentError(rel, line, message)]

    relative = Path(target)
    if relative.is_absolute() or "://" in target or relative.parts[:1] != (MEDIA_FOLDER,):
        return error(
            f"illustration '{target}' must be a file in the course's {MEDIA_FOLDER}/ folder, "
            f"e.g. {MEDIA_FOLDER}/picture.svg"
        )
    resolved = (folder / relative).resolve()
    if not resolved.is_relative_to((folder / MEDIA_FOLDER).resolve()):
        return error(f"illustration '{target}' is outside the course's {MEDIA_FOLDER}/ folder")
    if resolved.suffix.lower() not in PICTURE_TYPES:
        shown = ", ".join(sorted(PICTURE_TYPES))
        return error(f"illustration '{target}' is not a picture file ({shown})")
    if not resolved.is_file():
        return error(f"illustration '{target}' not found in the course's {MEDIA_FOLDER}/ folder")
    raw = resolved.read_bytes()
    if len(raw) > MAX_BYTES:
        return error(
            f"illustration '{target}' is {len(raw) // 1000} kB; keep pictures under "
            f"{MAX_BYTES // 1000} kB so lessons load quickly on a phone"
        )
    if resolved.suffix.lower() == ".svg":
        problem = svg_problem(raw)
        if problem is not None:
            return error(f"illustration '{target}': {problem}")
    return []


def svg_problem(raw: bytes) -> str | None:
    """Why this SVG may not be served, or None when it is plain drawing."""
    if _DECLARATIONS.search(raw):
        return "remove the <!DOCTYPE> or <!ENTITY> declaration; a drawing does not need one"
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        return f"not valid SVG ({exc})"
    if root.tag != f"{_SVG_NAMESPACE}svg":
        return 'the file must be an <svg xmlns="http://www.w3.org/2000/svg"> drawing'
    for element in root.iter():
        name = element.tag.removeprefix(_SVG_NAMESPACE)
        if name not in SVG_ELEMENTS:
            return (
                f"<{name}> is not allowed; use shapes only (no text, scripts, images or "
                "embedded content)"
            )
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on"):
                return f"the event handler {attribute}= is not allowed"
            if attribute in ("href", _XLINK_HREF) and not value.startswith("#"):
                return f"the link {value!r} is not allowed; only links inside the file (#id)"
            if _EXTERNAL_URL.search(value):
                return f"{attribute}= refers to something outside the file"
    return None
