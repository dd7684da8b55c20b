"""The pieces :mod:`elearn.xapi.builders.statements` assembles a statement from (private to it).

A statement about an activity has two kinds of part. The activities (the object, with its
definition, and the context activities) depend only on the course content, so they are the same
for everyone who reads a lesson or answers a question; building and serialising them with
``tincan`` is most of the cost of a statement. :class:`ActivityParts` holds them serialised once,
so the builders can cache them. The rest (id, actor, verb, result, context, timestamp) is about
one person and one moment, and :func:`assemble` writes it as plain JSON in a fixed shape.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tincan import (
    Activity,
    ActivityDefinition,
    ActivityList,
    ContextActivities,
    InteractionComponent,
    InteractionComponentList,
    LanguageMap,
    StatementRef,
)

from elearn.xapi.builders.interactions import InteractionKind
from elearn.xapi.builders.verbs import LANGUAGE, ActivityType, Verb
from elearn.xapi.formats import format_duration, format_timestamp
from elearn.xapi.validation import validate_statement

PLATFORM = "elearn"


# --- tincan models ----------------------------------------------------------------------------


def make_activity(
    iri: str,
    kind: ActivityType,
    name: str | None = None,
    description: str | None = None,
    **definition: Any,
) -> Activity:
    """An Activity with a definition; ``name`` and ``description`` in elearn's language."""
    parts = {"type": kind.value, **definition}
    if name is not None:
        parts["name"] = LanguageMap({LANGUAGE: name})
    if description is not None:
        parts["description"] = LanguageMap({LANGUAGE: description})
    return Activity(id=iri, object_type="Activity", definition=ActivityDefinition(**parts))


def question_activity(
    iri: str,
    interaction: InteractionKind,
    prompt: str,
    title: str | None,
    *,
    choices: Sequence[tuple[str, str]] = (),
    source: Sequence[tuple[str, str]] = (),
    target: Sequence[tuple[str, str]] = (),
    patterns: Sequence[str] | None = None,
) -> Activity:
    """A quiz question as an interaction activity: its components and correct responses."""
    lists: dict[str, Any] = {}
    for key, items in (("choices", choices), ("source", source), ("target", target)):
        if items:
            lists[key] = InteractionComponentList(
                [
                    InteractionComponent(id=cid, description=LanguageMap({LANGUAGE: text}))
                    for cid, text in items
                ]
            )
    if patterns is not None:
        lists["correct_responses_pattern"] = list(patterns)
    return make_activity(
        iri,
        ActivityType.INTERACTION,
        title,
        prompt,
        interaction_type=interaction.value,
        **lists,
    )


def make_result(
    *,
    success: bool | None = None,
    completion: bool | None = None,
    response: str | None = None,
    duration: timedelta | None = None,
    score: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A statement's ``result`` as JSON; leave out what does not apply."""
    result: dict[str, Any] = {}
    if score is not None:
        result["score"] = dict(score)
    if success is not None:
        result["success"] = success
    if completion is not None:
        result["completion"] = completion
    if response is not None:
        result["response"] = response
    if duration is not None:
        # At most 0.01 s precision, as the spec asks.
        result["duration"] = format_duration(duration)
    return result


def make_score(
    *, raw: float, min_score: float, max_score: float, scaled: float
) -> dict[str, float]:
    # Always floats, as tincan wrote them: "raw": 4.0 in every statement, old and new.
    return {
        "scaled": float(scaled),
        "raw": float(raw),
        "min": float(min_score),
        "max": float(max_score),
    }


# --- assembling a statement -------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class ActivityParts:
    """A statement's object Activity and its context activities, serialised by ``tincan`` once.

    Only JSON text is kept, and every statement gets dicts freshly parsed from it, so a caller
    that changes a statement it was handed cannot change the next one built from these parts.
    """

    iri: str
    # JSON for the pair [object, contextActivities or null].
    text: str
    # Set once a whole statement built from these parts has passed validation (see assemble).
    checked: bool = False

    @classmethod
    def of(
        cls, target: Activity, parents: Sequence[Activity] = (), grouping: Sequence[Activity] = ()
    ) -> ActivityParts:
        """Serialise ``target`` and its ``parents`` and ``grouping`` context activities."""
        activities = None
        if parents or grouping:
            activities = ContextActivities(
                parent=ActivityList(list(parents)) if parents else None,
                grouping=ActivityList(list(grouping)) if grouping else None,
            ).as_version()
        return cls(target.id, json.dumps([target.as_version(), activities]))


def assemble(
    *,
    statement_id: uuid.UUID | str,
    home: str,
    actor_name: str,
    verb: Verb,
    target: ActivityParts | StatementRef,
    when: datetime,
    registration: uuid.UUID | str | None,
    result: dict[str, Any] | None,
    revision: str | None,
) -> dict:
    """Write the per-person parts as JSON, add ``target``; validate what content decides.

    ``home`` is the site IRI and ``when`` an aware UTC datetime. ``platform`` (and
    ``revision``) are only written when the object is an Activity, as the spec requires; a
    voiding statement gets no context unless a registration is given. No ``version``: a
    provider should not set it, and the LRS records the version it accepted.
    """
    data: dict[str, Any] = {
        "id": str(as_uuid(statement_id)),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": actor_name}},
        "verb": {"id": verb.iri, "display": verb.display_map()},
        # UTC to the millisecond, the precision the spec asks LRSs to keep.
        "timestamp": format_timestamp(when),
    }
    if result:
        data["result"] = result
    if not isinstance(target, ActivityParts):
        data["object"] = target.as_version()
        if registration is not None:
            data["context"] = {"registration": str(as_uuid(registration))}
        return validate_statement(data)
    obj, activities = json.loads(target.text)
    data["object"] = obj
    context: dict[str, Any] = {}
    if registration is not None:
        context["registration"] = str(as_uuid(registration))
    if activities is not None:
        context["contextActivities"] = activities
    context["platform"] = PLATFORM
    context["language"] = LANGUAGE
    if revision is not None:
        context["revision"] = revision
    data["context"] = context
    # What varies with the content (the activities) is validated the first time each is
    # used, in a whole statement; what varies per person and moment is written above in a
    # fixed shape, which tests/xapi/test_builders_valid.py validates for every event kind over
    # every shipped content item. So a statement elearn builds for itself is not put through
    # the incoming-statement validator again on every answer.
    if not target.checked:
        validate_statement(data)
        target.checked = True
    return data


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """A UUID object, never a string: tincan's own check refuses versions 6 to 8 and upper case."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
