"""Builders for the xAPI statements elearn records, one small function per learning event.

Each builder takes plain values (ids, titles, numbers, an aware UTC datetime) and returns a
JSON-ready ``dict``. Statements are assembled from the ``tincan`` package's models and serialised
by it, then corrected where its output falls short of the spec (see :func:`_fix_up`), and finally
checked with :func:`elearn.xapi.validation.validate_statement`, so a builder never hands back a
statement an LRS would refuse.

Privacy: the actor is always an Agent identified only by an account on this site
(``homePage`` = the site's base URL, ``name`` = the person's opaque id). No builder accepts a
person's name or e-mail address, so none can leak into the learning record.

Activity ids are IRIs under the site's base URL::

    {base}/xapi/activities/course/<course-id>
    {base}/xapi/activities/course/<course-id>/lesson/<lesson-id>
    {base}/xapi/activities/course/<course-id>/quiz
    {base}/xapi/activities/question/<question-id>
    {base}/xapi/activities/policy/<policy-id>/version/<version>
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from tincan import (
    Activity,
    ActivityDefinition,
    ActivityList,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    Extensions,
    InteractionComponent,
    InteractionComponentList,
    LanguageMap,
    Result,
    Score,
    Statement,
    StatementRef,
)
from tincan import Verb as TincanVerb

from elearn.xapi.formats import format_duration, format_timestamp, utc
from elearn.xapi.interactions import InteractionKind, format_response, interaction_kind
from elearn.xapi.validation import validate_statement
from elearn.xapi.verbs import (
    ANSWERED,
    ATTEMPTED,
    COMPLETED,
    EXPERIENCED,
    FAILED,
    LANGUAGE,
    PASSED,
    POLICY_SIGNED_OFF,
    VOIDED,
    ActivityType,
    Verb,
)

PLATFORM = "elearn"


# --- IRIs -------------------------------------------------------------------------------------


def site_iri(base_url: str) -> str:
    """The site's base URL as used for ``account.homePage``: absolute, no trailing slash."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    return base_url.rstrip("/")


def activity_iri(base_url: str, *segments: str) -> str:
    """An activity id under ``{base}/xapi/activities/``, each segment percent-encoded."""
    if not segments or any(not str(s) for s in segments):
        raise ValueError("activity ids need non-empty path segments")
    path = "/".join(quote(str(s), safe="") for s in segments)
    return f"{site_iri(base_url)}/xapi/activities/{path}"


def course_iri(base_url: str, course_id: str) -> str:
    return activity_iri(base_url, "course", course_id)


def lesson_iri(base_url: str, course_id: str, lesson_id: str) -> str:
    return activity_iri(base_url, "course", course_id, "lesson", lesson_id)


def quiz_iri(base_url: str, course_id: str) -> str:
    return activity_iri(base_url, "course", course_id, "quiz")


def question_iri(base_url: str, question_id: str) -> str:
    # Question ids are unique per bank and a bank can serve several courses, so the question
    # (one activity wherever it is asked) does not sit under a course.
    return activity_iri(base_url, "question", question_id)


def policy_iri(base_url: str, policy_id: str, version: str) -> str:
    # Each policy version is its own activity: signing version 2 says nothing about version 3.
    return activity_iri(base_url, "policy", policy_id, "version", version)


def extension_iri(base_url: str, name: str) -> str:
    """An extension key elearn defines, under ``{base}/xapi/extensions/``."""
    return f"{site_iri(base_url)}/xapi/extensions/{quote(name, safe='')}"


# --- the general builder ----------------------------------------------------------------------


def build_statement(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    verb: Verb,
    target: Activity | StatementRef,
    timestamp: datetime,
    registration: uuid.UUID | str | None = None,
    parents: Sequence[Activity] = (),
    grouping: Sequence[Activity] = (),
    result: Result | None = None,
    revision: str | None = None,
) -> dict:
    """Assemble, serialise, correct and validate one statement.

    ``target`` is the statement's object. ``parents`` and ``grouping`` become
    ``context.contextActivities``. ``platform`` (and ``revision``) are only written when the
    object is an Activity, as the spec requires; a voiding statement gets no context unless a
    registration is given.
    """
    if not actor_name:
        raise ValueError("actor_name must be the person's opaque id, not empty")
    home = site_iri(base_url)
    when = utc(timestamp)
    context = None
    if isinstance(target, Activity):
        activities = ContextActivities(
            parent=ActivityList(list(parents)) if parents else None,
            grouping=ActivityList(list(grouping)) if grouping else None,
        )
        context = Context(
            registration=_uuid(registration) if registration is not None else None,
            context_activities=activities if parents or grouping else None,
            platform=PLATFORM,
            language=LANGUAGE,
            revision=revision,
        )
    elif registration is not None:
        context = Context(registration=_uuid(registration))
    statement = Statement(
        id=_uuid(statement_id),
        actor=Agent(object_type="Agent", account=AgentAccount(home_page=home, name=actor_name)),
        verb=TincanVerb(id=verb.iri, display=LanguageMap(verb.display_map())),
        object=target,
        result=result,
        context=context,
        timestamp=when,
    )
    data = json.loads(statement.to_json())
    _fix_up(data, when, result)
    return validate_statement(data)


def _fix_up(data: dict, when: datetime, result: Result | None) -> None:
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


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    # A UUID object, never a string: tincan's own check refuses versions 6 to 8 and upper case.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _activity(
    iri: str,
    kind: ActivityType,
    name: str | None = None,
    description: str | None = None,
    **definition: Any,
) -> Activity:
    parts = {"type": kind.value, **definition}
    if name is not None:
        parts["name"] = LanguageMap({LANGUAGE: name})
    if description is not None:
        parts["description"] = LanguageMap({LANGUAGE: description})
    return Activity(id=iri, object_type="Activity", definition=ActivityDefinition(**parts))


def _result(
    *,
    success: bool | None = None,
    completion: bool | None = None,
    response: str | None = None,
    duration: timedelta | None = None,
    score: Score | None = None,
) -> Result:
    return Result(
        success=success, completion=completion, response=response, duration=duration, score=score
    )


# --- one builder per learning event -----------------------------------------------------------


def lesson_experienced(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
    course_id: str,
    lesson_id: str,
    lesson_title: str,
    duration: timedelta | None = None,
) -> dict:
    """Someone read a lesson of a course."""
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=EXPERIENCED,
        target=_activity(
            lesson_iri(base_url, course_id, lesson_id), ActivityType.LESSON, lesson_title
        ),
        timestamp=timestamp,
        registration=registration,
        parents=[_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
        result=_result(duration=duration) if duration is not None else None,
    )


def quiz_attempted(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
    course_id: str,
    quiz_title: str,
) -> dict:
    """Someone started an attempt at a course's quiz."""
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=ATTEMPTED,
        target=_activity(quiz_iri(base_url, course_id), ActivityType.ASSESSMENT, quiz_title),
        timestamp=timestamp,
        registration=registration,
        parents=[_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
    )


def question_answered(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
    course_id: str,
    question_id: str,
    kind: InteractionKind | str,
    prompt: str,
    response: Any,
    success: bool | None,
    choices: Sequence[tuple[str, str]] = (),
    source: Sequence[tuple[str, str]] = (),
    target: Sequence[tuple[str, str]] = (),
    correct_responses: Sequence[Any] | None = None,
    question_title: str | None = None,
    duration: timedelta | None = None,
) -> dict:
    """Someone answered one quiz question.

    ``kind`` is an xAPI interaction type or a GIFT question type (see :func:`interaction_kind`).
    ``response`` and each of ``correct_responses`` take the shape :func:`format_response`
    describes for that kind. ``choices`` (choice) and ``source``/``target`` (matching) are
    ``(id, text)`` pairs. ``success`` is None for answers that are not marked (an essay).
    Leave ``correct_responses`` None when any answer is right or it cannot be listed; an empty
    list means no answer is right. ``prompt`` (the question text) becomes the activity's
    description and ``question_title`` its name. The spec makes the quiz the parent of a
    question, so the quiz is ``parent`` and the course is ``grouping``.
    """
    interaction = interaction_kind(kind)
    lists: dict[str, Any] = {}
    for key, items in (("choices", choices), ("source", source), ("target", target)):
        if items:
            lists[key] = InteractionComponentList(
                [
                    InteractionComponent(id=cid, description=LanguageMap({LANGUAGE: text}))
                    for cid, text in items
                ]
            )
    if correct_responses is not None:
        patterns = [format_response(interaction, value) for value in correct_responses]
        lists["correct_responses_pattern"] = patterns
    question = _activity(
        question_iri(base_url, question_id),
        ActivityType.INTERACTION,
        question_title,
        prompt,
        interaction_type=interaction.value,
        **lists,
    )
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=ANSWERED,
        target=question,
        timestamp=timestamp,
        registration=registration,
        parents=[_activity(quiz_iri(base_url, course_id), ActivityType.ASSESSMENT)],
        grouping=[_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
        result=_result(
            success=success, response=format_response(interaction, response), duration=duration
        ),
    )


def quiz_result(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
    course_id: str,
    quiz_title: str,
    raw: float,
    max_score: float,
    passed: bool,
    min_score: float = 0,
    duration: timedelta | None = None,
) -> dict:
    """Someone finished a quiz attempt: ``passed`` or ``failed``, with the score.

    ``scaled`` is the raw score's position between ``min_score`` and ``max_score`` (0 to 1).
    """
    if not min_score < max_score:
        raise ValueError("min_score must be less than max_score")
    if not min_score <= raw <= max_score:
        raise ValueError("raw must lie between min_score and max_score")
    scaled = round((raw - min_score) / (max_score - min_score), 4)
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=PASSED if passed else FAILED,
        target=_activity(quiz_iri(base_url, course_id), ActivityType.ASSESSMENT, quiz_title),
        timestamp=timestamp,
        registration=registration,
        parents=[_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
        result=_result(
            success=passed,
            completion=True,
            duration=duration,
            score=Score(raw=raw, min=min_score, max=max_score, scaled=scaled),
        ),
    )


def course_completed(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
    course_id: str,
    course_title: str,
    success: bool | None = None,
    duration: timedelta | None = None,
) -> dict:
    """Someone completed a course. The course is the object, so it has no parent activity."""
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=COMPLETED,
        target=_activity(course_iri(base_url, course_id), ActivityType.COURSE, course_title),
        timestamp=timestamp,
        registration=registration,
        result=_result(completion=True, success=success, duration=duration),
    )


def policy_signed_off(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
    policy_id: str,
    policy_version: str,
    policy_title: str,
    declaration: str,
    course_id: str | None = None,
) -> dict:
    """A staff member confirmed they have read and understood one version of a policy.

    The object is the policy document for that version: the version is in the activity id and
    in the ``policy-version`` activity extension, and the sentence they confirmed is the
    activity's description. ``course_id`` names the sign-off course, recorded as the parent.
    """
    version_key = extension_iri(base_url, "policy-version")
    policy = _activity(
        policy_iri(base_url, policy_id, policy_version),
        ActivityType.POLICY_DOCUMENT,
        f"{policy_title} (version {policy_version})",
        declaration,
        extensions=Extensions({version_key: policy_version}),
    )
    parents = [_activity(course_iri(base_url, course_id), ActivityType.COURSE)] if course_id else []
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=POLICY_SIGNED_OFF,
        target=policy,
        timestamp=timestamp,
        registration=registration,
        parents=parents,
        result=_result(completion=True, success=True),
    )


def voiding(
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    voided_statement_id: uuid.UUID | str,
) -> dict:
    """``actor_name`` (an administrator) voids an earlier statement recorded in error."""
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=VOIDED,
        target=StatementRef(object_type="StatementRef", id=_uuid(voided_statement_id)),
        timestamp=timestamp,
    )
