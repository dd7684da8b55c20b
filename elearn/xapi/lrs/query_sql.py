"""The SQL behind :mod:`elearn.xapi.lrs.query`: each shape of statement query, built once.

Building a SQLAlchemy expression for the statement list cost several times more per request
than running it: SQLAlchemy caches the compiled SQL, not the Python objects it is compiled
from. So a statement is built once per :class:`Shape` (which filters are given, not their
values) with bound parameters in place of the values, and reused; the caller passes the
values when it executes it. The parameters are named after the filters: ``agent``, ``verb``,
``activity``, ``registration``, ``since``, ``until``, ``after``, ``actor_scope``, plus
``window``, the number of rows to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    exists,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from elearn.xapi.models import StatementActivity, StatementAgent, StoredStatement

# The aliases the statement query uses, made once: building them copies every column.
_AGENT = aliased(StatementAgent, name="agent_index")
_ACTIVITY = aliased(StatementActivity, name="activity_index")
_REF = aliased(StoredStatement, name="ref")
_TARGET = aliased(StoredStatement, name="target")
_FURTHER = aliased(StoredStatement, name="further")
# What a Found holds.
_COLUMNS = (
    StoredStatement.seq,
    StoredStatement.statement_id,
    StoredStatement.stored_at,
    StoredStatement.payload,
)
# How many rows a query reads: an int bound parameter renders as a placeholder after LIMIT.
_WINDOW = bindparam("window", type_=Integer)


@dataclass(frozen=True)
class Shape:
    """Everything that changes the SQL text of a statement list.

    ``given`` names the filters that have a value (and so a bound parameter of that name).
    ``related_activities`` and ``related_agents`` only count with ``activity`` and ``agent``.
    """

    given: frozenset[str]
    related_activities: bool = False
    related_agents: bool = False
    ascending: bool = False


# Bounded, though every client uses only a few shapes of the thousand or so possible.
@lru_cache(maxsize=256)
def statement_list(shape: Shape) -> Select[Any]:
    """The statements of one page for queries of this shape, ``window`` of them at most."""
    s = StoredStatement
    branches = _branches(shape)
    if branches:
        # Each way a statement can match is its own scan, ordered by seq and stopped after a
        # page, so every database walks one (key, seq) index backwards and stops early. One
        # WHERE with an OR of them makes SQLite collect and sort every match, and PostgreSQL
        # walk the whole table; the merge below only sorts a few pages of seqs.
        referring = _referring(shape)
        branches.append(
            _Branch(select(s.seq), s.seq, (s.statement_id.in_(select(referring.c.id)),))
        )
        scans = [_scan(branch, shape) for branch in branches]
        merged = union_all(*(select(scan.c.seq) for scan in scans))
        stmt: Select[Any] = select(*_COLUMNS).where(s.seq.in_(merged))
    else:
        stmt = select(*_COLUMNS).where(*_page_filters(s.seq, shape))
    order = s.seq.asc() if shape.ascending else s.seq.desc()
    return stmt.order_by(order).limit(_WINDOW)


@lru_cache(maxsize=4)
def single_statement(*, voided: bool, scoped: bool) -> Select[Any]:
    """One statement by ``statement_id``, voided or not, of ``actor_scope`` when ``scoped``."""
    s = StoredStatement
    stmt = select(*_COLUMNS).where(
        s.statement_id == bindparam("statement_id"), s.voided.is_(voided)
    )
    if scoped:
        stmt = stmt.where(s.actor_key == bindparam("actor_scope"))
    return stmt


@dataclass(frozen=True)
class _Branch:
    """One way a statement can match: a SELECT of ``seq`` and the column its scan orders by.

    ``seq`` is the seq of the table whose ``(key, seq)`` index drives the scan, so the
    database can read that index in order and stop after a page.
    """

    select: Select[Any]
    seq: Any
    conditions: tuple[ColumnElement[bool], ...] = ()


def _branches(shape: Shape) -> list[_Branch]:
    """The scans whose union is every direct match of the non-time filters (none: no filter)."""
    s = StoredStatement
    given = shape.given
    common: list[ColumnElement[bool]] = []
    if "verb" in given:
        common.append(s.verb_id == bindparam("verb"))
    if "registration" in given:
        common.append(s.registration == bindparam("registration"))
    if "activity" in given and not shape.related_activities:
        common.append(s.activity_id == bindparam("activity"))
    related_activity = "activity" in given and shape.related_activities
    if "agent" not in given and not related_activity and not common:
        return []

    # (the scan, the seq it is ordered by, whether an index table drives it)
    alternatives: list[tuple[Select[Any], Any, bool]] = []
    if "agent" not in given:
        alternatives.append((select(s.seq), s.seq, False))
    else:
        agent = _AGENT
        by_index = select(s.seq).join(agent, agent.seq == s.seq)
        by_index = by_index.where(agent.agent_key == bindparam("agent"))
        if shape.related_agents:
            alternatives.append((by_index, agent.seq, True))
        else:
            # The actor, or a direct agent (object, members): two scans, not an OR.
            by_actor = select(s.seq).where(s.actor_key == bindparam("agent"))
            alternatives.append((by_actor, s.seq, False))
            alternatives.append((by_index.where(agent.direct.is_(True)), agent.seq, True))

    branches: list[_Branch] = []
    for scan, seq, indexed in alternatives:
        if related_activity:
            activity = _ACTIVITY
            scan = scan.join(activity, activity.seq == s.seq)
            scan = scan.where(activity.activity_id == bindparam("activity"))
            if not indexed:
                seq = activity.seq
        branches.append(_Branch(scan, seq, tuple(common)))
    return branches


def _page_filters(seq: Any, shape: Shape) -> list[ColumnElement[bool]]:
    """What every scan shares: not voided, in scope, in the time window, after the cursor."""
    s = StoredStatement
    given = shape.given
    filters: list[ColumnElement[bool]] = [s.voided.is_(False)]
    # Compared with a column, each parameter takes that column's type, so ``since`` and
    # ``until`` go through UTCDateTime like a stored value does.
    if "actor_scope" in given:
        filters.append(s.actor_key == bindparam("actor_scope"))
    if "since" in given:
        filters.append(s.stored_at > bindparam("since"))
    if "until" in given:
        filters.append(s.stored_at <= bindparam("until"))
    if "after" in given:
        after = bindparam("after")
        filters.append(seq > after if shape.ascending else seq < after)
    return filters


def _scan(branch: _Branch, shape: Shape) -> Any:
    """One branch as an ordered, limited subquery of seqs."""
    order = branch.seq.asc() if shape.ascending else branch.seq.desc()
    return (
        branch.select.where(*branch.conditions, *_page_filters(branch.seq, shape))
        .order_by(order)
        .limit(_WINDOW)
        .subquery()
    )


def _matching(s: Any, shape: Shape) -> list[ColumnElement[bool]]:
    """The non-time filters on one statement (an alias of the table), for the referring anchor.

    The index tables are probed per statement (EXISTS on ``(key, seq)``) rather than read
    whole with IN, as the anchor only checks the few statements that refer to another.
    """
    given = shape.given
    conditions: list[ColumnElement[bool]] = []
    if "agent" in given:
        agents = exists().where(
            StatementAgent.agent_key == bindparam("agent"), StatementAgent.seq == s.seq
        )
        if shape.related_agents:
            conditions.append(agents)
        else:
            direct = agents.where(StatementAgent.direct.is_(True))
            conditions.append(or_(s.actor_key == bindparam("agent"), direct))
    if "verb" in given:
        conditions.append(s.verb_id == bindparam("verb"))
    if "activity" in given:
        if shape.related_activities:
            conditions.append(
                exists().where(
                    StatementActivity.activity_id == bindparam("activity"),
                    StatementActivity.seq == s.seq,
                )
            )
        else:
            conditions.append(s.activity_id == bindparam("activity"))
    if "registration" in given:
        conditions.append(s.registration == bindparam("registration"))
    return conditions


def _referring(shape: Shape) -> Any:
    """Ids of statements whose StatementRef leads (in one or more steps) to a match.

    The anchor starts from the statements that refer to another (StatementRefs and voids,
    few in any store) and checks the one they point at, never from every match.
    """
    ref, target = _REF, _TARGET
    # Ranges rather than IS NOT NULL, so SQLite uses the indexes on both columns too.
    refers = or_(ref.object_statement_id > "", ref.voids_statement_id > "")
    points_at_match = exists().where(
        target.statement_id.in_([ref.object_statement_id, ref.voids_statement_id]),
        *_matching(target, shape),
    )
    anchor = select(ref.statement_id.label("id")).where(refers, points_at_match)
    referring = anchor.cte("referring", recursive=True)
    further = _FURTHER
    return referring.union(
        select(further.statement_id).join(
            referring,
            or_(
                further.object_statement_id == referring.c.id,
                further.voids_statement_id == referring.c.id,
            ),
        )
    )
