"""Statements with their attachments' data: xAPI's ``multipart/mixed`` bodies, read and written.

A request's first part is the statement (or the list of them) as ``application/json``; every
other part is the data of one attachment, with ``Content-Type``, ``Content-Transfer-Encoding:
binary`` and ``X-Experience-API-Hash`` (the SHA-2 of the data, as in the attachment's
``sha2``). Parts are found by their delimiters (RFC 2046), so data may hold any bytes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

MIXED = "multipart/mixed"
HASH_HEADER = "X-Experience-API-Hash"
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
# Hex digits of each SHA-2 the attachment's sha2 may be.
_SHA2_BY_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


class MultipartError(ValueError):
    """The body is not a statement request in xAPI's multipart form; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AttachmentData:
    """One attachment's data, by the SHA-2 (lower-case hex) it was sent under."""

    sha2: str
    content_type: str
    content: bytes


def boundary_of(content_type: str) -> str:
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise MultipartError("a multipart/mixed body needs a boundary in its Content-Type")
    return match.group(1) or match.group(2)


def parse(body: bytes, content_type: str) -> tuple[bytes, dict[str, AttachmentData]]:
    """The statement part's JSON and the attachments' data by SHA-2; MultipartError if bad."""
    delimiter = b"\r\n--" + boundary_of(content_type).encode("latin-1")
    pieces = (b"\r\n" + body).split(delimiter)
    if len(pieces) < 3:
        raise MultipartError("the body does not hold the parts its boundary marks")
    if not pieces[-1].startswith(b"--"):
        raise MultipartError("the body does not end with its closing boundary")
    parts = [_part(piece) for piece in pieces[1:-1]]
    headers, statements = parts[0]
    if _media_type(headers.get("content-type", "")) != "application/json":
        raise MultipartError("the first part must be the statements, as application/json")
    attachments: dict[str, AttachmentData] = {}
    for number, (headers, content) in enumerate(parts[1:], start=2):
        if _media_type(headers.get("content-type", "")) == "application/json" and (
            HASH_HEADER.lower() not in headers
        ):
            raise MultipartError(
                f"part {number} looks like more statements: send every statement in the first part"
            )
        sha2 = headers.get(HASH_HEADER.lower(), "").strip().lower()
        if not sha2:
            raise MultipartError(f"part {number} has no {HASH_HEADER} header")
        if headers.get("content-transfer-encoding", "").strip().lower() != "binary":
            raise MultipartError(f"part {number} needs Content-Transfer-Encoding: binary")
        if sha2 not in _matching_digests(sha2, content):
            raise MultipartError(f"part {number}'s {HASH_HEADER} is not the SHA-2 of its data")
        attachments[sha2] = AttachmentData(sha2, headers.get("content-type", ""), content)
    return statements, attachments


def build(document: str, attachments: Iterable[AttachmentData]) -> tuple[bytes, str]:
    """A response body holding ``document`` (JSON) and then each attachment's data once, and
    its Content-Type."""
    boundary = "xapi-" + secrets.token_hex(16)
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), document.encode()]
    seen: set[str] = set()
    for attachment in attachments:
        if attachment.sha2 in seen:
            continue
        seen.add(attachment.sha2)
        chunks.append(
            (
                f"\r\n--{boundary}\r\nContent-Type: {attachment.content_type}\r\n"
                f"Content-Transfer-Encoding: binary\r\n{HASH_HEADER}: {attachment.sha2}\r\n\r\n"
            ).encode("latin-1")
        )
        chunks.append(attachment.content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    # Written without quotes: some clients split the header on "; boundary=" and nothing more.
    return b"".join(chunks), f"{MIXED}; boundary={boundary}"


def _part(piece: bytes) -> tuple[dict[str, str], bytes]:
    # After the delimiter: optional whitespace, CRLF, the headers, a blank line, the content.
    line_end = piece.find(b"\r\n")
    if line_end < 0 or piece[:line_end].strip():
        raise MultipartError("a part does not start on the line after its boundary")
    rest = piece[line_end + 2 :]
    if rest.startswith(b"\r\n"):  # no headers at all
        return {}, rest[2:]
    head, separator, content = rest.partition(b"\r\n\r\n")
    if not separator:
        if head.strip():
            raise MultipartError("a part's headers are not followed by a blank line")
        head, content = b"", b""
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n") if head else ():
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            raise MultipartError(f"a part has the malformed header line {line[:60]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers, content


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _matching_digests(sha2: str, content: bytes) -> set[str]:
    algorithm = _SHA2_BY_LENGTH.get(len(sha2))
    return {hashlib.new(algorithm, content).hexdigest()} if algorithm else set()
