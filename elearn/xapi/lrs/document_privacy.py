"""What the LRS's documents hold about a person, for subject access and erasure.

State and Agent Profile documents belong to an agent: the person's documents are those
kept under the account that stands for them (their opaque ``xapi_id``, on any home page) or
under their e-mail address. What other software keeps there is free-form (progress, notes,
preferences), so erasure deletes the documents rather than guessing what in them is theirs.
Activity Profile documents belong to an activity, not a person.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import ColumnElement, delete, false, or_, select
from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.privacy.identifiers import identifiers_of, scrub, scrub_text
from elearn.privacy.registry import SectionGuide, register_eraser, register_exporter
from elearn.xapi.lrs.documents import etag_of, is_json
from elearn.xapi.models import LrsDocument
from elearn.xapi.personal_data import _account_key, _mbox_keys

_TEXT_TYPES = ("text/", "application/json")

DOCUMENTS_GUIDE = SectionGuide(
    "Learning software's notes (xAPI documents)",
    "Learning software that sends learning records may also keep notes about you in "
    "elearn's learning record store: where you got to in an activity, your settings, and "
    "the like. The software decides what they hold.",
    {
        "kind": "state (notes about you in one activity), or agent_profile (notes about you "
        "that are not tied to one activity).",
        "activity": "The web address that stands for the activity the notes are about (empty "
        "for agent_profile).",
        "registration": "The code of the course attempt the notes belong to, if any.",
        "document_id": "The name the software gave the notes.",
        "content_type": "What kind of data the notes are (for example application/json).",
        "updated_at": "When they last changed.",
        "content": "The notes themselves, as text.",
        "content_base64": "The notes themselves, when they are not text (a file, a picture), "
        "in base64, a way of writing any data as letters and digits.",
    },
)


def _theirs(user: User) -> ColumnElement[bool]:
    mbox = _mbox_keys(user)
    return or_(
        _account_key(LrsDocument.agent_key, user),
        LrsDocument.agent_key.in_(mbox) if mbox else false(),
    )


@register_exporter("learning_software_notes", tables=("xapi_documents",), guide=DOCUMENTS_GUIDE)
def export_documents(session: Session, user_id: int) -> list[dict[str, Any]]:
    user = session.get(User, user_id)
    if user is None:
        return []
    rows = session.scalars(
        select(LrsDocument).where(_theirs(user)).order_by(LrsDocument.updated_at, LrsDocument.id)
    )
    return [_document(row) for row in rows]


def _document(row: LrsDocument) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "kind": row.kind.value,
        "activity": row.activity_id,
        "registration": row.registration or None,
        "document_id": row.document_id,
        "content_type": row.content_type,
        "updated_at": row.updated_at.isoformat(),
    }
    if row.content_type.lower().startswith(_TEXT_TYPES):
        try:
            exported["content"] = row.content.decode("utf-8")
            return exported
        except UnicodeDecodeError:
            pass
    exported["content_base64"] = base64.b64encode(row.content).decode("ascii")
    return exported


@register_eraser(tables=("xapi_documents",))
def erase_documents(session: Session, user_id: int) -> None:
    """The person's own documents go; other text documents that name them (a teacher's tool
    keeping notes about its class) lose the name, username and e-mail address."""
    user = session.get(User, user_id)
    assert user is not None
    session.execute(delete(LrsDocument).where(_theirs(user)))
    terms = identifiers_of(user)
    if not terms:
        return
    # Binary documents cannot be searched for words; text ones are read in batches, as an
    # erasure is rare and the documents of a whole trust need not fit in memory at once.
    text_documents = (
        select(LrsDocument)
        .where(or_(*(LrsDocument.content_type.startswith(kind) for kind in _TEXT_TYPES)))
        .execution_options(yield_per=500)
    )
    for row in session.scalars(text_documents):
        cleaned = _without(row, terms)
        if cleaned is not None:
            row.content = cleaned
            row.sha1 = etag_of(cleaned)


def _without(row: LrsDocument, terms: tuple[str, ...]) -> bytes | None:
    """The document's content without the terms, or None if it does not contain them."""
    try:
        text = row.content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not is_json(row.content_type):
        cleaned = scrub_text(text, terms)
        return cleaned.encode("utf-8") if cleaned != text else None
    try:
        value = json.loads(text)
    except ValueError:
        # Stored as JSON but not JSON (PUT does not check): treat it as text.
        cleaned = scrub_text(text, terms)
        return cleaned.encode("utf-8") if cleaned != text else None
    scrubbed = scrub(value, terms)
    if scrubbed == value:
        return None
    return json.dumps(scrubbed, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
