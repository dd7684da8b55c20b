"""The shapes of statements a GET returns: the ``ids``, ``exact`` and ``canonical`` formats.

``exact`` is the statement as stored. ``ids`` keeps only what identifies each agent, group,
activity and verb (for an anonymous group, its members' identifiers; for an activity, its id
without ``objectType``). ``canonical`` is
``exact`` with every language map of verbs and activities narrowed to the one language that
best fits the request's Accept-Language: elearn keeps no separate canonical definitions of
activities, so each statement's own maps are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def format_statement(statement: dict, fmt: str, languages: Sequence[str] = ()) -> dict:
    """A stored statement in the ``ids``, ``exact`` or ``canonical`` format."""
    if fmt == "ids":
        return _ids_statement(statement)
    if fmt == "canonical":
        return _canonical_statement(statement, languages)
    return statement


def best_language(available: Sequence[str], preferences: Sequence[str]) -> str:
    """The entry of a language map to show for these preferences (best first).

    An exact tag wins, then a range that is a prefix of a tag (``en`` fits ``en-GB``), then a
    tag that is a prefix of the range; with no fit, the map's first entry.
    """
    by_lower = {tag.lower(): tag for tag in available}
    for preference in preferences:
        wanted = preference.lower()
        if wanted == "*":
            break
        if wanted in by_lower:
            return by_lower[wanted]
        for tag in available:
            lower = tag.lower()
            if lower.startswith(wanted + "-") or wanted.startswith(lower + "-"):
                return tag
    return available[0]


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out: dict[str, Any] = {}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    ifi = next((key for key in _IFIS if key in agent), None)
    if ifi is not None:
        out[ifi] = agent[ifi]
    elif isinstance(agent.get("member"), list):
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _ids_activity(activity: Any) -> Any:
    # Its id alone: an object without objectType is an Activity, so nothing is lost.
    if not isinstance(activity, dict):
        return activity
    return {"id": activity["id"]} if "id" in activity else {}


def _ids_object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return _ids_activity(obj)
    if kind in ("Agent", "Group"):
        return _ids_agent(obj)
    if kind == "SubStatement":
        return _ids_statement(obj)
    return obj


def _ids_context(context: Any) -> Any:
    if not isinstance(context, dict):
        return context
    out = dict(context)
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _ids_agent(out[key])
    if isinstance(out.get("contextActivities"), dict):
        out["contextActivities"] = {
            kind: [_ids_activity(a) for a in value]
            if isinstance(value, list)
            else _ids_activity(value)
            for kind, value in out["contextActivities"].items()
        }
    for key, member in (("contextAgents", "agent"), ("contextGroups", "group")):
        if isinstance(out.get(key), list):
            out[key] = [
                {**entry, member: _ids_agent(entry.get(member))}
                if isinstance(entry, dict)
                else entry
                for entry in out[key]
            ]
    return out


def _ids_statement(statement: dict) -> dict:
    out = dict(statement)
    for key in ("actor", "authority"):
        if key in out:
            out[key] = _ids_agent(out[key])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    if "object" in out:
        out["object"] = _ids_object(out["object"])
    if "context" in out:
        out["context"] = _ids_context(out["context"])
    return out


_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def _narrow(language_map: Any, languages: Sequence[str]) -> Any:
    if not isinstance(language_map, dict) or len(language_map) <= 1:
        return language_map
    chosen = best_language(list(language_map), languages)
    return {chosen: language_map[chosen]}


def _canonical_activity(activity: Any, languages: Sequence[str]) -> Any:
    if not isinstance(activity, dict) or not isinstance(activity.get("definition"), dict):
        return activity
    definition = dict(activity["definition"])
    for key in ("name", "description"):
        if key in definition:
            definition[key] = _narrow(definition[key], languages)
    for key in _COMPONENT_LISTS:
        if isinstance(definition.get(key), list):
            definition[key] = [
                {**c, "description": _narrow(c["description"], languages)}
                if isinstance(c, dict) and "description" in c
                else c
                for c in definition[key]
            ]
    return {**activity, "definition": definition}


def _canonical_statement(statement: dict, languages: Sequence[str]) -> dict:
    out = dict(statement)
    if isinstance(out.get("verb"), dict) and "display" in out["verb"]:
        out["verb"] = {**out["verb"], "display": _narrow(out["verb"]["display"], languages)}
    obj = out.get("object")
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = _canonical_activity(obj, languages)
        elif kind == "SubStatement":
            out["object"] = _canonical_statement(obj, languages)
    context = out.get("context")
    if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
        out["context"] = {
            **context,
            "contextActivities": {
                kind: [_canonical_activity(a, languages) for a in value]
                if isinstance(value, list)
                else _canonical_activity(value, languages)
                for kind, value in context["contextActivities"].items()
            },
        }
    return out
