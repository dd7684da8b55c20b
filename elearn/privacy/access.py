"""Who may make which copy of a subject access export.

The person's copy (no confidential sections) is made by trust administrators, who answer
subject access requests. The safeguarding lead's copy also holds the words of safeguarding
reports, so only the DSL or head teacher of the person's own academy may make it: they are
the only people who read those reports at all, and they decide case by case what of them
may be disclosed. A trust administrator does not get it, or the export would become a way
round the rule that nobody outside the academy's safeguarding team reads a report.
"""

from __future__ import annotations

from elearn.auth import permissions as can
from elearn.auth.models import User


def can_make_persons_copy(actor: object) -> bool:
    return can.can_manage_trust_settings(actor)


def can_make_dsl_copy(actor: object, person: User) -> bool:
    academy_id = getattr(actor, "academy_id", None)
    return (
        can.is_safeguarding_lead(actor)
        and academy_id is not None
        and person.academy_id == academy_id
        and person.erased_at is None
    )


def can_make_copy(actor: object, person: User, copy: str) -> bool:
    return can_make_dsl_copy(actor, person) if copy == "dsl" else can_make_persons_copy(actor)
