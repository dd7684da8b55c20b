"""The documents other systems keep in the built-in LRS: state, activity and agent profiles.

A document is found by its key: its kind, the activity and/or agent it belongs to (the
agent by its inverse functional identifier), a state's registration, and its id. Documents
are kept as sent, bytes and content type; an ETag is the SHA-1 of the bytes.

Writes follow xAPI's rules:

* PUT replaces the document; POST merges a JSON object into a JSON object (the new
  document's top-level properties win) and stores a new document as PUT does. Merging
  anything that is not two JSON objects is a 400.
* ``If-Match`` (an ETag or ``*``) and ``If-None-Match`` (``*`` or ETags) are checked on PUT,
  POST and DELETE: 412 when they fail. The profile resources' PUT must send one of them (409
  if the document exists, else 400); so must a state PUT that would overwrite a document
  under xAPI 2.0 (409), while 1.0.3 lets state be overwritten freely.

The functions take a ``Session`` and plain values and commit nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elearn.xapi.lrs.refusals import Refused
from elearn.xapi.models import DocumentKind, LrsDocument

JSON_TYPE = "application/json"


class DocumentError(Refused):
    """The request cannot be carried out; ``status`` (400, 409, 412) and ``reason`` say why."""


@dataclass(frozen=True)
class Scope:
    """The documents of one kind that belong to one activity, agent and registration."""

    kind: DocumentKind
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def key(self, document_id: str) -> DocumentKey:
        return DocumentKey(self, document_id)


@dataclass(frozen=True)
class DocumentKey:
    scope: Scope
    document_id: str


@dataclass(frozen=True)
class Preconditions:
    """The request's ``If-Match`` and ``If-None-Match`` headers, as lists of ETags (or ``*``).

    ``None`` means the header was not sent.
    """

    if_match: tuple[str, ...] | None = None
    if_none_match: tuple[str, ...] | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON_TYPE


def _where(scope: Scope) -> list[Any]:
    return [
        LrsDocument.kind == scope.kind,
        LrsDocument.activity_id == scope.activity_id,
        LrsDocument.agent_key == scope.agent_key,
        LrsDocument.registration == scope.registration,
    ]


def get_document(
    session: Session, key: DocumentKey, *, for_update: bool = False
) -> LrsDocument | None:
    stmt = select(LrsDocument).where(*_where(key.scope), LrsDocument.document_id == key.document_id)
    if for_update:
        # PostgreSQL: two merges into one document wait for each other. SQLite's writers
        # already hold the database's write lock.
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def document_ids(session: Session, scope: Scope, *, since: datetime | None = None) -> list[str]:
    """The ids of the scope's documents (changed after ``since``, if given), oldest first."""
    stmt = select(LrsDocument.document_id).where(*_where(scope))
    if since is not None:
        stmt = stmt.where(LrsDocument.updated_at > since)
    return list(session.scalars(stmt.order_by(LrsDocument.updated_at, LrsDocument.id)))


class PutRule(StrEnum):
    """When a PUT must send ``If-Match`` or ``If-None-Match``."""

    NEVER = "never"
    # 409 if the document exists and neither header was sent.
    TO_OVERWRITE = "to_overwrite"
    # That, and 400 if the document does not exist yet and neither header was sent.
    ALWAYS = "always"


def check_preconditions(
    existing: LrsDocument | None, preconditions: Preconditions, *, rule: PutRule = PutRule.NEVER
) -> None:
    """412 if ``If-Match``/``If-None-Match`` fail; 409 or 400 if ``rule`` wants one of them
    and neither was sent."""
    current = existing.sha1 if existing is not None else None
    if preconditions.if_match is not None and (
        current is None
        or ("*" not in preconditions.if_match and current not in preconditions.if_match)
    ):
        raise DocumentError(
            412,
            "If-Match does not match the document's ETag"
            if current is not None
            else "If-Match was sent but there is no such document",
        )
    none_match = preconditions.if_none_match
    if (
        none_match is not None
        and current is not None
        and ("*" in none_match or current in none_match)
    ):
        raise DocumentError(412, "If-None-Match was sent and the document exists")
    if rule is PutRule.NEVER or preconditions.given:
        return
    if current is not None:
        raise DocumentError(
            409,
            "the document exists: send If-Match with its ETag to overwrite it, or "
            "If-None-Match: * to create it only if it does not exist",
        )
    if rule is PutRule.ALWAYS:
        raise DocumentError(
            400,
            "send If-None-Match: * to create this document (or If-Match with its ETag to "
            "overwrite it): this resource's documents are only changed with one of them",
        )


def put_document(
    session: Session,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    *,
    now: datetime,
    preconditions: Preconditions = Preconditions(),
    rule: PutRule = PutRule.NEVER,
) -> LrsDocument:
    """Store ``content`` as the document, replacing any document with this key."""
    existing = get_document(session, key, for_update=True)
    check_preconditions(existing, preconditions, rule=rule)
    return _save(session, key, existing, content, content_type, now)


def post_document(
    session: Session,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    *,
    now: datetime,
    preconditions: Preconditions = Preconditions(),
) -> LrsDocument:
    """Merge a JSON object into the document, or store it as new if there is none."""
    incoming = _json_object(content, content_type, "the posted document")
    existing = get_document(session, key, for_update=True)
    check_preconditions(existing, preconditions)
    if existing is None:
        return _save(session, key, None, content, content_type, now)
    if incoming is None:
        raise DocumentError(
            400,
            "a document can only be merged into a JSON document: the posted document is not "
            f"{JSON_TYPE} (PUT replaces a document of another type)",
        )
    stored = _json_object(existing.content, existing.content_type, "the stored document")
    if stored is None:
        raise DocumentError(
            400,
            f"the stored document is not {JSON_TYPE}, so nothing can be merged into it "
            "(PUT replaces it)",
        )
    merged = json.dumps({**stored, **incoming}, separators=(",", ":"), ensure_ascii=False)
    return _save(session, key, existing, merged.encode("utf-8"), existing.content_type, now)


def _json_object(content: bytes, content_type: str, what: str) -> dict[str, Any] | None:
    """The content as a JSON object; None if its type is not JSON; 400 if it is not an object."""
    if not is_json(content_type):
        return None
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise DocumentError(400, f"{what} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise DocumentError(400, f"{what} must be a JSON object to be merged")
    return value


def _save(
    session: Session,
    key: DocumentKey,
    existing: LrsDocument | None,
    content: bytes,
    content_type: str,
    now: datetime,
) -> LrsDocument:
    document = existing
    if document is None:
        document = LrsDocument(
            kind=key.scope.kind,
            activity_id=key.scope.activity_id,
            agent_key=key.scope.agent_key,
            registration=key.scope.registration,
            document_id=key.document_id,
        )
        session.add(document)
    document.content = content
    document.content_type = content_type
    document.sha1 = etag_of(content)
    document.updated_at = now
    session.flush()
    return document


def delete_document(
    session: Session, key: DocumentKey, *, preconditions: Preconditions = Preconditions()
) -> None:
    """Delete the document; deleting one that does not exist is fine (unless If-Match says)."""
    existing = get_document(session, key, for_update=True)
    check_preconditions(existing, preconditions)
    if existing is not None:
        session.delete(existing)
        session.flush()


def delete_documents(session: Session, scope: Scope) -> int:
    """Delete every document in the scope (the State resource's DELETE without a stateId)."""
    result = session.execute(delete(LrsDocument).where(*_where(scope)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
