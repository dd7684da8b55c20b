"""The pieces :mod:`elearn.xapi.builders.statements` assembles a statement from (private to it).

A statement about an activity has two kinds of part. The activities (the object, with its
definition, and the context activities) depend only on the course content, so they are the same
for everyone who reads a lesson or answers a question; building and serialising them with
``tincan`` is most of the cost of a statement. :class:`ActivityParts` holds them serialised once,
so the builders can cache them. The rest (id, actor, verb, result, context, timestamp) is about
one person and one moment, and :func:`assemble` builds it with ``tincan`` every time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tincan import (
    Activity,
    ActivityDefinition,
    ActivityList,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    InteractionComponent,
    InteractionComponentList,
    LanguageMap,
    Result,
    Score,
    Statement,
    StatementRef,
)
from tincan import Verb as TincanVerb

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
    score: Score | None = None,
) -> Result:
    """A Result; leave out what does not apply."""
    return Result(
        success=success, completion=completion, response=response, duration=duration, score=score
    )


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
    result: Result | None,
    revision: str | None,
) -> dict:
    """Build the per-person parts with ``tincan``, add ``target``, correct and validate.

    ``home`` is the site IRI and ``when`` an aware UTC datetime. ``platform`` (and
    ``revision``) are only written when the object is an Activity, as the spec requires; a
    voiding statement gets no context unless a registration is given.
    """
    context = None
    if isinstance(target, ActivityParts):
        context = Context(
            registration=as_uuid(registration) if registration is not None else None,
            platform=PLATFORM,
            language=LANGUAGE,
            revision=revision,
        )
    elif registration is not None:
        context = Context(registration=as_uuid(registration))
    statement = Statement(
        id=as_uuid(statement_id),
        actor=Agent(object_type="Agent", account=AgentAccount(home_page=home, name=actor_name)),
        verb=_tincan_verb(verb),
        object=target if isinstance(target, StatementRef) else None,
        result=result,
        context=context,
        timestamp=when,
    )
    # as_version is what tincan's to_json dumps: fresh, JSON-ready dicts and lists (the shared
    # verb included), so there is no need to round-trip through JSON text.
    data = statement.as_version()
    fix_up(data, when, result)
    if not isinstance(target, ActivityParts):
        return validate_statement(data)
    # Most of validate_statement's work is in the activity definitions, which are the same in
    # every statement built from one ActivityParts. So the first statement built from them is
    # validated whole, and later ones with a bare Activity of the same id standing in for the
    # object and without the context activities. That still checks every per-person part, and
    # the only rules that tie parts together (a voided verb needs a StatementRef object;
    # platform and revision need an Activity object) depend only on the object's type, which the
    # stand-in shares. A new rule linking the result or context to the activity's definition
    # would have to be checked here too.
    obj, activities = json.loads(target.text)
    if target.checked:
        validate_statement({**data, "object": {"objectType": "Activity", "id": target.iri}})
    data["object"] = obj
    if activities is not None:
        data["context"]["contextActivities"] = activities
    if not target.checked:
        validate_statement(data)
        target.checked = True
    return data


@cache
def _tincan_verb(verb: Verb) -> TincanVerb:
    # Statements share the instance: tincan only reads it when serialising.
    return TincanVerb(id=verb.iri, display=LanguageMap(verb.display_map()))


def fix_up(data: dict, when: datetime, result: Result | None) -> None:
    """Correct tincan's serialisation where it departs from the spec or from our conventions."""
    # tincan stamps every statement "version": "1.0.3"; a provider should not set the version
    # at all, and if it does it must say 1.0.0. The LRS records the version it accepted.
    data.pop("version", None)
    # tincan writes datetime.isoformat(): microseconds and "+00:00", and no zone at all for a
    # naive datetime. Write UTC to the millisecond, the precision the spec asks LRSs to keep.
    data["timestamp"] = format_timestamp(when)
    # tincan writes durations to the microsecond; the spec asks for at most 0.01 s precision.
    if result is not None and result.duration is not None:
        data["result"]["duration"] = format_duration(result.duration)


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """A UUID object, never a string: tincan's own check refuses versions 6 to 8 and upper case."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
