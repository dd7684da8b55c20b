"""Storing statements: the one way a statement enters elearn's statement store.

Learning events call :func:`record_statement` inside the same transaction as the row they
record (the transactional outbox): both commit, or neither does. The forwarder later sends
``pending`` statements to the remote LRS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.xapi.formats import format_timestamp, parse_timestamp
from elearn.xapi.models import ForwardState, StatementActivity, StatementAgent, StoredStatement

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
STORED_VERSION = "1.0.0"


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
    stored_at = stored_at or utcnow()
    prepared = prepare(statement, stored_at=stored_at, authority=authority)
    obj = prepared.get("object") or {}
    is_activity = obj.get("objectType", "Activity") == "Activity"
    voids = obj.get("id") if prepared["verb"]["id"] == VOIDED_VERB else None
    row = StoredStatement(
        statement_id=str(prepared["id"]).lower(),
        stored_at=stored_at,
        timestamp_at=parse_timestamp(prepared["timestamp"]),
        actor_key=agent_key(prepared["actor"]),
        verb_id=prepared["verb"]["id"],
        activity_id=obj.get("id") if is_activity else None,
        registration=((prepared.get("context") or {}).get("registration") or None),
        voids_statement_id=str(voids).lower() if voids else None,
        user_id=user_id,
        payload=json.dumps(prepared, separators=(",", ":"), ensure_ascii=False),
        forward_state=ForwardState.PENDING if forward else ForwardState.NOT_FORWARDED,
    )
    session.add(row)
    session.flush()  # assigns seq for the index rows
    session.add_all(
        StatementActivity(seq=row.seq, activity_id=a)
        for a in dict.fromkeys(_activities_in(prepared))
    )
    session.add_all(
        StatementAgent(seq=row.seq, agent_key=a) for a in dict.fromkeys(_agents_in(prepared))
    )
    if voids:
        session.execute(
            update(StoredStatement)
            .where(
                StoredStatement.statement_id == str(voids).lower(),
                StoredStatement.verb_id != VOIDED_VERB,
            )
            .values(voided=True)
        )
    return row
