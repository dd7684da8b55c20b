"""The xAPI statements elearn records: one table of learning-event kinds, one way to build.

Each event kind (:data:`EVENT_KINDS`) holds plain values (ids, titles, numbers) and says its
verb, its activity and its result; :func:`statement_for` adds the envelope (id, actor, an aware
UTC time, registration) and returns a JSON-ready ``dict``. Statements are assembled from the
``tincan`` package's models for the activities (serialised once per content item and checked
with :func:`elearn.xapi.validation.validate_statement` in the first statement that uses them)
and plain JSON for the parts about the person and the moment, whose fixed shape the tests
validate for every event kind over every shipped content item; so elearn never hands an LRS a
statement it would refuse, without validating its own statements again on every answer.

The activities a statement is about depend only on course content, so each event kind
serialises them once per set of inputs and caches them (see :mod:`elearn.xapi.builders.parts`);
only the parts about the person and the moment are built for every statement.

Privacy: the actor is always an Agent identified only by an account on this site
(``homePage`` = the site's base URL, ``name`` = the person's opaque id). No event kind holds a
person's name or e-mail address, so none can leak into the learning record.

Activity ids are IRIs under the site's base URL::

    {base}/xapi/activities/course/<course-id>
    {base}/xapi/activities/course/<course-id>/lesson/<lesson-id>
    {base}/xapi/activities/course/<course-id>/quiz
    {base}/xapi/activities/question/<question-id>
    {base}/xapi/activities/policy/<policy-id>/version/<version>
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from tincan import Activity, Extensions, StatementRef

from elearn.xapi.builders.interactions import InteractionKind, format_response, interaction_kind
from elearn.xapi.builders.parts import PLATFORM as PLATFORM  # part of this module's interface
from elearn.xapi.builders.parts import (
    ActivityParts,
    as_uuid,
    assemble,
    make_activity,
    make_result,
    make_score,
    question_activity,
)
from elearn.xapi.builders.verbs import (
    ANSWERED,
    ATTEMPTED,
    COMPLETED,
    EXPERIENCED,
    FAILED,
    PASSED,
    POLICY_SIGNED_OFF,
    VOIDED,
    ActivityType,
    Verb,
)
from elearn.xapi.formats import utc

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
    target: Activity | ActivityParts | StatementRef,
    timestamp: datetime,
    registration: uuid.UUID | str | None = None,
    parents: Sequence[Activity] = (),
    grouping: Sequence[Activity] = (),
    result: dict[str, Any] | None = None,
    revision: str | None = None,
) -> dict:
    """Assemble, serialise, correct and validate one statement.

    ``target`` is the statement's object; the builders pass it as :class:`ActivityParts`, already
    serialised together with its context activities. Otherwise ``parents`` and ``grouping``
    become ``context.contextActivities``. ``platform`` (and ``revision``) are only written when
    the object is an Activity, as the spec requires; a voiding statement gets no context unless
    a registration is given.
    """
    if not actor_name:
        raise ValueError("actor_name must be the person's opaque id, not empty")
    if isinstance(target, Activity):
        target = ActivityParts.of(target, parents, grouping)
    elif isinstance(target, ActivityParts) and (parents or grouping):
        raise ValueError("ActivityParts already hold their context activities")
    return assemble(
        statement_id=statement_id,
        home=site_iri(base_url),
        actor_name=actor_name,
        verb=verb,
        target=target,
        when=utc(timestamp),
        registration=registration,
        result=result,
        revision=revision,
    )


# --- the learning events ---------------------------------------------------------------------
# Every statement about a learning event has the same envelope (id, actor, time, registration,
# the site); an event kind says only what differs: its verb, the activity it is about and its
# result. :func:`statement_for` puts the two together.


class LearningEvent:
    """One kind of learning event. Subclasses are frozen dataclasses of the event's facts."""

    VERB: ClassVar[Verb]

    def verb(self) -> Verb:
        return self.VERB

    def activity(self, base_url: str) -> ActivityParts:
        raise NotImplementedError

    def result(self) -> dict[str, Any] | None:
        return None


@dataclass(frozen=True, kw_only=True)
class LessonExperienced(LearningEvent):
    """Someone read a lesson of a course."""

    VERB = EXPERIENCED
    course_id: str
    lesson_id: str
    lesson_title: str
    duration: timedelta | None = None

    def activity(self, base_url: str) -> ActivityParts:
        return _lesson_parts(base_url, self.course_id, self.lesson_id, self.lesson_title)

    def result(self) -> dict[str, Any] | None:
        return make_result(duration=self.duration) if self.duration is not None else None


@dataclass(frozen=True, kw_only=True)
class QuizAttempted(LearningEvent):
    """Someone started an attempt at a course's quiz."""

    VERB = ATTEMPTED
    course_id: str
    quiz_title: str

    def activity(self, base_url: str) -> ActivityParts:
        return _quiz_parts(base_url, self.course_id, self.quiz_title)


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(LearningEvent):
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

    VERB = ANSWERED
    course_id: str
    question_id: str
    kind: InteractionKind | str
    prompt: str
    response: Any
    success: bool | None
    choices: Sequence[tuple[str, str]] = ()
    source: Sequence[tuple[str, str]] = ()
    target: Sequence[tuple[str, str]] = ()
    correct_responses: Sequence[Any] | None = None
    question_title: str | None = None
    duration: timedelta | None = None

    def activity(self, base_url: str) -> ActivityParts:
        interaction = interaction_kind(self.kind)
        patterns = None
        if self.correct_responses is not None:
            patterns = tuple(format_response(interaction, each) for each in self.correct_responses)
        return _question_parts(
            base_url,
            self.course_id,
            self.question_id,
            interaction,
            self.prompt,
            self.question_title,
            tuple(map(tuple, self.choices)),
            tuple(map(tuple, self.source)),
            tuple(map(tuple, self.target)),
            patterns,
        )

    def result(self) -> dict[str, Any] | None:
        response = format_response(interaction_kind(self.kind), self.response)
        return make_result(success=self.success, response=response, duration=self.duration)


@dataclass(frozen=True, kw_only=True)
class QuizFinished(LearningEvent):
    """Someone finished a quiz attempt: ``passed`` or ``failed``, with the score.

    ``scaled`` is the raw score's position between ``min_score`` and ``max_score`` (0 to 1).
    """

    course_id: str
    quiz_title: str
    raw: float
    max_score: float
    passed: bool
    min_score: float = 0
    duration: timedelta | None = None

    def __post_init__(self) -> None:
        if not self.min_score < self.max_score:
            raise ValueError("min_score must be less than max_score")
        if not self.min_score <= self.raw <= self.max_score:
            raise ValueError("raw must lie between min_score and max_score")

    def verb(self) -> Verb:
        return PASSED if self.passed else FAILED

    def activity(self, base_url: str) -> ActivityParts:
        return _quiz_parts(base_url, self.course_id, self.quiz_title)

    def result(self) -> dict[str, Any] | None:
        scaled = round((self.raw - self.min_score) / (self.max_score - self.min_score), 4)
        return make_result(
            success=self.passed,
            completion=True,
            duration=self.duration,
            score=make_score(
                raw=self.raw, min_score=self.min_score, max_score=self.max_score, scaled=scaled
            ),
        )


@dataclass(frozen=True, kw_only=True)
class CourseCompleted(LearningEvent):
    """Someone completed a course. The course is the object, so it has no parent activity."""

    VERB = COMPLETED
    course_id: str
    course_title: str
    success: bool | None = None
    duration: timedelta | None = None

    def activity(self, base_url: str) -> ActivityParts:
        return _course_parts(base_url, self.course_id, self.course_title)

    def result(self) -> dict[str, Any] | None:
        return make_result(completion=True, success=self.success, duration=self.duration)


@dataclass(frozen=True, kw_only=True)
class PolicySignedOff(LearningEvent):
    """A staff member confirmed they have read and understood one version of a policy.

    The object is the policy document for that version: the version is in the activity id and
    in the ``policy-version`` activity extension, and the sentence they confirmed is the
    activity's description. ``course_id`` names the sign-off course, recorded as the parent.
    """

    VERB = POLICY_SIGNED_OFF
    policy_id: str
    policy_version: str
    policy_title: str
    declaration: str
    course_id: str | None = None

    def activity(self, base_url: str) -> ActivityParts:
        return _policy_parts(
            base_url,
            self.policy_id,
            self.policy_version,
            self.policy_title,
            self.declaration,
            self.course_id,
        )

    def result(self) -> dict[str, Any] | None:
        return make_result(completion=True, success=True)


EVENT_KINDS: tuple[type[LearningEvent], ...] = (
    LessonExperienced,
    QuizAttempted,
    QuestionAnswered,
    QuizFinished,
    CourseCompleted,
    PolicySignedOff,
)


def statement_for(
    event: LearningEvent,
    *,
    statement_id: uuid.UUID | str,
    base_url: str,
    actor_name: str,
    timestamp: datetime,
    registration: uuid.UUID | str,
) -> dict:
    """The statement that records ``event`` for the person whose opaque id is ``actor_name``."""
    return build_statement(
        statement_id=statement_id,
        base_url=base_url,
        actor_name=actor_name,
        verb=event.verb(),
        target=event.activity(base_url),
        timestamp=timestamp,
        registration=registration,
        result=event.result(),
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
        target=StatementRef(object_type="StatementRef", id=as_uuid(voided_statement_id)),
        timestamp=timestamp,
    )


# --- the activities, built once ---------------------------------------------------------------
# Each function below serialises the activities of one kind of statement. They depend only on
# course content (and the site), so they are cached: a quiz submission reuses one question's
# parts for every learner, and the quiz and course parts for every statement of the attempt.
# The arguments are the whole key, so they must all be hashable (tuples, not lists).

_CACHE_SIZE = 4096


@lru_cache(maxsize=_CACHE_SIZE)
def _lesson_parts(base_url: str, course_id: str, lesson_id: str, title: str) -> ActivityParts:
    return ActivityParts.of(
        make_activity(lesson_iri(base_url, course_id, lesson_id), ActivityType.LESSON, title),
        parents=[make_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
    )


@lru_cache(maxsize=_CACHE_SIZE)
def _quiz_parts(base_url: str, course_id: str, title: str) -> ActivityParts:
    return ActivityParts.of(
        make_activity(quiz_iri(base_url, course_id), ActivityType.ASSESSMENT, title),
        parents=[make_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
    )


@lru_cache(maxsize=_CACHE_SIZE)
def _course_parts(base_url: str, course_id: str, title: str) -> ActivityParts:
    return ActivityParts.of(
        make_activity(course_iri(base_url, course_id), ActivityType.COURSE, title)
    )


@lru_cache(maxsize=_CACHE_SIZE)
def _question_parts(
    base_url: str,
    course_id: str,
    question_id: str,
    interaction: InteractionKind,
    prompt: str,
    title: str | None,
    choices: tuple[tuple[str, str], ...],
    source: tuple[tuple[str, str], ...],
    target: tuple[tuple[str, str], ...],
    patterns: tuple[str, ...] | None,
) -> ActivityParts:
    question = question_activity(
        question_iri(base_url, question_id),
        interaction,
        prompt,
        title,
        choices=choices,
        source=source,
        target=target,
        patterns=patterns,
    )
    return ActivityParts.of(
        question,
        parents=[make_activity(quiz_iri(base_url, course_id), ActivityType.ASSESSMENT)],
        grouping=[make_activity(course_iri(base_url, course_id), ActivityType.COURSE)],
    )


@lru_cache(maxsize=_CACHE_SIZE)
def _policy_parts(
    base_url: str,
    policy_id: str,
    version: str,
    title: str,
    declaration: str,
    course_id: str | None,
) -> ActivityParts:
    version_key = extension_iri(base_url, "policy-version")
    policy = make_activity(
        policy_iri(base_url, policy_id, version),
        ActivityType.POLICY_DOCUMENT,
        f"{title} (version {version})",
        declaration,
        extensions=Extensions({version_key: version}),
    )
    parents = (
        [make_activity(course_iri(base_url, course_id), ActivityType.COURSE)] if course_id else []
    )
    return ActivityParts.of(policy, parents=parents)
