"""Each status a DSL can see, worked out from real rows in the database."""

from datetime import date

from elearn.auth.roles import Role, StaffKind
from elearn.compliance.models import PolicyRelease
from elearn.compliance.status import Filters, Status, academy_matrix
from tests.compliance.conftest import complete, make_catalog, sign

AS_OF = date(2026, 6, 15)


def matrix(db, catalog, academy, as_of=AS_OF, **filters):
    return academy_matrix(
        db,
        catalog,
        academy_id=academy.id if academy is not None else None,
        as_of=as_of,
        filters=Filters(**filters),
    )


def row_for(m, user):
    [row] = [r for r in m.everyone if r.user_id == user.id]
    return row


def test_new_starter_has_everything_due_soon_with_dates(db, make, catalog):
    academy = make.academy()
    newbie = make.user(Role.STAFF, academy, start_on=date(2026, 6, 10))
    row = row_for(matrix(db, catalog, academy), newbie)

    induction = row.cell("staff-induction")
    assert induction.status is Status.WINDOW_OPEN
    assert induction.due_on == date(2026, 7, 8)
    assert induction.label == "Due soon — by 8 July 2026"
    assert row.cell("safeguarding-refresher").status is Status.WINDOW_OPEN
    assert row.cell("dsl-training").status is Status.NOT_REQUIRED
    assert row.cell("policy-sign-off").status is Status.WINDOW_OPEN


def test_never_completed_after_the_due_date_is_overdue(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy, start_on=date(2026, 5, 1))
    cell = row_for(matrix(db, catalog, academy), person).cell("staff-induction")
    assert cell.status is Status.OVERDUE
    assert cell.due_on == date(2026, 5, 29)
    assert cell.label == "Overdue — was due 29 May 2026"


def test_due_date_today_is_still_due_soon_and_yesterday_is_overdue(db, make, catalog):
    academy = make.academy()
    today = make.user(Role.STAFF, academy, start_on=date(2026, 5, 18))
    yesterday = make.user(Role.STAFF, academy, start_on=date(2026, 5, 17))
    m = matrix(db, catalog, academy)
    assert row_for(m, today).cell("staff-induction").status is Status.WINDOW_OPEN
    assert row_for(m, yesterday).cell("staff-induction").status is Status.OVERDUE


def test_completed_induction_is_complete_for_good(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy, start_on=date(2019, 9, 1))
    complete(db, person, "staff-induction", date(2019, 9, 20))
    cell = row_for(matrix(db, catalog, academy), person).cell("staff-induction")
    assert cell.status is Status.COMPLETE
    assert cell.label == "Complete — done 20 September 2019"
    assert cell.valid_until is None


def test_refresher_in_date_before_the_window_is_complete_with_valid_until(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy)
    complete(db, person, "safeguarding-refresher", date(2025, 9, 1))
    cell = row_for(matrix(db, catalog, academy), person).cell("safeguarding-refresher")
    assert cell.status is Status.COMPLETE
    assert cell.valid_until == date(2026, 9, 1)
    assert cell.label == "Complete — valid until 1 September 2026"


def test_refresher_inside_its_window_is_due_soon(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy)
    complete(db, person, "safeguarding-refresher", date(2025, 7, 20))
    cell = row_for(matrix(db, catalog, academy), person).cell("safeguarding-refresher")
    assert cell.status is Status.WINDOW_OPEN
    assert cell.opens_on == date(2026, 5, 21)
    assert cell.label == "Due soon — renew by 20 July 2026"
    assert cell.in_date


def test_window_opens_on_its_first_day(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy)
    # Expires 14 August 2026; the 60-day window opens on 15 June 2026.
    complete(db, person, "safeguarding-refresher", date(2025, 8, 14))
    m_before = matrix(db, catalog, academy, as_of=date(2026, 6, 14))
    m_on = matrix(db, catalog, academy, as_of=date(2026, 6, 15))
    assert row_for(m_before, person).cell("safeguarding-refresher").status is Status.COMPLETE
    assert row_for(m_on, person).cell("safeguarding-refresher").status is Status.WINDOW_OPEN


def test_lapsed_refresher_is_expired_from_its_expiry_day(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy)
    complete(db, person, "safeguarding-refresher", date(2025, 6, 15))
    cell = row_for(matrix(db, catalog, academy), person).cell("safeguarding-refresher")
    assert cell.status is Status.EXPIRED
    assert cell.label == "Expired — lapsed 15 June 2026"
    day_before = matrix(db, catalog, academy, as_of=date(2026, 6, 14))
    assert row_for(day_before, person).cell("safeguarding-refresher").status is (Status.WINDOW_OPEN)


def test_the_latest_cycle_counts_and_older_ones_stay(db, make, catalog):
    from sqlalchemy import func, select

    from elearn.learning.models import CourseCycle

    academy = make.academy()
    person = make.user(Role.STAFF, academy)
    first = complete(db, person, "safeguarding-refresher", date(2024, 5, 1))
    complete(db, person, "safeguarding-refresher", date(2025, 4, 20), previous=first.expires_on)
    cell = row_for(matrix(db, catalog, academy), person).cell("safeguarding-refresher")
    # Renewed inside the window: the new expiry counts from the previous one.
    assert cell.valid_until == date(2026, 5, 1)
    assert cell.status is Status.EXPIRED
    assert cell.last_completed_on == date(2025, 4, 20)
    assert db.scalar(select(func.count()).select_from(CourseCycle)) == 2


def test_exempt_volunteers_and_other_roles_are_not_required(db, make, catalog):
    academy = make.academy()
    volunteer = make.user(Role.STAFF, academy, staff_kind=StaffKind.VOLUNTEER)
    teacher = make.user(Role.STAFF, academy)
    m = matrix(db, catalog, academy)
    refresher = row_for(m, volunteer).cell("safeguarding-refresher")
    assert refresher.status is Status.NOT_REQUIRED
    assert refresher.label == "Not required"
    # Volunteers still do the induction.
    assert row_for(m, volunteer).cell("staff-induction").required
    assert row_for(m, teacher).cell("dsl-training").status is Status.NOT_REQUIRED


def test_dsl_training_is_required_of_dsls(db, make, catalog):
    academy = make.academy()
    dsl = make.user(Role.DSL, academy)
    complete(db, dsl, "dsl-training", date(2025, 1, 10))
    cell = row_for(matrix(db, catalog, academy), dsl).cell("dsl-training")
    assert cell.status is Status.COMPLETE
    assert cell.valid_until == date(2027, 1, 10)


def test_policy_signed_for_the_current_version_is_complete(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy)
    sign(db, person, date(2026, 3, 2))
    cell = row_for(matrix(db, catalog, academy), person).cell("policy-sign-off")
    assert cell.status is Status.COMPLETE
    assert cell.label == "Complete — version 2026.1 signed 2 March 2026"


def test_a_new_policy_version_makes_everyone_due_again(db, make):
    academy = make.academy()
    signed_old = make.user(Role.STAFF, academy, start_on=date(2020, 1, 6))
    never = make.user(Role.STAFF, academy, start_on=date(2020, 1, 6))
    newbie = make.user(Role.STAFF, academy, start_on=date(2026, 6, 1))
    sign(db, signed_old, date(2025, 10, 1), version="2025.1")
    db.add(
        PolicyRelease(course_id="policy-sign-off", version="2026.2", first_seen_on=date(2026, 5, 1))
    )
    db.commit()
    m = matrix(db, make_catalog(policy_version="2026.2"), academy)

    old = row_for(m, signed_old).cell("policy-sign-off")
    assert old.status is Status.EXPIRED
    assert old.due_on == date(2026, 5, 29)
    assert old.label == "Expired — version 2026.2 was due 29 May 2026"
    assert row_for(m, never).cell("policy-sign-off").status is Status.OVERDUE
    # A new starter gets four weeks from their start, not from the release.
    fresh = row_for(m, newbie).cell("policy-sign-off")
    assert fresh.status is Status.WINDOW_OPEN
    assert fresh.due_on == date(2026, 6, 29)
    assert m.unrecorded_policies == ()


def test_an_unrecorded_policy_version_counts_from_today(db, make, catalog):
    academy = make.academy()
    person = make.user(Role.STAFF, academy, start_on=date(2020, 1, 6))
    m = matrix(db, catalog, academy)
    assert row_for(m, person).cell("policy-sign-off").due_on == date(2026, 7, 13)
    assert m.unrecorded_policies == (("policy-sign-off", "2026.1"),)


def test_no_start_date_counts_from_when_the_account_was_made(db, make, catalog):
    from elearn.db import utcnow

    academy = make.academy()
    person = make.user(Role.STAFF, academy, start_on=None)
    today = utcnow().date()
    cell = row_for(matrix(db, catalog, academy, as_of=today), person).cell("staff-induction")
    assert cell.status is Status.WINDOW_OPEN
    assert (cell.due_on - today).days in (27, 28, 29)


def test_only_active_staff_of_the_academy_are_listed(db, make, catalog):
    academy, other = make.academy(), make.academy()
    staff = make.user(Role.STAFF, academy)
    dsl = make.user(Role.DSL, academy)
    head = make.user(Role.HEAD, academy)
    make.user(Role.STAFF, academy, active=False)
    make.user(Role.PUPIL, academy)
    make.user(Role.PARENT, academy)
    make.user(Role.ADMIN, None)
    elsewhere = make.user(Role.STAFF, other)
    m = matrix(db, catalog, academy)
    assert {r.user_id for r in m.everyone} == {staff.id, dsl.id, head.id}

    trust = matrix(db, catalog, None)
    assert {r.user_id for r in trust.everyone} == {staff.id, dsl.id, head.id, elsewhere.id}
    assert {a.id for a in trust.academies} == {academy.id, other.id}


def test_academy_without_an_in_date_dsl_is_flagged(db, make, catalog):
    trained = make.academy("Trained Academy")
    lapsed = make.academy("Lapsed Academy")
    empty = make.academy("No DSL Academy")
    gone = make.academy("Leaver Academy")
    complete(db, make.user(Role.DSL, trained), "dsl-training", date(2025, 1, 10))
    complete(db, make.user(Role.DSL, lapsed), "dsl-training", date(2024, 3, 1))
    make.user(Role.STAFF, empty)
    leaver = make.user(Role.DSL, gone, active=False)
    complete(db, leaver, "dsl-training", date(2026, 1, 5))

    trust = matrix(db, catalog, None)
    assert trust.dsl_flagged == {lapsed.id, empty.id, gone.id}
    assert matrix(db, catalog, trained).dsl_flagged == frozenset()
    assert matrix(db, catalog, lapsed).dsl_flagged == {lapsed.id}


def test_dsl_renewing_inside_the_window_is_not_flagged(db, make, catalog):
    academy = make.academy()
    complete(db, make.user(Role.DSL, academy), "dsl-training", date(2024, 7, 1))
    # Expires 1 July 2026: in its window on 15 June, still in date.
    assert matrix(db, catalog, academy).dsl_flagged == frozenset()


def test_counts_by_status_count_people_and_requirements(db, make, catalog):
    academy = make.academy()
    make.user(Role.STAFF, academy, start_on=date(2020, 1, 6))  # overdue on three
    done = make.user(Role.STAFF, academy, start_on=date(2020, 1, 6))
    complete(db, done, "staff-induction", date(2020, 1, 20))
    m = matrix(db, catalog, academy)
    assert m.counts[Status.OVERDUE].people == 2
    assert m.counts[Status.OVERDUE].cells == 3  # induction once, refresher twice
    assert m.counts[Status.COMPLETE].people == 1
    assert m.counts[Status.NOT_REQUIRED].cells == 2


def test_filters_by_status_course_and_role(db, make, catalog):
    academy = make.academy()
    late = make.user(Role.STAFF, academy, display_name="Late Larry", start_on=date(2020, 1, 6))
    dsl = make.user(Role.DSL, academy, display_name="Dee Dsl", start_on=date(2020, 1, 6))
    for course_id in ("staff-induction", "safeguarding-refresher"):
        complete(db, dsl, course_id, date(2026, 1, 5))
    complete(db, dsl, "dsl-training", date(2026, 1, 5))
    sign(db, dsl, date(2026, 1, 5))

    overdue = matrix(db, catalog, academy, status=Status.OVERDUE)
    assert [r.name for r in overdue.rows] == ["Late Larry"]
    by_course = matrix(db, catalog, academy, course_id="dsl-training")
    assert [r.course_id for r in by_course.requirements] == ["dsl-training"]
    assert len(by_course.rows) == 2
    overdue_dsl = matrix(db, catalog, academy, course_id="dsl-training", status=Status.OVERDUE)
    assert overdue_dsl.rows == ()
    dsls = matrix(db, catalog, academy, role=Role.DSL)
    assert [r.user_id for r in dsls.rows] == [dsl.id]
    assert late.id not in {r.user_id for r in dsls.rows}


def test_sorting_by_name_and_by_a_requirement(db, make, catalog):
    academy = make.academy()
    alice = make.user(Role.STAFF, academy, display_name="Alice Able")
    bob = make.user(Role.STAFF, academy, display_name="Bob Baker", start_on=date(2026, 6, 1))
    cara = make.user(Role.STAFF, academy, display_name="Cara Cole")
    complete(db, cara, "staff-induction", date(2020, 9, 10))

    by_name = matrix(db, catalog, academy)
    assert [r.name for r in by_name.rows] == ["Alice Able", "Bob Baker", "Cara Cole"]
    backwards = matrix(db, catalog, academy, descending=True)
    assert [r.name for r in backwards.rows] == ["Cara Cole", "Bob Baker", "Alice Able"]
    urgent_first = matrix(db, catalog, academy, sort="staff-induction")
    assert [r.user_id for r in urgent_first.rows] == [alice.id, bob.id, cara.id]
    done_first = matrix(db, catalog, academy, sort="staff-induction", descending=True)
    assert [r.user_id for r in done_first.rows] == [cara.id, bob.id, alice.id]


def test_filters_from_a_query_string_ignore_nonsense():
    ids = ("staff-induction", "dsl-training")
    parsed = Filters.parse(
        {"status": "overdue", "course": "dsl-training", "role": "dsl", "sort": "role"}, ids
    )
    assert parsed == Filters(Status.OVERDUE, "dsl-training", Role.DSL, "role")
    junk = Filters.parse({"status": "late", "course": "x", "role": "admin", "sort": "x'--"}, ids)
    assert junk == Filters()
    assert Filters(status=Status.OVERDUE).query(sort="name", dir="desc") == {
        "status": "overdue",
        "sort": "name",
        "dir": "desc",
    }
