"""Reading statements back: the GET filters of the Statement resource, as one SQL query.

:func:`parse_params` turns the request's query parameters into a :class:`StatementQuery` (or a
:class:`SingleLookup` for ``statementId``/``voidedStatementId``), rejecting anything the spec
does not allow with a :class:`QueryError` that says why. :func:`find_statements` runs it over
the indexed columns and the index tables, newest first (or oldest first with ``ascending``), in
arrival order (``seq``), which is also ``stored`` order. The SQL is in
:mod:`elearn.xapi.lrs.query_sql`, built once for each shape of query.

Matching follows xAPI 1.0.3 / 2.0:

* ``agent``: the actor or the object is that Agent or identified Group, or is a Group with
  that Agent as a member; with ``related_agents=true`` also the authority, instructor, team
  and the same inside a SubStatement.
* ``activity``: the object is that Activity; with ``related_activities=true`` also any
  context activity and the same inside a SubStatement.
* ``verb``, ``registration``: equal.
* ``since`` (exclusive) and ``until`` (inclusive) compare ``stored``.
* A statement whose object is a StatementRef matches when the statement it refers to matches
  (recursively), for every filter except the time and paging ones.
* Voided statements never appear in a list, only through ``voidedStatementId``.

Paging: a page holds ``limit`` statements (default 100, at most 500; 0 means 500). When more
remain, the page carries an opaque, signed ``more`` token holding the query and the position
after the page; the next page resumes from there, so statements stored meanwhile never shift
or repeat a page.

Formats (``ids``, ``exact``, ``canonical``): see :mod:`elearn.xapi.lrs.result_formats`. With
``attachments=true`` :func:`attachment_data` reads the data stored with a page's statements,
in one query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.web.numbers import parse_whole_number
from elearn.xapi import formats
from elearn.xapi.lrs import query_sql
from elearn.xapi.lrs.multipart import AttachmentData
from elearn.xapi.lrs.result_formats import format_statement
from elearn.xapi.lrs.store import agent_key
from elearn.xapi.models import StatementAttachment
from elearn.xapi.validation import StatementInvalid, validate_statement

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
FORMATS = ("ids", "exact", "canonical")
_SINGLE = ("statementId", "voidedStatementId")
_WITH_SINGLE = frozenset({"format", "attachments"})
PARAMETERS = frozenset(
    {
        *_SINGLE,
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
    }
)
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_CURSOR_SALT = "elearn.xapi.more"


class QueryError(ValueError):
    """The query cannot be answered as asked; ``reason`` says why (sent with a 400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SingleLookup:
    """``statementId`` (a statement that is not voided) or ``voidedStatementId`` (one that is)."""

    statement_id: str
    voided: bool
    format: str = "exact"
    attachments: bool = False


@dataclass(frozen=True)
class StatementQuery:
    """The filters of a statement list; ``agent`` is the agent's key (see ``agent_key``)."""

    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_LIMIT
    ascending: bool = False
    format: str = "exact"
    # Answer multipart/mixed, with the data of the statements' attachments.
    attachments: bool = False
    # The seq of the last statement on the previous page, when paging with ``more``.
    after: int | None = None


@dataclass(frozen=True)
class Found:
    seq: int
    statement_id: str
    stored_at: datetime
    payload: str


@dataclass(frozen=True)
class Page:
    statements: list[Found]
    # The query for the next page, or None when this page is the last.
    next_query: StatementQuery | None


# --- parsing ----------------------------------------------------------------------------------


def parse_params(params: Mapping[str, str]) -> StatementQuery | SingleLookup:
    """Check and convert GET /statements parameters; QueryError says what is wrong."""
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        hint = _case_hint(unknown[0])
        raise QueryError(f"unknown parameter {unknown[0]!r}{hint}")
    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise QueryError("format must be ids, exact or canonical")
    attachments = _boolean(params, "attachments")
    singles = [name for name in _SINGLE if name in params]
    if len(singles) == 2:
        raise QueryError("statementId and voidedStatementId cannot be used together")
    if singles:
        others = sorted(set(params) - {singles[0]} - _WITH_SINGLE)
        if others:
            raise QueryError(
                f"{singles[0]} can only be combined with format and attachments, not {others[0]}"
            )
        value = params[singles[0]]
        if not formats.is_uuid(value):
            raise QueryError(f"{singles[0]} must be a UUID")
        return SingleLookup(
            value.lower(),
            voided=singles[0] == "voidedStatementId",
            format=fmt,
            attachments=attachments,
        )
    return StatementQuery(
        agent=agent_filter_key(params["agent"]) if "agent" in params else None,
        verb=_iri(params, "verb"),
        activity=_iri(params, "activity"),
        registration=_registration(params),
        related_activities=_boolean(params, "related_activities"),
        related_agents=_boolean(params, "related_agents"),
        since=_timestamp(params, "since"),
        until=_timestamp(params, "until"),
        limit=_limit(params),
        ascending=_boolean(params, "ascending"),
        format=fmt,
        attachments=attachments,
    )


def agent_filter_key(raw: str) -> str:
    """The key of the Agent or identified Group given as the ``agent`` parameter (JSON)."""
    try:
        agent = json.loads(raw)
    except ValueError as exc:
        raise QueryError("agent must be an Agent or identified Group as JSON") from exc
    if not isinstance(agent, dict):
        raise QueryError("agent must be an Agent or identified Group as JSON")
    # Reuse the statement validator on a statement with this agent as its actor, so the
    # parameter meets exactly the rules an actor does.
    probe = {"actor": agent, "verb": {"id": "urn:x:probe"}, "object": {"id": "urn:x:probe"}}
    try:
        validate_statement(probe)
    except StatementInvalid as exc:
        raise QueryError("agent" + exc.reason.removeprefix("actor")) from exc
    if not any(key in agent for key in _IFIS):
        raise QueryError("agent must be an Agent or an identified Group, not an anonymous Group")
    return agent_key(agent)


def _case_hint(name: str) -> str:
    match = next((p for p in PARAMETERS if p.lower() == name.lower()), None)
    return f" (parameters are case-sensitive: did you mean {match}?)" if match else ""


def _boolean(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false")
    if value not in ("true", "false"):
        raise QueryError(f"{name} must be true or false")
    return value == "true"


def _iri(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not formats.is_iri(value):
        raise QueryError(f"{name} must be an IRI")
    return value


def _registration(params: Mapping[str, str]) -> str | None:
    value = params.get("registration")
    if value is None:
        return None
    if not formats.is_uuid(value):
        raise QueryError("registration must be a UUID")
    return value.lower()


def _timestamp(params: Mapping[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return formats.parse_timestamp(value)
    except ValueError as exc:
        raise QueryError(
            f"{name} must be an ISO 8601 timestamp with a time zone, such as 2024-09-01T09:30:00Z"
        ) from exc


def _limit(params: Mapping[str, str]) -> int:
    value = params.get("limit")
    if value is None:
        return DEFAULT_LIMIT
    number = parse_whole_number(value)
    if number is None:
        raise QueryError("limit must be a whole number, 0 or more")
    return MAX_LIMIT if number == 0 else min(number, MAX_LIMIT)


# --- the more token ---------------------------------------------------------------------------


def encode_more(query: StatementQuery, secret: str) -> str:
    """An opaque, signed token for the page that ``query`` (with ``after`` set) describes."""
    data = {key: value for key, value in asdict(query).items() if value not in (None, False)}
    for key in ("since", "until"):
        if key in data:
            data[key] = data[key].isoformat()
    return URLSafeSerializer(secret, salt=_CURSOR_SALT).dumps(data)


def decode_more(token: str, secret: str) -> StatementQuery:
    try:
        data = URLSafeSerializer(secret, salt=_CURSOR_SALT).loads(token)
    except BadSignature as exc:
        raise QueryError("more is not a link this LRS gave out") from exc
    try:
        for key in ("since", "until"):
            if key in data:
                data[key] = datetime.fromisoformat(data[key])
        return StatementQuery(**data)
    except (TypeError, ValueError) as exc:
        raise QueryError("more is not a link this LRS gave out") from exc


# --- running queries --------------------------------------------------------------------------


def find_statements(
    session: Session, query: StatementQuery, *, actor_scope: str | None = None
) -> Page:
    """One page of statements matching ``query``; ``actor_scope`` limits them to one actor."""
    values = _bound_values(query, actor_scope)
    shape = query_sql.Shape(
        given=frozenset(values),
        related_activities=query.related_activities and query.activity is not None,
        related_agents=query.related_agents and query.agent is not None,
        ascending=query.ascending,
    )
    # One more than a page tells whether another page follows.
    params = {**values, "window": query.limit + 1}
    rows = [Found(*row) for row in session.execute(query_sql.statement_list(shape), params)]
    if len(rows) <= query.limit:
        return Page(rows, None)
    rows = rows[: query.limit]
    return Page(rows, replace(query, after=rows[-1].seq))


def get_statement(
    session: Session, lookup: SingleLookup, *, actor_scope: str | None = None
) -> Found | None:
    """The statement asked for, if it exists, is (or is not) voided as asked, and is in scope."""
    stmt = query_sql.single_statement(voided=lookup.voided, scoped=actor_scope is not None)
    params = {"statement_id": lookup.statement_id}
    if actor_scope is not None:
        params["actor_scope"] = actor_scope
    row = session.execute(stmt, params).first()
    return Found(*row) if row else None


def attachment_data(session: Session, found: Sequence[Found]) -> list[AttachmentData]:
    """The data stored with these statements' attachments (one query), in statement order."""
    if not found:
        return []
    a = StatementAttachment
    order = {row.seq: i for i, row in enumerate(found)}
    rows = session.execute(
        select(a.seq, a.sha2, a.content_type, a.content).where(a.seq.in_(list(order)))
    ).all()
    rows.sort(key=lambda row: (order[row.seq], row.sha2))
    return [
        AttachmentData(sha2, content_type, content) for _seq, sha2, content_type, content in rows
    ]


def _bound_values(query: StatementQuery, actor_scope: str | None) -> dict[str, Any]:
    """The given filters by the names of their bound parameters (see :mod:`query_sql`)."""
    values = {
        "agent": query.agent,
        "verb": query.verb,
        "activity": query.activity,
        "registration": query.registration,
        "since": query.since,
        "until": query.until,
        "after": query.after,
        "actor_scope": actor_scope,
    }
    return {name: value for name, value in values.items() if value is not None}


# --- formats ----------------------------------------------------------------------------------


def render_statements(found: Sequence[Found], fmt: str, languages: Sequence[str] = ()) -> list[str]:
    """Each statement as JSON text in the requested format."""
    if fmt == "exact":
        return [row.payload for row in found]
    return [
        json.dumps(
            format_statement(json.loads(row.payload), fmt, languages),
            separators=(",", ":"),
            ensure_ascii=False,
        )
        for row in found
    ]
