"""Storing statements sent to the built-in LRS (POST and PUT /xapi/statements).

:func:`store_statements` checks a whole request before storing anything, so a request is
either stored completely or not at all:

1. every statement is validated (400 with the validator's reason, naming the statement);
2. statements without an id get a random (version 4) UUID; a PUT's ``statementId`` must match
   the statement's own id when it has one;
3. two statements in the request with one id are a 400 in xAPI 2.0; in 1.0.x they are fine
   when they are the same statement (stored once) and a 400 when they differ;
4. an id the store already holds is a no-op when the statement is the same (xAPI's comparison
   rules) and a 409 Conflict for the whole request when it differs;
5. a statement voiding a voiding statement is a 400. As the spec asks, a voiding statement
   whose target is unknown is stored anyway (the target is voided if it arrives later).

Attachments: each needs a ``fileUrl`` or its data sent with the request (a multipart/mixed
part under its ``sha2``), and every part sent must be an attachment of one of the
statements. A signature attachment (a JWS, see :mod:`elearn.xapi.signatures`) must be
``application/octet-stream``, sent as data, and sign the statement it is attached to.

The LRS sets ``stored`` and ``authority`` (the credential that sent it, as an Agent with an
account on this site), and stores a single context activity (the 0.95 form) as a list of one,
which is how every reader gets it back. Statements received here are stored as sent otherwise,
and are *not*
forwarded to the external LRS: they came from another system, which is responsible for them;
elearn forwards only the statements it records itself.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.auth.models import User
from elearn.xapi.lrs.multipart import AttachmentData
from elearn.xapi.lrs.refusals import Refused
from elearn.xapi.lrs.store import VOIDED_VERB, record_statements
from elearn.xapi.models import StoredStatement
from elearn.xapi.signatures import (
    SIGNATURE_CONTENT_TYPE,
    SignatureInvalid,
    check_signature,
    is_signature,
)
from elearn.xapi.validation import StatementInvalid, statements_equivalent, validate_statement

# Keep IN lists well inside every database's limit on bound parameters.
_CHUNK = 500


class IngestError(Refused):
    """The request cannot be stored; ``status`` is 400 or 409 and ``reason`` says why."""


def authority_for(site: str, credential_key: str) -> dict[str, Any]:
    """The authority recorded on statements sent with a credential."""
    return {"objectType": "Agent", "account": {"homePage": site, "name": credential_key}}


@dataclass(frozen=True)
class CheckedRequest:
    """A request's statements, validated and given ids, before the database is consulted."""

    ids: list[str]  # every statement's id, in request order
    unique: dict[str, dict[str, Any]]  # one statement per id
    labels: dict[str, str]  # how errors name the statement with each id
    # The data sent for each statement's attachments, by statement id.
    attachment_data: dict[str, list[AttachmentData]] = field(default_factory=dict)


def check_statements(
    statements: Sequence[Any],
    *,
    statement_id: str | None = None,
    version: str = "1.0.3",
    data: Mapping[str, AttachmentData] | None = None,
) -> CheckedRequest:
    """Steps 1 to 3, which need no database: run them before taking SQLite's write lock.

    ``statement_id`` is a PUT's ``statementId`` (the request then holds one statement);
    ``version`` is the xAPI version the request was sent in; ``data`` the attachments' data
    sent with it, by SHA-2. Raises IngestError (400).
    """
    batch = len(statements) > 1
    data = data or {}
    prepared = [_prepare(item, _label(i, batch), statement_id) for i, item in enumerate(statements)]
    sent = {st["id"]: _attachment_data(st, _label(i, batch), data) for i, st in enumerate(prepared)}
    used = {a.sha2 for found in sent.values() for a in found}
    unused = sorted(set(data) - used)
    if unused:
        raise IngestError(
            400, f"the part with {unused[0]} as its hash is not an attachment of any statement"
        )
    unique: dict[str, dict[str, Any]] = {}
    labels: dict[str, str] = {}
    for i, st in enumerate(prepared):
        seen = unique.get(st["id"])
        if seen is None:
            unique[st["id"]] = st
            labels[st["id"]] = _label(i, batch)
        elif version.startswith("2.0"):
            raise IngestError(
                400,
                f"{_label(i, batch)}: {labels[st['id']]} in this request has the same id "
                f"{st['id']}; a batch must not repeat an id",
            )
        elif not statements_equivalent(seen, st):
            raise IngestError(
                400, f"{_label(i, batch)}: another statement in this request has the id {st['id']}"
            )
    return CheckedRequest([st["id"] for st in prepared], unique, labels, sent)


def store_checked(
    session: Session,
    request: CheckedRequest,
    *,
    site: str,
    authority: dict[str, Any],
    now: datetime,
    version: str = "1.0.3",
) -> list[str]:
    """Steps 4 and 5, then store, in the caller's transaction; return the ids in order.

    ``site`` is the site's IRI, used to recognise the actor as one of elearn's people.
    Raises IngestError, having stored nothing.
    """
    unique = request.unique
    targets = {_void_target(st) for st in unique.values()} - {None}
    stored = _stored(session, set(unique) | targets)  # id -> (verb, payload)
    for sid, st in unique.items():
        existing = stored.get(sid)
        if existing is not None and not statements_equivalent(json.loads(existing[1]), st):
            raise IngestError(
                409,
                f"{request.labels[sid]}: a different statement with the id {sid} is already "
                "stored; nothing in this request was stored",
            )
    fresh = [st for sid, st in unique.items() if sid not in stored]
    verbs = {sid: verb for sid, (verb, _payload) in stored.items()}
    verbs.update({st["id"]: st["verb"]["id"] for st in fresh})
    for st in fresh:
        target = _void_target(st)
        if target is not None and verbs.get(target) == VOIDED_VERB:
            raise IngestError(
                400,
                f"statement {st['id']} voids {target}, which is itself a voiding statement; "
                "a voiding statement cannot be voided",
            )

    people = _people(session, site, fresh)
    default_version = "2.0.0" if version.startswith("2.0") else "1.0.0"
    user_ids: list[int | None] = []
    for st in fresh:
        st.setdefault("version", default_version)
        actor = st["actor"].get("account") or {}
        user_ids.append(people.get(actor.get("name")) if actor.get("homePage") == site else None)
    record_statements(
        session,
        fresh,
        user_ids=user_ids,
        forward=False,
        stored_at=now,
        authority=authority,
        received=True,
        attachments=[request.attachment_data.get(st["id"], []) for st in fresh],
    )
    return request.ids


def store_statements(
    session: Session,
    statements: Sequence[Any],
    *,
    site: str,
    authority: dict[str, Any],
    now: datetime,
    version: str = "1.0.3",
    statement_id: str | None = None,
    data: Mapping[str, AttachmentData] | None = None,
) -> list[str]:
    """Check and store a request's statements in the caller's transaction; return their ids.

    Raises IngestError, having stored nothing.
    """
    checked = check_statements(statements, statement_id=statement_id, version=version, data=data)
    return store_checked(session, checked, site=site, authority=authority, now=now, version=version)


def _label(index: int, batch: bool) -> str:
    return f"statement {index + 1}" if batch else "the statement"


def _prepare(item: Any, label: str, statement_id: str | None) -> dict[str, Any]:
    """A validated copy of one statement, with its id (given, from the PUT, or new)."""
    try:
        validate_statement(item)
    except StatementInvalid as exc:
        raise IngestError(400, f"{label}: {exc.reason}") from exc
    statement = dict(item)
    if statement_id is not None:
        if "id" in statement and str(statement["id"]).lower() != statement_id.lower():
            raise IngestError(
                400, f"{label}: its id {statement['id']} does not match statementId {statement_id}"
            )
        statement["id"] = statement_id
    statement.setdefault("id", str(uuid.uuid4()))
    statement["id"] = str(statement["id"]).lower()
    _context_activities_as_lists(statement)
    if statement["object"].get("objectType") == "SubStatement":
        statement["object"] = dict(statement["object"])
        _context_activities_as_lists(statement["object"])
    return statement


def _attachment_data(
    statement: dict[str, Any], label: str, data: Mapping[str, AttachmentData]
) -> list[AttachmentData]:
    """The data sent for the statement's attachments; IngestError if one lacks its data or a
    signature does not sign the statement."""
    found: dict[str, AttachmentData] = {}
    for i, attachment in enumerate(statement.get("attachments") or ()):
        where = f"{label}: attachments[{i}]"
        sent = data.get(str(attachment["sha2"]).lower())
        if is_signature(attachment):
            if attachment["contentType"].split(";")[0].strip().lower() != SIGNATURE_CONTENT_TYPE:
                raise IngestError(
                    400, f"{where} is a signature, so must be {SIGNATURE_CONTENT_TYPE}"
                )
            if sent is None:
                raise IngestError(400, f"{where} is a signature, but its JWS was not sent with it")
            try:
                check_signature(statement, sent.content)
            except SignatureInvalid as exc:
                raise IngestError(400, f"{where}: {exc.reason}") from exc
        elif sent is None and "fileUrl" not in attachment:
            raise IngestError(
                400,
                f"{where} has no fileUrl and its data was not sent: send it as a part of a "
                f"multipart/mixed request with X-Experience-API-Hash {attachment['sha2']}",
            )
        if sent is not None:
            found[sent.sha2] = sent
    return list(found.values())


def _context_activities_as_lists(statement: dict[str, Any]) -> None:
    """Replace (not change) the statement's context so each context activity kind is a list."""
    context = statement.get("context")
    kinds = context.get("contextActivities") if context else None
    if not kinds or all(isinstance(entry, list) for entry in kinds.values()):
        return
    lists = {kind: entry if isinstance(entry, list) else [entry] for kind, entry in kinds.items()}
    statement["context"] = {**context, "contextActivities": lists}


def _void_target(statement: dict[str, Any]) -> str | None:
    if statement["verb"]["id"] != VOIDED_VERB:
        return None
    return str(statement["object"]["id"]).lower()


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _stored(session: Session, ids: set[str]) -> dict[str, tuple[str, str]]:
    s = StoredStatement
    found: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(s.statement_id, s.verb_id, s.payload).where(s.statement_id.in_(chunk))
        )
        found.update({sid: (verb, payload) for sid, verb, payload in rows})
    return found


def _people(session: Session, site: str, statements: Sequence[dict[str, Any]]) -> dict[str, int]:
    """elearn's people among the actors, by opaque id (so erasure and scoping find them)."""
    names = sorted(
        {
            str(st["actor"]["account"]["name"])
            for st in statements
            if (st["actor"].get("account") or {}).get("homePage") == site
        }
    )
    people: dict[str, int] = {}
    for chunk in _chunks(names):
        people.update(
            {
                xid: uid
                for uid, xid in session.execute(
                    select(User.id, User.xapi_id).where(User.xapi_id.in_(chunk))
                )
            }
        )
    return people


# Deeper than any real statement (extensions included) and far inside the recursion limit of
# the JSON parser and of everything that walks a statement afterwards.
MAX_DEPTH = 64

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text, counted without parsing it."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes) -> Any:
    """A request body as JSON; IngestError (400) when it is not JSON, nests too deeply or holds
    a string that is not text (a lone UTF-16 surrogate such as ``"\\ud800"``)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(400, f"the body is not valid UTF-8: {exc}") from exc
    if nesting_depth(text) > MAX_DEPTH:
        raise IngestError(
            400, f"the body is nested more than {MAX_DEPTH} levels deep; no statement needs that"
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise IngestError(400, f"the body is not valid JSON: {exc}") from exc
    try:
        # Re-encoding finds any string (or key) holding half of a surrogate pair, which no
        # database column or other LRS could store as text.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise IngestError(
            400,
            "the body holds a lone surrogate escape (such as \\ud800) in a string; "
            "that is not a character",
        ) from exc
    return data
