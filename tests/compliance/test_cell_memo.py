"""The remembered cells of a report are exactly the cells worked out afresh."""

from datetime import date, timedelta
from itertools import product

from elearn.auth.roles import Role, StaffKind
from elearn.compliance.cells import CellMemo, Completion, SignOffs, requirement_cell
from elearn.compliance.requirements import requirements_from
from tests.compliance.conftest import make_catalog

AS_OF = date(2026, 6, 15)
RELEASED = {"policy-sign-off": date(2026, 5, 1)}


def test_memo_gives_the_same_cell_as_working_it_out_for_every_kind_of_input():
    memo = CellMemo(released=RELEASED, as_of=AS_OF, due_days=28)
    starts = [AS_OF - timedelta(days=days) for days in (3, 40, 400)]
    completions = [None] + [
        Completion(AS_OF - timedelta(days=days), expires)
        for days in (10, 330, 400)
        for expires in (None, AS_OF - timedelta(days=days) + timedelta(days=365))
    ]
    sign_offs = [
        None,
        SignOffs(current_on=AS_OF - timedelta(days=5), signed_any=True),
        SignOffs(current_on=None, signed_any=True),
    ]
    roles = [Role.STAFF, Role.DSL, Role.HEAD]
    kinds = [None, StaffKind.TEACHER, StaffKind.VOLUNTEER]
    checked = 0
    # Twice over, so the second pass is answered from the memo.
    for _ in range(2):
        for requirement, role, kind, start, latest, signed in product(
            requirements_from(make_catalog()), roles, kinds, starts, completions, sign_offs
        ):
            expected = requirement_cell(
                requirement,
                role=role,
                staff_kind=kind,
                start_on=start,
                latest=latest,
                signed=signed,
                released_on=RELEASED.get(requirement.course_id),
                as_of=AS_OF,
                due_days=28,
            )
            got = memo.cell(
                requirement,
                role=role,
                staff_kind=kind,
                start_on=start,
                latest=latest,
                signed=signed,
            )
            assert got == expected, (requirement.course_id, role, kind, start, latest, signed)
            checked += 1
    assert checked > 1000
