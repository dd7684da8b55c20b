"""The xAPI verbs and activity types elearn uses, in one place.

Every statement elearn writes takes its verb from :data:`VERBS` and its activity types from
:class:`ActivityType`, so a report or an external LRS query can rely on a small, fixed vocabulary.
All verbs are ADL's own (``http://adlnet.gov/expapi/verbs/<name>``), which every LRS and
reporting tool already understands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"

#: Language tag for the verb and activity names elearn writes (British English).
LANGUAGE = "en-GB"


@dataclass(frozen=True)
class Verb:
    """One verb: a short key used in code, its IRI, and the word shown to people."""

    key: str
    iri: str
    display: str

    def display_map(self) -> dict[str, str]:
        """The display text as an xAPI language map."""
        return {LANGUAGE: self.display}


EXPERIENCED = Verb("experienced", ADL_VERBS + "experienced", "experienced")
ATTEMPTED = Verb("attempted", ADL_VERBS + "attempted", "attempted")
ANSWERED = Verb("answered", ADL_VERBS + "answered", "answered")
PASSED = Verb("passed", ADL_VERBS + "passed", "passed")
FAILED = Verb("failed", ADL_VERBS + "failed", "failed")
COMPLETED = Verb("completed", ADL_VERBS + "completed", "completed")
VOIDED = Verb("voided", ADL_VERBS + "voided", "voided")

POLICY_SIGNED_OFF: Verb = COMPLETED
"""The verb for a staff member's "I have read and understood the policy" sign-off.

ADL's vocabulary has no "acknowledged" or "attested", so the choice is between its existing
verbs. ``completed`` ("the actor finished or concluded the activity normally") fits: the
activity is reading one version of the policy document, and it is finished only when the reader
confirms the declaration; until then nothing is recorded. The alternatives say the wrong thing:
``experienced`` claims only that the page was seen, which is exactly what a sign-off must prove
more than; ``mastered`` claims tested competence; ``answered``/``responded`` imply a question;
``registered``/``attended`` describe enrolment or presence. Reusing ``completed`` keeps one IRI
with one meaning (finishing an activity); the object's activity type (a policy document, with
the policy version in its id) is what tells a sign-off apart from finishing a course.
"""

VERBS: Mapping[str, Verb] = MappingProxyType(
    {
        verb.key: verb
        for verb in (EXPERIENCED, ATTEMPTED, ANSWERED, PASSED, FAILED, COMPLETED, VOIDED)
    }
)
"""Every verb elearn writes, keyed by :attr:`Verb.key`."""

_BY_IRI: Mapping[str, Verb] = MappingProxyType({verb.iri: verb for verb in VERBS.values()})


def verb_for_iri(iri: str) -> Verb | None:
    """The registered verb with this IRI, or None for a verb elearn does not write."""
    return _BY_IRI.get(iri)


class ActivityType(StrEnum):
    """Activity type IRIs for the things a statement can be about."""

    COURSE = "http://adlnet.gov/expapi/activities/course"
    LESSON = "http://adlnet.gov/expapi/activities/lesson"
    MODULE = "http://adlnet.gov/expapi/activities/module"
    ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
    # The spec asks interaction activities (quiz questions) to carry this type.
    INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
    # ADL has no document type; the widely used Tin Can registry one says "a document".
    POLICY_DOCUMENT = "http://id.tincanapi.com/activitytype/document"
