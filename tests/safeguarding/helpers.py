"""Building safeguarding reports and real-shaped files for tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.db import utcnow
from elearn.safeguarding import services
from elearn.safeguarding.models import ContactDirection, PerpetratorKind, Report, ReportKind
from elearn.safeguarding.uploads import check_upload, uploads_dir


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small but genuine PNG (red pixels) that a browser can draw."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The start of a Windows program: "MZ" and the DOS stub message.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"This program cannot be run in DOS mode." * 4

DETAILS = {
    ReportKind.TELL: services.ReportInput(
        description="Someone in a game said mean things about me",
        where_online="a game",
        when_hint="yesterday",
    ),
    ReportKind.INAPPROPRIATE_CONTENT: services.ReportInput(
        description="Violent pictures appeared",
        site_address="bad.example.com",
        device_location="ICT suite computer 4",
    ),
    ReportKind.BLOCKED_ACCESS: services.ReportInput(
        description="Needed for the Year 6 river project",
        site_address="rivers.example.org",
    ),
    ReportKind.CONTACT_ATTEMPT: services.ReportInput(
        description="A friend request arrived",
        where_online="Facebook",
        direction=ContactDirection.TO_STAFF,
        other_party="A parent of Year 3",
    ),
    ReportKind.CYBERBULLYING: services.ReportInput(
        description="Unkind posts about a colleague",
        where_online="a group chat",
        person_affected="A teaching assistant",
        perpetrator_kind=PerpetratorKind.ADULT,
        occurred_at=utcnow(),
    ),
    ReportKind.PARENT_CONCERN: services.ReportInput(
        description="A man on a game keeps asking my son for photos",
        where_online="an online game",
        person_affected="My son in Year 5",
    ),
}


def file_report(
    session: Session,
    reporter: User,
    kind: ReportKind,
    data_dir: str | Path,
    *,
    with_file: bytes | None = None,
    file_name: str = "shot.png",
) -> Report:
    """Send a report as ``reporter`` through the service, committed."""
    files = []
    if with_file is not None:
        files.append(
            services.NewFile(
                upload=check_upload(file_name, with_file, max_bytes=8 * 1024 * 1024),
                captured_at=utcnow() if kind is ReportKind.CYBERBULLYING else None,
            )
        )
    report = services.submit_report(
        session,
        reporter=reporter,
        kind=kind,
        details=DETAILS[kind],
        files=files,
        files_dir=uploads_dir(data_dir),
        now=utcnow(),
    )
    session.commit()
    return report


def matrix_params(session: Session, users: dict[str, object], data_dir: str | Path) -> dict:
    """Sample ids for the route matrix: a pupil's report with a picture, a staff member's
    blocked-site request and website report."""
    tell = file_report(session, users["pupil"], ReportKind.TELL, data_dir, with_file=png_bytes())
    request = file_report(session, users["staff"], ReportKind.BLOCKED_ACCESS, data_dir)
    site = file_report(session, users["staff"], ReportKind.INAPPROPRIATE_CONTENT, data_dir)
    return {
        "report_id": tell.id,
        "attachment_id": tell.attachments[0].id,
        "request_id": request.id,
        "site_report_id": site.id,
    }
