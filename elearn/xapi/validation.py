"""Checks an xAPI statement against the rules of xAPI 1.0.3 and 2.0.

:func:`validate_statement` is what the LRS resource runs on every statement it is sent, and what
the statement builders run on their own output. It stops at the first problem and raises
:class:`StatementInvalid` with a reason that names the property path, such as
``actor.account.homePage must be an IRI``, so whoever sent the statement can see what to fix.

:func:`statements_equivalent` (from :mod:`elearn.xapi.comparison`) is re-exported here: it decides
whether a statement arriving with an id the store already holds is a repeat or a conflict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

from elearn.xapi import formats as f
from elearn.xapi.comparison import statements_equivalent

__all__ = ["INTERACTION_TYPES", "StatementInvalid", "statements_equivalent", "validate_statement"]


class StatementInvalid(ValueError):
    """The statement breaks a rule of the spec; ``reason`` says which property and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


INTERACTION_TYPES = frozenset(
    "true-false choice fill-in long-fill-in matching performance sequencing likert numeric "
    "other".split()
)
# The interaction component lists each interactionType may carry; the others carry none.
_COMPONENT_LISTS = {
    "choice": {"choices"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "matching": {"source", "target"},
    "performance": {"steps"},
}
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"


@cache
def _keys(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STATEMENT = _keys("id actor verb object result context timestamp stored authority version")
_STATEMENT |= {"attachments"}
_SUBSTATEMENT = _keys("objectType actor verb object result context timestamp attachments")
_AGENT = _keys("objectType name mbox mbox_sha1sum openid account")
_GROUP = _AGENT | {"member"}
_DEFINITION = _keys("name description type moreInfo interactionType correctResponsesPattern")
_DEFINITION |= _keys("choices scale source target steps extensions")
_RESULT = _keys("score success completion response duration extensions")
_CONTEXT = _keys("registration instructor team contextActivities revision platform language")
_CONTEXT |= _keys("statement extensions contextAgents contextGroups")
_ATTACHMENT = _keys("usageType display description contentType length sha2 fileUrl")

_MUST_IRI = "must be an IRI"
_MUST_UUID = "must be a UUID in standard string form"
_MUST_TIMESTAMP = "must be an ISO 8601 timestamp with a time zone, such as 2024-09-01T09:30:00.000Z"


def validate_statement(obj: Any) -> dict:
    """Return ``obj`` unchanged if it is a valid statement; otherwise raise StatementInvalid."""
    if not isinstance(obj, dict):
        raise StatementInvalid("statement must be a JSON object")
    _statement(obj, "", substatement=False)
    return obj


def _statement(st: dict, path: str, *, substatement: bool) -> None:
    if substatement:
        for key in ("id", "stored", "version", "authority"):
            _check(key not in st, _join(path, key), "is not allowed in a SubStatement")
        _props(st, path, _SUBSTATEMENT, "actor verb object")
    else:
        _props(st, path, _STATEMENT, "actor verb object")
        _optional(st, "id", f.is_uuid, _MUST_UUID)
        _optional(st, "stored", f.is_timestamp, _MUST_TIMESTAMP)
        _optional(st, "version", f.is_version, "must be 1.0.x or 2.0.x, for example 1.0.0")
        if "authority" in st:
            _authority(st["authority"])
    _actor(st["actor"], _join(path, "actor"))
    verb_id = _verb(st["verb"], _join(path, "verb"))
    kind = _object(st["object"], _join(path, "object"), substatement)
    if verb_id == VOIDED_VERB:
        _check(
            kind == "StatementRef",
            _join(path, "object"),
            "must be a StatementRef when the verb is voided",
        )
    if "result" in st:
        _result(st["result"], _join(path, "result"))
    if "context" in st:
        _context(st["context"], _join(path, "context"), kind == "Activity")
    _optional(st, "timestamp", f.is_timestamp, _MUST_TIMESTAMP, path)
    for i, attachment in enumerate(_list(st.get("attachments", []), _join(path, "attachments"))):
        _attachment(attachment, f"{_join(path, 'attachments')}[{i}]")


def _actor(value: Any, path: str) -> None:
    """An Agent or a Group: as actor, authority, instructor or object."""
    _check(isinstance(value, dict), path, "must be a JSON object")
    kind = value.get("objectType", "Agent")
    _check(kind in ("Agent", "Group"), _join(path, "objectType"), "must be Agent or Group")
    (_agent if kind == "Agent" else _group)(value, path)


def _authority(value: Any) -> None:
    """An Agent, or the Group OAuth makes of the consumer and the user: anonymous, two Agents."""
    _actor(value, "authority")
    if value.get("objectType") != "Group":
        return
    _check(
        not any(key in value for key in _IFIS),
        "authority",
        "must be an Agent or an anonymous Group, not an identified Group",
    )
    _check(
        len(value["member"]) == 2,
        "authority.member",
        "must list exactly two Agents (the OAuth consumer and the user)",
    )


def _agent(value: Any, path: str) -> None:
    _props(value, path, _AGENT)
    _check(value.get("objectType", "Agent") == "Agent", _join(path, "objectType"), "must be Agent")
    _optional(value, "name", _is_str, "must be a string", path)
    _ifi(value, path, required=True)


def _group(value: Any, path: str) -> None:
    _props(value, path, _GROUP, "objectType")
    _check(value["objectType"] == "Group", _join(path, "objectType"), "must be Group")
    _optional(value, "name", _is_str, "must be a string", path)
    identified = _ifi(value, path, required=False)
    where = _join(path, "member")
    _check(identified or "member" in value, where, "is required for an anonymous Group")
    members = _list(value.get("member", []), where)
    _check(identified or bool(members), where, "must list at least one Agent in an anonymous Group")
    for i, member in enumerate(members):
        _check(isinstance(member, dict), f"{where}[{i}]", "must be a JSON object")
        _check(
            member.get("objectType") != "Group", f"{where}[{i}]", "must be an Agent, not a Group"
        )
        _agent(member, f"{where}[{i}]")


def _ifi(value: dict, path: str, *, required: bool) -> bool:
    """Check the inverse functional identifier; True if there is one."""
    present = [key for key in _IFIS if key in value]
    _check(
        len(present) < 2,
        path,
        "must have exactly one inverse functional identifier, not " + ", ".join(present),
    )
    if not present:
        _check(
            not required,
            path,
            "must have an inverse functional identifier: mbox, mbox_sha1sum, openid or account",
        )
        return False
    _optional(value, "mbox", f.is_mailto, "must be a mailto IRI such as mailto:a@example.org", path)
    _optional(value, "mbox_sha1sum", f.is_sha1, "must be 40 hexadecimal digits (SHA-1)", path)
    _optional(value, "openid", f.is_iri, _MUST_IRI, path)
    if "account" in value:
        where = _join(path, "account")
        account = _props(value["account"], where, _keys("homePage name"), "homePage name")
        _check(f.is_iri(account["homePage"]), _join(where, "homePage"), _MUST_IRI)
        _check(
            f.is_irl(account["homePage"]),
            _join(where, "homePage"),
            "must be an IRL with a host, such as https://example.org",
        )
        _check(
            _is_str(account["name"]) and bool(account["name"]),
            _join(where, "name"),
            "must be a non-empty string",
        )
    return True


def _verb(value: Any, path: str) -> Any:
    _props(value, path, _keys("id display"), "id")
    _optional(value, "id", f.is_iri, _MUST_IRI, path)
    if "display" in value:
        _language_map(value["display"], _join(path, "display"))
    return value["id"]


def _object(value: Any, path: str, inside_substatement: bool) -> str:
    """Check a statement's object and return its objectType (Activity when omitted)."""
    _check(isinstance(value, dict), path, "must be a JSON object")
    kind = value.get("objectType", "Activity")
    if "objectType" not in value and any(key in value for key in _IFIS):
        _check(False, _join(path, "objectType"), "is required when the object is an Agent or Group")
    if kind == "Activity":
        _activity(value, path)
    elif kind in ("Agent", "Group"):
        _actor(value, path)
    elif kind == "StatementRef":
        _statement_ref(value, path)
    elif kind == "SubStatement":
        _check(not inside_substatement, path, "must not be a SubStatement inside a SubStatement")
        _statement(value, path, substatement=True)
    else:
        _check(
            False,
            _join(path, "objectType"),
            "must be Activity, Agent, Group, SubStatement or StatementRef",
        )
    return kind


def _statement_ref(value: Any, path: str) -> None:
    _props(value, path, _keys("objectType id"), "objectType id")
    _check(value["objectType"] == "StatementRef", _join(path, "objectType"), "must be StatementRef")
    _optional(value, "id", f.is_uuid, _MUST_UUID, path)


def _activity(value: Any, path: str) -> None:
    _props(value, path, _keys("objectType id definition"), "id")
    kind = value.get("objectType", "Activity")
    _check(kind == "Activity", _join(path, "objectType"), "must be Activity")
    _optional(value, "id", f.is_iri, _MUST_IRI, path)
    if "definition" not in value:
        return
    path = _join(path, "definition")
    definition = _props(value["definition"], path, _DEFINITION)
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], _join(path, key))
    _optional(definition, "type", f.is_iri, _MUST_IRI, path)
    _optional(
        definition, "moreInfo", f.is_irl, "must be an IRL, such as https://example.org/x", path
    )
    if "extensions" in definition:
        _extensions(definition["extensions"], _join(path, "extensions"))
    interaction = definition.get("interactionType")
    known = isinstance(interaction, str) and interaction in INTERACTION_TYPES
    _check(
        interaction is None or known,
        _join(path, "interactionType"),
        "must be one of " + ", ".join(sorted(INTERACTION_TYPES)),
    )
    for key in ("correctResponsesPattern", "choices", "scale", "source", "target", "steps"):
        if key not in definition:
            continue
        where = _join(path, key)
        _check(interaction is not None, where, "needs an interactionType")
        items = _list(definition[key], where)
        if key == "correctResponsesPattern":
            for i, pattern in enumerate(items):
                _check(_is_str(pattern), f"{where}[{i}]", "must be a string")
            continue
        _check(
            key in _COMPONENT_LISTS.get(interaction, ()),
            where,
            f"is not allowed for interactionType {interaction}",
        )
        seen: set[str] = set()
        for i, component in enumerate(items):
            item = f"{where}[{i}]"
            _props(component, item, _keys("id description"), "id")
            cid = component["id"]
            _check(_is_str(cid) and bool(cid), _join(item, "id"), "must be a non-empty string")
            _check(cid not in seen, _join(item, "id"), f"repeats {cid!r}; ids must be distinct")
            seen.add(cid)
            if "description" in component:
                _language_map(component["description"], _join(item, "description"))


def _result(value: Any, path: str) -> None:
    _props(value, path, _RESULT)
    for key in ("success", "completion"):
        _optional(value, key, lambda v: isinstance(v, bool), "must be true or false", path)
    _optional(value, "response", _is_str, "must be a string", path)
    _optional(
        value, "duration", f.is_duration, "must be an ISO 8601 duration such as PT1H30M", path
    )
    if "extensions" in value:
        _extensions(value["extensions"], _join(path, "extensions"))
    if "score" not in value:
        return
    path = _join(path, "score")
    score = _props(value["score"], path, _keys("scaled raw min max"))
    for key, number in score.items():
        _check(_is_number(number), _join(path, key), "must be a number")
    scaled, low, high, raw = (score.get(k) for k in ("scaled", "min", "max", "raw"))
    _check(scaled is None or -1 <= scaled <= 1, _join(path, "scaled"), "must be between -1 and 1")
    _check(low is None or high is None or low < high, _join(path, "min"), "must be less than max")
    _check(raw is None or low is None or raw >= low, _join(path, "raw"), "must not be below min")
    _check(raw is None or high is None or raw <= high, _join(path, "raw"), "must not be above max")


def _context(value: Any, path: str, object_is_activity: bool) -> None:
    _props(value, path, _CONTEXT)
    _optional(value, "registration", f.is_uuid, _MUST_UUID, path)
    for key in ("revision", "platform"):
        _optional(value, key, _is_str, "must be a string", path)
        _check(
            key not in value or object_is_activity,
            _join(path, key),
            "may only be used when the statement's object is an Activity",
        )
    _optional(
        value, "language", f.is_language_tag, "must be an RFC 5646 language tag such as en-GB", path
    )
    if "instructor" in value:
        _actor(value["instructor"], _join(path, "instructor"))
    if "team" in value:
        _team(value["team"], _join(path, "team"))
    if "statement" in value:
        _statement_ref(value["statement"], _join(path, "statement"))
    if "extensions" in value:
        _extensions(value["extensions"], _join(path, "extensions"))
    if "contextActivities" in value:
        where = _join(path, "contextActivities")
        kinds = _props(value["contextActivities"], where, _keys("parent grouping category other"))
        for key, entry in kinds.items():
            _check(
                isinstance(entry, dict | list),
                f"{where}.{key}",
                "must be an Activity or a list of Activities",
            )
            if isinstance(entry, dict):
                _activity(entry, f"{where}.{key}")
            for i, activity in enumerate(entry if isinstance(entry, list) else []):
                _activity(activity, f"{where}.{key}[{i}]")
    # xAPI 2.0: other people and groups involved, each with the types of their involvement.
    for key, kind, member in (
        ("contextAgents", "contextAgent", "agent"),
        ("contextGroups", "contextGroup", "group"),
    ):
        for i, entry in enumerate(_list(value.get(key, []), _join(path, key))):
            item = f"{path}.{key}[{i}]"
            _props(
                entry,
                item,
                frozenset({"objectType", member, "relevantTypes"}),
                f"objectType {member}",
            )
            _check(entry["objectType"] == kind, _join(item, "objectType"), f"must be {kind}")
            if member == "agent":
                _check(isinstance(entry[member], dict), _join(item, member), "must be an Agent")
                _agent(entry[member], _join(item, member))
            else:
                _team(entry[member], _join(item, member))
            if "relevantTypes" in entry:
                types = _list(entry["relevantTypes"], _join(item, "relevantTypes"))
                _check(bool(types), _join(item, "relevantTypes"), "must list at least one IRI")
                for j, iri in enumerate(types):
                    _check(f.is_iri(iri), f"{item}.relevantTypes[{j}]", _MUST_IRI)


def _team(value: Any, path: str) -> None:
    _check(
        isinstance(value, dict) and value.get("objectType") == "Group",
        path,
        "must be a Group (objectType Group)",
    )
    _group(value, path)


def _attachment(value: Any, path: str) -> None:
    _props(value, path, _ATTACHMENT, "usageType display contentType length sha2")
    _optional(value, "usageType", f.is_iri, _MUST_IRI, path)
    _language_map(value["display"], _join(path, "display"))
    if "description" in value:
        _language_map(value["description"], _join(path, "description"))
    _optional(
        value,
        "contentType",
        f.is_media_type,
        "must be an Internet media type such as image/png",
        path,
    )
    length = value["length"]
    _check(
        isinstance(length, int) and not isinstance(length, bool) and length >= 0,
        _join(path, "length"),
        "must be a whole number of octets",
    )
    _optional(value, "sha2", f.is_sha2, "must be a hexadecimal SHA-2 hash", path)
    _optional(value, "fileUrl", f.is_irl, "must be an IRL, such as https://example.org/x", path)


# --- helpers ----------------------------------------------------------------------------------


def _check(ok: bool, path: str, message: str) -> None:
    if not ok:
        raise StatementInvalid(f"{path or 'statement'} {message}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _optional(
    obj: dict, key: str, test: Callable[[Any], bool], message: str, path: str = ""
) -> None:
    """If ``obj`` has ``key``, its value must pass ``test``."""
    if key in obj:
        _check(test(obj[key]), _join(path, key), message)


def _props(value: Any, path: str, allowed: frozenset[str], required: str = "") -> dict:
    """An object with no unknown or null properties and all the required ones."""
    _check(isinstance(value, dict), path, "must be a JSON object")
    # Every statement passes through here several times: the messages are only built for
    # the property that fails.
    for key, item in value.items():
        if key not in allowed:
            hint = next(
                (f" (did you mean {k}?)" for k in allowed if k.lower() == str(key).lower()), ""
            )
            raise StatementInvalid(f"{_join(path, key)} is not an allowed property{hint}")
        if item is None:
            raise StatementInvalid(f"{_join(path, key)} must not be null")
    for key in required.split():
        if key not in value:
            raise StatementInvalid(f"{_join(path, key)} is required")
    return value


def _list(value: Any, path: str) -> list:
    _check(isinstance(value, list), path, "must be a JSON array")
    for i, item in enumerate(value):
        _check(item is not None, f"{path}[{i}]", "must not be null")
    return value


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _language_map(value: Any, path: str) -> None:
    _check(isinstance(value, dict), path, "must be a language map (a JSON object)")
    for tag, text in value.items():
        _check(f.is_language_tag(tag), path, f"has {tag!r}, which is not an RFC 5646 language tag")
        _check(_is_str(text), f"{path}.{tag}", "must be a string")


def _extensions(value: Any, path: str) -> None:
    # Values may be anything, null included; only the keys are constrained.
    _check(isinstance(value, dict), path, "must be a JSON object")
    for key in value:
        _check(f.is_iri(key), path, f"has the key {key!r}, which is not an IRI")
