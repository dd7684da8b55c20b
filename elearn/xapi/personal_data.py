"""What the statement store and LRS credentials hold about a person, for subject access and
erasure.

A person's statements are found by the account that stands for them (``account`` with
their opaque ``xapi_id``, on any home page) and by the ``user_id`` the store records, and
also by their e-mail address, which third-party content may use as the actor (``mbox``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from sqlalchemy import ColumnElement, delete, false, or_, select
from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.privacy.identifiers import identifiers_of, mentions, scrub
from elearn.privacy.registry import SectionGuide, iso, register_eraser, register_exporter
from elearn.xapi.builders.interactions import InteractionKind
from elearn.xapi.models import (
    LrsCredential,
    StatementAgent,
    StatementAttachment,
    StoredStatement,
)

_WORDED_INTERACTIONS = {InteractionKind.FILL_IN.value, InteractionKind.LONG_FILL_IN.value}


def _mbox_keys(user: User) -> list[str]:
    if not user.email:
        return []
    mbox = f"mailto:{user.email.strip().lower()}"
    return [f"mbox|{mbox}", f"mbox_sha1sum|{hashlib.sha1(mbox.encode()).hexdigest()}"]


def _account_key(column: Any, user: User) -> ColumnElement[bool]:
    return column.like(f"account|%|{user.xapi_id}", escape="\\")


def _is_theirs(user: User) -> ColumnElement[bool]:
    """Statements whose actor is this person."""
    mbox = _mbox_keys(user)
    return or_(
        StoredStatement.user_id == user.id,
        _account_key(StoredStatement.actor_key, user),
        StoredStatement.actor_key.in_(mbox) if mbox else false(),
    )


def _names_them(user: User) -> ColumnElement[bool]:
    """Agent index rows that stand for this person (as actor, object, instructor, member)."""
    mbox = _mbox_keys(user)
    return or_(
        _account_key(StatementAgent.agent_key, user),
        StatementAgent.agent_key.in_(mbox) if mbox else false(),
    )


STATEMENTS_GUIDE = SectionGuide(
    "Learning records (xAPI statements)",
    "Every learning event is written down as an xAPI statement, the e-learning standard's "
    "record: 'this person read this lesson', 'answered this question', 'passed this quiz'. "
    "In them you are not named: a code (your learning record id) stands for you.",
    {
        "statements": "The statements about what you did, oldest first.",
        "statement_id": "The statement's unique id.",
        "timestamp": "When it happened.",
        "stored_at": "When it was recorded.",
        "verb": "What happened, as the standard's web address for it: experienced (read a "
        "lesson), attempted (started a quiz), answered (a question), passed, failed, "
        "completed (a course) or voided (a statement withdrawn because it was wrong).",
        "activity": "The web address that stands for the lesson, quiz, question or course.",
        "registration": "The code of the course cycle it belongs to.",
        "voided": "true if the statement was later withdrawn as a mistake.",
        "sent_to_trust_lrs": "pending (waiting to be sent), delivered, dead (refused by the "
        "trust's external learning record store), or not_forwarded (sent to us by other "
        "software, so not ours to pass on).",
        "statement": "The whole statement exactly as stored, in the xAPI format.",
        "attachments": "Files sent with one of your statements by the software that recorded "
        "it (for example a certificate, or a digital signature proving who sent it). Files "
        "of statements that only mention you belong to someone else and are left out.",
        "sha2": "A fingerprint of the file's contents, which the statement uses to name it.",
        "content_type": "What kind of file it is, such as image/png or text/plain.",
        "content_base64": "The file itself, written out as text (base64); decode it to "
        "get the file back.",
        "mentioned_in": "Statements about someone else that mention you (for example as "
        "the instructor).",
    },
)


@register_exporter(
    "learning_record_statements",
    tables=(
        "xapi_statements",
        "xapi_statement_agents",
        "xapi_statement_activities",
        "xapi_statement_attachments",
    ),
    guide=STATEMENTS_GUIDE,
)
def export_statements(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    user = session.get(User, user_id)
    if user is None:
        return {"statements": [], "mentioned_in": []}
    own = session.scalars(
        select(StoredStatement).where(_is_theirs(user)).order_by(StoredStatement.seq)
    ).all()
    own_seqs = {row.seq for row in own}
    mentioned = session.scalars(
        select(StoredStatement)
        .where(
            StoredStatement.seq.in_(select(StatementAgent.seq).where(_names_them(user))),
        )
        .order_by(StoredStatement.seq)
    )
    # Files only from their own statements: one about someone else that names them (as the
    # instructor, say) may carry that other person's work.
    files = _attachments(session, [row.seq for row in own])
    return {
        "statements": [_statement(row, files) for row in own],
        "mentioned_in": [_statement(row, {}) for row in mentioned if row.seq not in own_seqs],
    }


def _attachments(session: Session, seqs: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The files sent with these statements, by statement."""
    files: dict[int, list[dict[str, Any]]] = {}
    a = StatementAttachment
    for start in range(0, len(seqs), 500):
        rows = session.execute(
            select(a.seq, a.sha2, a.content_type, a.content)
            .where(a.seq.in_(seqs[start : start + 500]))
            .order_by(a.seq, a.id)
        )
        for seq, sha2, content_type, content in rows:
            files.setdefault(seq, []).append(
                {
                    "sha2": sha2,
                    "content_type": content_type,
                    "content_base64": base64.b64encode(content).decode("ascii"),
                }
            )
    return files


def _statement(row: StoredStatement, files: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "statement_id": row.statement_id,
        "timestamp": iso(row.timestamp_at),
        "stored_at": iso(row.stored_at),
        "verb": row.verb_id,
        "activity": row.activity_id,
        "registration": row.registration,
        "voided": row.voided,
        "sent_to_trust_lrs": row.forward_state.value,
        "statement": row.payload,
        "attachments": files.get(row.seq, []),
    }


def _without_their_words(statement: dict[str, Any], terms: tuple[str, ...]) -> dict[str, Any]:
    actor = statement.get("actor")
    if isinstance(actor, dict):
        actor.pop("name", None)
    definition = (statement.get("object") or {}).get("definition") or {}
    result = statement.get("result")
    if definition.get("interactionType") in _WORDED_INTERACTIONS and isinstance(result, dict):
        result.pop("response", None)
    return scrub(statement, terms)


@register_eraser(
    tables=(
        "xapi_statements",
        "xapi_statement_agents",
        "xapi_statement_activities",
        "xapi_statement_attachments",
    )
)
def erase_statements(session: Session, user_id: int) -> None:
    """Statements stay under the opaque id (the numbers the dashboards and the trust's LRS
    count), without the person's own words: a typed answer's text goes, as does any name a
    third-party tool put in the actor, and every file sent with their statements (nobody can
    tell what a file says about them, so none is kept). Statements that use their e-mail
    address as the actor cannot be kept without it, so they go, with their index rows."""
    user = session.get(User, user_id)
    assert user is not None
    terms = identifiers_of(user)
    session.execute(
        delete(StatementAttachment).where(
            StatementAttachment.seq.in_(select(StoredStatement.seq).where(_is_theirs(user)))
        )
    )
    mbox = _mbox_keys(user)
    if mbox:
        by_email = select(StoredStatement.seq).where(StoredStatement.actor_key.in_(mbox))
        session.execute(delete(StatementAgent).where(StatementAgent.seq.in_(by_email)))
        session.execute(delete(StoredStatement).where(StoredStatement.actor_key.in_(mbox)))
        session.execute(delete(StatementAgent).where(StatementAgent.agent_key.in_(mbox)))
    rows = session.scalars(
        select(StoredStatement).where(
            or_(_is_theirs(user), mentions(StoredStatement.payload, terms))
        )
    )
    for row in rows:
        cleaned = _without_their_words(json.loads(row.payload), terms)
        text = json.dumps(cleaned, separators=(",", ":"), ensure_ascii=False)
        if text != row.payload:
            row.payload = text


@register_exporter(
    "lrs_credentials_issued",
    tables=("xapi_credentials",),
    guide=SectionGuide(
        "Learning record store passwords you issued",
        "Passwords you gave other software to send or read learning records (as an "
        "administrator). The password itself is never stored, only a scrambled form.",
        {
            "name": "The name you gave it, saying who or what uses it.",
            "key": "Its user name.",
            "can_read": "true if it may read statements.",
            "can_write": "true if it may send statements.",
            "issued_at": "When you issued it.",
            "revoked_at": "When it was withdrawn (empty if still in use).",
        },
    ),
)
def export_credentials(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(LrsCredential)
        .where(LrsCredential.issued_by_id == user_id)
        .order_by(LrsCredential.created_at, LrsCredential.id)
    )
    return [
        {
            "name": row.name,
            "key": row.key,
            "can_read": row.can_read,
            "can_write": row.can_write,
            "issued_at": iso(row.created_at),
            "revoked_at": iso(row.revoked_at),
        }
        for row in rows
    ]


@register_eraser(tables=("xapi_credentials",))
def erase_from_credential_names(session: Session, user_id: int) -> None:
    """A credential's name is free text ("Ruby's tablet"): the person's name goes from it."""
    user = session.get(User, user_id)
    assert user is not None
    terms = identifiers_of(user)
    for row in session.scalars(select(LrsCredential).where(mentions(LrsCredential.name, terms))):
        row.name = scrub(row.name, terms)
