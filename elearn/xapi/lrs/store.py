"""Storing statements: the one way a statement enters elearn's statement store.

Learning events call :func:`record_statement` inside the same transaction as the row they
record (the transactional outbox): both commit, or neither does. :func:`record_statements`
stores a batch with a fixed number of SQL statements (the LRS resource uses it). The
forwarder later sends ``pending`` statements to the remote LRS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, insert, update
from sqlalchemy.orm import Session, aliased

import elearn.xapi.personal_data  # noqa: F401  (registers its export and erasure sections)
from elearn.db import utcnow
from elearn.xapi.formats import format_timestamp, parse_timestamp
from elearn.xapi.lrs.multipart import AttachmentData
from elearn.xapi.models import (
    ForwardState,
    StatementActivity,
    StatementAgent,
    StatementAttachment,
    StoredStatement,
)

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
STORED_VERSION = "1.0.0"
# Keep IN lists well inside every database's limit on bound parameters.
_CHUNK = 500


def agent_key(agent: dict[str, Any]) -> str:
    """A canonical string for an agent's or identified group's inverse functional identifier."""
    if "mbox" in agent:
        return "mbox|" + str(agent["mbox"]).lower()
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum|" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return "openid|" + str(agent["openid"])
    if "account" in agent:
        account = agent["account"]
        return f"account|{account.get('homePage', '')}|{account.get('name', '')}"
    return ""


def _agents_in(statement: dict[str, Any]) -> Iterator[str]:
    def walk(agent: Any) -> Iterator[str]:
        if not isinstance(agent, dict):
            return
        key = agent_key(agent)
        if key:
            yield key
        for member in agent.get("member") or ():
            yield from walk(member)

    yield from walk(statement.get("actor"))
    obj = statement.get("object") or {}
    if obj.get("objectType") in ("Agent", "Group"):
        yield from walk(obj)
    if obj.get("objectType") == "SubStatement":
        yield from _agents_in(obj)
    context = statement.get("context") or {}
    yield from walk(context.get("instructor"))
    yield from walk(context.get("team"))
    yield from walk(statement.get("authority"))


def _activities_in(statement: dict[str, Any]) -> Iterator[str]:
    obj = statement.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity" and "id" in obj:
        yield obj["id"]
    if obj.get("objectType") == "SubStatement":
        yield from _activities_in(obj)
    context_activities = (statement.get("context") or {}).get("contextActivities") or {}
    for value in context_activities.values():
        for activity in value if isinstance(value, list) else [value]:
            if isinstance(activity, dict) and "id" in activity:
                yield activity["id"]


def prepare(
    statement: dict[str, Any], *, stored_at: datetime, authority: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Add what the LRS sets on storing: ``stored``, ``version`` and ``authority``."""
    prepared = dict(statement)
    prepared["stored"] = format_timestamp(stored_at)
    prepared.setdefault("timestamp", prepared["stored"])
    prepared.setdefault("version", STORED_VERSION)
    if authority is not None:
        prepared["authority"] = authority
    return prepared


def direct_agent_keys(statement: dict[str, Any]) -> set[str]:
    """Keys of the actor and an Agent/Group object, and of their members."""
    keys: set[str] = set()
    obj = statement.get("object") or {}
    for who in (
        statement.get("actor"),
        obj if obj.get("objectType") in ("Agent", "Group") else None,
    ):
        if not isinstance(who, dict):
            continue
        keys.add(agent_key(who))
        keys.update(agent_key(m) for m in who.get("member") or () if isinstance(m, dict))
    keys.discard("")
    return keys


def record_statement(
    session: Session,
    statement: dict[str, Any],
    *,
    user_id: int | None = None,
    forward: bool = True,
    stored_at: datetime | None = None,
    authority: dict[str, Any] | None = None,
) -> StoredStatement:
    """Add a valid statement (with an ``id``) to the caller's transaction."""
    (row,) = record_statements(
        session,
        [statement],
        user_id=user_id,
        forward=forward,
        stored_at=stored_at,
        authority=authority,
    )
    return row


def record_statements(
    session: Session,
    statements: Sequence[dict[str, Any]],
    *,
    user_id: int | None = None,
    user_ids: Sequence[int | None] | None = None,
    forward: bool = True,
    stored_at: datetime | None = None,
    authority: dict[str, Any] | None = None,
    received: bool = False,
    attachments: Sequence[Sequence[AttachmentData]] | None = None,
) -> list[StoredStatement]:
    """Add valid statements (each with a distinct ``id``) to the caller's transaction.

    Returns the stored rows in the order given. ``user_ids`` gives each statement its own
    person (else ``user_id`` applies to all). ``received`` applies the rules for statements
    sent to the LRS resource: the StatementRef target and the direct agents are indexed for
    the query rules, the registration column is lower-cased, and a statement whose voiding
    statement arrived first is stored voided.

    A fixed handful of SQL statements whatever the number of statements: one multi-row
    INSERT ... RETURNING for the statements, one each for the two index tables and one
    UPDATE for voiding, so a batch holds SQLite's write lock for as short a time as it can.
    """
    if not statements:
        return []
    stored_at = stored_at or utcnow()
    people = list(user_ids) if user_ids is not None else [user_id] * len(statements)
    rows: list[dict[str, Any]] = []
    activities: list[list[str]] = []
    agents: list[list[tuple[str, bool]]] = []
    voided_ids: list[str] = []
    for statement, person in zip(statements, people, strict=True):
        prepared = prepare(statement, stored_at=stored_at, authority=authority)
        obj = prepared.get("object") or {}
        is_activity = obj.get("objectType", "Activity") == "Activity"
        voids = obj.get("id") if prepared["verb"]["id"] == VOIDED_VERB else None
        registration = (prepared.get("context") or {}).get("registration") or None
        refers_to = None
        if received:
            if obj.get("objectType") == "StatementRef":
                refers_to = str(obj["id"]).lower()
            if registration is not None:
                # The index column is compared in lower case; the statement keeps what was sent.
                registration = registration.lower()
        statement_id = str(prepared["id"]).lower()
        if voids:
            voided_ids.append(str(voids).lower())
        elif received:
            # Its voiding statement may have arrived first; it counts from now on.
            voided_ids.append(statement_id)
        rows.append(
            {
                "statement_id": statement_id,
                "stored_at": stored_at,
                "timestamp_at": parse_timestamp(prepared["timestamp"]),
                "actor_key": agent_key(prepared["actor"]),
                "verb_id": prepared["verb"]["id"],
                "activity_id": obj.get("id") if is_activity else None,
                "registration": registration,
                "voids_statement_id": str(voids).lower() if voids else None,
                "object_statement_id": refers_to,
                "user_id": person,
                "payload": json.dumps(prepared, separators=(",", ":"), ensure_ascii=False),
                "forward_state": ForwardState.PENDING if forward else ForwardState.NOT_FORWARDED,
                "voided": False,
            }
        )
        activities.append(list(dict.fromkeys(_activities_in(prepared))))
        direct = direct_agent_keys(prepared) if received else set()
        agents.append([(key, key in direct) for key in dict.fromkeys(_agents_in(prepared))])

    # One executemany; sort_by_parameter_order pairs each returned row with its statement.
    # render_nulls keeps every row's keys the same: the ORM otherwise leaves out None values
    # and splits the batch into one INSERT per run of rows with the same keys.
    stored = list(
        session.scalars(
            insert(StoredStatement).returning(StoredStatement, sort_by_parameter_order=True),
            rows,
            execution_options={"render_nulls": True},
        )
    )
    activity_rows = [
        {"seq": row.seq, "activity_id": activity}
        for row, mentioned in zip(stored, activities, strict=True)
        for activity in mentioned
    ]
    if activity_rows:
        session.execute(insert(StatementActivity), activity_rows)
    agent_rows = [
        {"seq": row.seq, "agent_key": key, "direct": direct}
        for row, mentioned in zip(stored, agents, strict=True)
        for key, direct in mentioned
    ]
    if agent_rows:
        session.execute(insert(StatementAgent), agent_rows)
    data_rows = [
        {"seq": row.seq, "sha2": a.sha2, "content_type": a.content_type, "content": a.content}
        for row, sent in (zip(stored, attachments, strict=True) if attachments else ())
        for a in sent
    ]
    if data_rows:
        session.execute(insert(StatementAttachment), data_rows)
    _void(session, voided_ids)
    return stored


def _void(session: Session, candidates: Sequence[str]) -> None:
    """Mark voided those of ``candidates`` that a stored voiding statement targets.

    Run after the batch is inserted, so a voiding statement and its target in one batch find
    each other in either order; a voiding statement itself is never voided.
    """
    target = StoredStatement
    voiding = aliased(StoredStatement)
    unique = sorted(set(candidates))
    for start in range(0, len(unique), _CHUNK):
        session.execute(
            update(target)
            .where(
                target.statement_id.in_(unique[start : start + _CHUNK]),
                target.verb_id != VOIDED_VERB,
                exists().where(
                    voiding.voids_statement_id == target.statement_id,
                    voiding.verb_id == VOIDED_VERB,
                ),
            )
            .values(voided=True)
        )
