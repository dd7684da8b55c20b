"""The academy dashboard costs the same number of SQL statements for 10 staff or 1,000."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from elearn.auth.models import Academy, User
from elearn.auth.roles import Role, StaffKind
from elearn.compliance.rules import expiry_for_completion
from elearn.compliance.status import Status, academy_matrix
from elearn.learning.models import CourseCycle, PolicySignOff
from tests.compliance.conftest import REFRESHER
from tests.factories import _PASSWORD_HASH as PASSWORD_HASH

AS_OF = date(2026, 6, 15)


def _staff_academy(db, name: str, size: int) -> Academy:
    """An academy of ``size`` staff with a spread of histories, inserted in bulk."""
    academy = Academy(name=name, code=name.lower().replace(" ", "-"))
    db.add(academy)
    db.flush()
    people = [
        User(
            username=f"{academy.code}-{n}",
            display_name=f"Person {n:04d} {name}",
            role=Role.DSL if n == 0 else Role.HEAD if n == 1 else Role.STAFF,
            academy_id=academy.id,
            staff_kind=StaffKind.VOLUNTEER if n % 10 == 9 else StaffKind.TEACHER,
            start_on=date(2018, 9, 1) + timedelta(days=n),
            password_hash=PASSWORD_HASH if n == 0 else None,
        )
        for n in range(size)
    ]
    db.add_all(people)
    db.flush()
    cycles, sign_offs = [], []
    for n, person in enumerate(people):
        if n % 3:
            done = date(2025, 1, 1) + timedelta(days=n % 300)
            for year_back in (2, 1, 0):
                on = done - timedelta(days=365 * year_back)
                cycles.append(
                    CourseCycle(
                        user_id=person.id,
                        course_id="safeguarding-refresher",
                        course_version=1,
                        started_at=datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
                        completed_at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
                        completed_on=on,
                        expires_on=expiry_for_completion(REFRESHER, on, None),
                    )
                )
        if n % 2:
            sign_offs.append(
                PolicySignOff(
                    user_id=person.id,
                    course_id="policy-sign-off",
                    policy_version="2026.1",
                    statement="I have read it.",
                    signed_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
                )
            )
    db.add_all(cycles + sign_offs)
    db.commit()
    return academy


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _dashboard_statements(app, catalog, academy_id):
    engine = app.extensions["elearn.engine"]
    with app.extensions["elearn.sessionmaker"]() as session, counting(engine) as statements:
        matrix = academy_matrix(session, catalog, academy_id=academy_id, as_of=AS_OF)
    return matrix, statements


def test_dashboard_query_count_does_not_grow_with_staff(app, db, catalog):
    small = _staff_academy(db, "Small Academy", 10)
    large = _staff_academy(db, "Large Academy", 1000)

    small_matrix, small_statements = _dashboard_statements(app, catalog, small.id)
    large_matrix, large_statements = _dashboard_statements(app, catalog, large.id)

    assert len(small_matrix.rows) == 10
    assert len(large_matrix.rows) == 1000
    # Real work was done for every person: statuses from history and sign-offs.
    assert large_matrix.counts[Status.COMPLETE].people > 300
    assert large_matrix.counts[Status.OVERDUE].people > 300
    assert len(small_statements) == len(large_statements)
    assert len(large_statements) <= 7


def test_trust_wide_query_count_matches_one_academy(app, db, catalog):
    one = _staff_academy(db, "Only Academy", 10)
    _, academy_statements = _dashboard_statements(app, catalog, one.id)
    for n in range(5):
        _staff_academy(db, f"Extra Academy {n}", 40)
    trust, trust_statements = _dashboard_statements(app, catalog, None)
    assert len(trust.everyone) == 210
    assert len(trust_statements) == len(academy_statements)


def _page_statements(app, client, username):
    engine = app.extensions["elearn.engine"]
    client.login(username)
    assert client.get("/compliance/").status_code == 200  # first view notes the policy version
    with counting(engine) as statements:
        response = client.get("/compliance/")
    assert response.status_code == 200
    client.logout()
    return response.get_data(as_text=True), statements


def test_dashboard_page_costs_the_same_for_10_or_1000_staff(app, db, client, app_catalog):
    _staff_academy(db, "Small Academy", 10)
    _staff_academy(db, "Large Academy", 1000)

    small_page, small = _page_statements(app, client, "small-academy-0")
    large_page, large = _page_statements(app, client, "large-academy-0")

    assert "10 of 10 staff shown" in small_page
    assert "1000 of 1000 staff shown" in large_page
    assert len(small) == len(large)
