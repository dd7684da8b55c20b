"""Statement comparison as the xAPI spec defines it.

The Statement resource uses it when a PUT (or POST) brings an id the store already holds: the
same statement again is accepted as a no-op, a different one is a 409 Conflict. The spec says
which differences do not count: those an LRS may itself introduce (the "exceptions to statement
immutability"). Everything else, including a different serialisation of the same value, counts.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from elearn.xapi.formats import parse_timestamp

# Set or rewritten by the LRS, or not part of the statement at all.
_IGNORED = frozenset({"stored", "authority", "version", "attachments"})


def statements_equivalent(a: dict, b: dict) -> bool:
    """True if ``a`` and ``b`` are the same statement under the spec's comparison rules.

    Ignored: ``stored``, ``authority``, ``version`` and attachments; an ``id`` or ``timestamp``
    present in only one of them (the LRS fills those in); the zone a timestamp is written in and
    anything below a millisecond; a verb's ``display`` and activity definitions (not part of the
    immutable statement); the order of a Group's members; letter case in UUIDs, language tags,
    SHA-1 sums and the domain of an e-mail address; duration digits beyond 0.01 s.
    Everything else must match.
    """
    left, right = _statement(a), _statement(b)
    for key in ("id", "timestamp"):
        if key not in a or key not in b:
            left.pop(key, None)
            right.pop(key, None)
    return _same(left, right)


def _statement(st: Any) -> Any:
    if not isinstance(st, dict):
        return st
    out: dict[str, Any] = {}
    for key, value in st.items():
        if key in _IGNORED:
            continue
        if key == "id":
            out[key] = _lower(value)
        elif key == "timestamp":
            out[key] = _instant(value)
        elif key == "actor":
            out[key] = _actor(value)
        elif key == "verb":
            out[key] = {"id": value.get("id")} if isinstance(value, dict) else value
        elif key == "object":
            out[key] = _object(value)
        elif key == "context":
            out[key] = _context(value)
        elif key == "result":
            out[key] = _result(value)
        else:
            out[key] = value
    return out


def _actor(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = {"objectType": "Agent", **value}
    mbox = out.get("mbox")
    if isinstance(mbox, str) and "@" in mbox:
        local, _, domain = mbox.rpartition("@")
        out["mbox"] = f"{local}@{domain.lower()}"
    if "mbox_sha1sum" in out:
        out["mbox_sha1sum"] = _lower(out["mbox_sha1sum"])
    if isinstance(out.get("member"), list):
        members = [_actor(m) for m in out["member"]]
        out["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True, default=str))
    return out


def _object(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return {"objectType": "Activity", "id": value.get("id")}
    if kind == "StatementRef":
        return {"objectType": "StatementRef", "id": _lower(value.get("id"))}
    if kind == "SubStatement":
        return _statement(value)
    return _actor(value)


def _context(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for key in ("registration", "language"):
        if key in out:
            out[key] = _lower(out[key])
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _actor(out[key])
    if "statement" in out:
        out["statement"] = _object(out["statement"])
    if isinstance(out.get("contextActivities"), dict):
        # The LRS returns a single activity as a list of one.
        out["contextActivities"] = {
            key: [_object(a) for a in (entry if isinstance(entry, list) else [entry])]
            for key, entry in out["contextActivities"].items()
        }
    for key, member in (("contextAgents", "agent"), ("contextGroups", "group")):
        if isinstance(out.get(key), list):
            out[key] = [
                {**entry, member: _actor(entry.get(member))} if isinstance(entry, dict) else entry
                for entry in out[key]
            ]
    return out


def _result(value: Any) -> Any:
    if not isinstance(value, dict) or not isinstance(value.get("duration"), str):
        return value
    # A duration compares as text, but only to hundredths of a second.
    duration = re.sub(r"([.,]\d{2})\d+S$", r"\1S", value["duration"]).replace(",", ".")
    return {**value, "duration": duration}


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _instant(value: Any) -> Any:
    try:
        return parse_timestamp(value)
    except ValueError:
        return value


def _same(x: Any, y: Any) -> bool:
    """Deep equality that keeps JSON's types apart (true is not 1) but not 1 from 1.0."""
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    if isinstance(x, int | float) and isinstance(y, int | float):
        return x == y
    if isinstance(x, datetime) and isinstance(y, datetime):
        # An LRS may round or truncate a timestamp to the millisecond.
        return abs(x - y) < timedelta(milliseconds=1)
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_same(p, q) for p, q in zip(x, y, strict=True))
    return type(x) is type(y) and x == y
