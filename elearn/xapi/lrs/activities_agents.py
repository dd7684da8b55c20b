"""The built-in LRS's Activities and Agents resources: what its statements say about one
activity or one agent.

``GET /xapi/activities?activityId=`` answers the Activity with its definition merged from the
statements that mention it (newer statements win, language by language), and
``GET /xapi/agents?agent=`` the Person object for an agent. elearn cannot tell that two
identifiers are one person, so a Person holds the identifier asked about and the names the
statements gave it. Access is the document resources': an LRS credential with read scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.auth.access import public
from elearn.db import get_db
from elearn.xapi import formats
from elearn.xapi.lrs.documents_resource import agent_parameter, authorise
from elearn.xapi.lrs.resource import XapiError, bp
from elearn.xapi.models import StatementActivity, StoredStatement

# The definitions of the latest statements are enough: an activity's definition rarely
# changes, and an activity every pupil meets is mentioned by many thousands of statements.
_STATEMENTS_READ = 200
_LANGUAGE_MAPS = ("name", "description")
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _activities_in(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    obj = statement.get("object")
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            yield obj
        elif kind == "SubStatement":
            yield from _activities_in(obj)
    context = statement.get("context")
    groups = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(groups, dict):
        for value in groups.values():
            for activity in value if isinstance(value, list) else [value]:
                if isinstance(activity, dict):
                    yield activity


def merge_definitions(definitions: list[dict[str, Any]]) -> dict[str, Any]:
    """One definition from several, oldest first: later ones win, language maps and
    extensions merge key by key."""
    merged: dict[str, Any] = {}
    for definition in definitions:
        for name, value in definition.items():
            mergeable = name in (*_LANGUAGE_MAPS, "extensions")
            if mergeable and isinstance(value, dict) and isinstance(merged.get(name), dict):
                merged[name] = {**merged[name], **value}
            else:
                merged[name] = value
    return merged


def activity(session: Session, activity_id: str) -> dict[str, Any]:
    """The Activity with this id, defined as the latest statements that mention it define it."""
    mentioning = (
        select(StatementActivity.seq)
        .where(StatementActivity.activity_id == activity_id)
        .order_by(StatementActivity.seq.desc())
        .limit(_STATEMENTS_READ)
    )
    payloads = session.scalars(
        select(StoredStatement.payload)
        .where(StoredStatement.seq.in_(mentioning))
        .order_by(StoredStatement.seq)
    )
    definitions = [
        found["definition"]
        for payload in payloads
        for found in _activities_in(json.loads(payload))
        if found.get("id") == activity_id and isinstance(found.get("definition"), dict)
    ]
    result: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definitions:
        result["definition"] = merge_definitions(definitions)
    return result


def person(session: Session, agent: dict[str, Any], key: str) -> dict[str, Any]:
    """The Person object for an agent: its identifier, and every name it was given."""
    names = [agent["name"]] if isinstance(agent.get("name"), str) else []
    payloads = session.scalars(
        select(StoredStatement.payload)
        .where(StoredStatement.actor_key == key)
        .order_by(StoredStatement.seq.desc())
        .limit(_STATEMENTS_READ)
    )
    for payload in payloads:
        name = (json.loads(payload).get("actor") or {}).get("name")
        if isinstance(name, str) and name not in names:
            names.append(name)
    result: dict[str, Any] = {"objectType": "Person"}
    if names:
        result["name"] = names
    for ifi in _IFIS:
        if ifi in agent:
            result[ifi] = [agent[ifi]]
    return result


@bp.get("/activities")
@public  # authenticated inside: an LRS credential with read scope
def get_activity() -> Response:
    authorise(write=False)
    unexpected = sorted(set(request.args) - {"activityId"})
    if unexpected:
        raise XapiError(400, f"unknown parameter {unexpected[0]!r} for /activities")
    activity_id = request.args.get("activityId")
    if activity_id is None:
        raise XapiError(400, "activityId is required")
    if not formats.is_iri(activity_id):
        raise XapiError(400, "activityId must be an IRI")
    return jsonify(activity(get_db(), activity_id))


@bp.get("/agents")
@public  # authenticated inside: an LRS credential with read scope
def get_agent() -> Response:
    authorise(write=False)
    unexpected = sorted(set(request.args) - {"agent"})
    if unexpected:
        raise XapiError(400, f"unknown parameter {unexpected[0]!r} for /agents")
    key = agent_parameter()
    return jsonify(person(get_db(), json.loads(request.args["agent"]), key))
