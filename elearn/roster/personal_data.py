"""Roster uploads a person made, and copies of their details in uploads, for subject access
and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.privacy.identifiers import identifiers_of, mentions, scrub
from elearn.privacy.registry import SectionGuide, register_eraser, register_exporter
from elearn.roster.models import RosterUpload


@register_exporter(
    "roster_uploads",
    tables=("roster_uploads",),
    guide=SectionGuide(
        "Roster uploads you made",
        "Files from the school's management information system (MIS) that you uploaded to "
        "create and update accounts (as an administrator). Their contents are deleted once "
        "applied or after a day; what they changed is kept.",
        {
            "uploaded_at": "When you uploaded them.",
            "file_names": "The names of the files.",
            "applied_at": "When you confirmed them (empty if never confirmed).",
            "contents_still_held": "true while the files' contents are still held, waiting "
            "for you to confirm them.",
            "summary": "How many academies, accounts and links the upload created, changed "
            "or removed (academies, created, updated, deactivated, links_added, "
            "links_removed, unchanged, errors).",
        },
    ),
)
def export_uploads(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(RosterUpload)
        .where(RosterUpload.uploaded_by_id == user_id)
        .order_by(RosterUpload.created_at, RosterUpload.id)
    )
    return [
        {
            "uploaded_at": row.created_at.isoformat(),
            "file_names": list(row.file_names or []),
            "applied_at": row.applied_at.isoformat() if row.applied_at else None,
            "contents_still_held": bool(row.contents),
            "summary": dict(row.summary or {}),
        }
        for row in rows
    ]


@register_eraser(tables=("roster_uploads",))
def erase_from_uploads(session: Session, user_id: int) -> None:
    """A roster waiting for confirmation that holds the person's details is forgotten, as
    a stale one would be (the administrator uploads it again); their name also goes from
    file names and summaries. Uploads they made stay, under their anonymised id."""
    user = session.get(User, user_id)
    assert user is not None
    terms = identifiers_of(user)
    found = session.scalars(
        select(RosterUpload).where(
            or_(
                mentions(RosterUpload.contents, terms, stored_as_json=True),
                mentions(RosterUpload.file_names, terms, stored_as_json=True),
                mentions(RosterUpload.summary, terms, stored_as_json=True),
            )
        )
    )
    for upload in found:
        if upload.contents and mentions_any(upload.contents, terms):
            upload.contents = {}
        upload.file_names = scrub(list(upload.file_names or []), terms)
        upload.summary = scrub(dict(upload.summary or {}), terms)


def mentions_any(value: Any, terms: tuple[str, ...]) -> bool:
    return scrub(value, terms) != value
