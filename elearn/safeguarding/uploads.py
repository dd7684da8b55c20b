"""Checking and storing uploaded evidence files. No Flask here: bytes and paths in, facts out.

A file is accepted only when its first bytes say it is a PNG, JPEG, GIF, WebP or PDF; the
name it arrived with is never trusted for its type and never used on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Content type -> the file name endings that normally go with it.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}

TYPE_NAMES = "a picture (PNG, JPEG, GIF or WebP) or a PDF"

MAX_NAME_LENGTH = 120
_UNSAFE_CHARS = re.compile(r"[^\w.\- ()]+", re.UNICODE)


class UploadRefused(ValueError):
    """The file cannot be accepted; the message is written for the person who sent it."""


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check, ready to store."""

    original_name: str
    content_type: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def detect_type(head: bytes) -> str | None:
    """The content type that the file's leading bytes (its magic number) show, if allowed."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def human_size(size: int) -> str:
    """A byte count in the units people use: 8 MB, 500 KB."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def check_file_name(name: str) -> str:
    """A safe name to show for an uploaded file; names that try to reach other folders fail.

    Browsers send only a bare file name, so a name holding a folder separator or a ``..``
    part was made by hand to escape the upload folder: refuse it rather than guess.
    """
    raw = name or ""
    if "\x00" in raw or "/" in raw or "\\" in raw or raw.strip() in ("", ".", ".."):
        raise UploadRefused(
            "That file name is not allowed. Give the file a plain name (like "
            "screenshot.png) and choose it again."
        )
    shown = unicodedata.normalize("NFKC", raw)
    shown = "".join(ch for ch in shown if unicodedata.category(ch)[0] != "C")
    shown = _UNSAFE_CHARS.sub("_", shown).strip(" .") or "file"
    if len(shown) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(shown).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        shown = shown[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return shown


def check_upload(name: str, data: bytes, *, max_bytes: int) -> CheckedUpload:
    """Accept ``data`` as an evidence file, or raise UploadRefused with a clear reason."""
    shown = check_file_name(name)
    if len(data) > max_bytes:
        raise UploadRefused(
            f"The file {shown} is too big. Files can be up to {human_size(max_bytes)}. "
            "Try a smaller picture, or take a new screenshot."
        )
    if not data:
        raise UploadRefused(f"The file {shown} is empty. Choose the file again.")
    content_type = detect_type(data[:16])
    if content_type is None:
        raise UploadRefused(
            f"The file {shown} is not {TYPE_NAMES}. Only pictures and PDF files can be sent."
        )
    return CheckedUpload(
        original_name=shown,
        content_type=content_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def download_name(original_name: str, content_type: str) -> str:
    """The name to offer on download: the original, with an ending that matches its content."""
    endings = EXTENSIONS.get(content_type, ())
    if endings and not original_name.lower().endswith(endings):
        return f"{PurePosixPath(original_name).stem or 'file'}{endings[0]}"
    return original_name


def uploads_dir(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / "uploads"


def new_stored_name() -> str:
    """A random name with no link to the file's own name, so paths reveal nothing."""
    return secrets.token_hex(20)


def stored_path(directory: Path, stored_name: str) -> Path:
    """Where a stored file lives; refuses any name this module could not have made."""
    if not re.fullmatch(r"[0-9a-f]{40}", stored_name):
        raise ValueError("not a stored file name")
    return directory / stored_name[:2] / stored_name


def write_file(directory: Path, upload: CheckedUpload) -> str:
    """Write the bytes under a fresh random name and return that name."""
    stored = new_stored_name()
    path = stored_path(directory, stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside, then rename: a half-written file never appears under its final name.
    partial = path.with_suffix(".part")
    with open(partial, "xb") as handle:
        handle.write(upload.data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    return stored


def remove_file(directory: Path, stored_name: str) -> None:
    """Best-effort removal of a file whose database row never committed."""
    with contextlib.suppress(OSError, ValueError):
        stored_path(directory, stored_name).unlink(missing_ok=True)
