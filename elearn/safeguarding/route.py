"""The trust's cyberbullying route as a checklist, worked out from a record's chronology.

Pure: takes the record's facts, returns the steps with whether each has been recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from elearn.safeguarding.models import CyberAction, PerpetratorKind


@dataclass(frozen=True)
class RouteStep:
    action: CyberAction
    title: str
    when: str
    done: bool


def _step(action: CyberAction, when: str, done: set[CyberAction]) -> RouteStep:
    return RouteStep(action=action, title=action.label, when=when, done=action in done)


def cyberbullying_route(
    perpetrator: PerpetratorKind | None, actions: Iterable[CyberAction | None]
) -> list[RouteStep]:
    """The steps that apply to this record, in the order the policy takes them."""
    done = {action for action in actions if action is not None}
    steps: list[RouteStep] = []
    if perpetrator in (
        PerpetratorKind.PUPIL,
        PerpetratorKind.COLLEAGUE,
        PerpetratorKind.UNKNOWN,
        None,
    ):
        steps.append(
            _step(
                CyberAction.ACADEMY_PROCEDURES,
                "When the person responsible is a current pupil or a colleague, most cases "
                "are dealt with through the academy's own procedures.",
                done,
            )
        )
    if perpetrator in (PerpetratorKind.ADULT, PerpetratorKind.UNKNOWN, None):
        steps += [
            _step(
                CyberAction.VICTIM_MEETING,
                "When an adult is responsible, a senior member of staff invites the person "
                "targeted to a meeting about their concerns.",
                done,
            ),
            _step(
                CyberAction.REMOVAL_REQUESTED,
                "Where appropriate, ask the person responsible to take the content down.",
                done,
            ),
            _step(
                CyberAction.ESCALATED_TO_CEO,
                "If they will not remove it, report the incident and the content to the "
                "trust's CEO, who decides what happens next.",
                done,
            ),
            _step(
                CyberAction.REPORTED_TO_PLATFORM,
                "The next step may be a formal letter, or using the platform's own reporting "
                "route if the content breaks its terms.",
                done,
            ),
        ]
    steps.append(
        _step(
            CyberAction.POLICE_CONTACTED,
            "Always, if the content is threatening, abusive, sexist, of a sexual nature or a "
            "hate crime.",
            done,
        )
    )
    return steps
