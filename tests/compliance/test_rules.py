"""Date rules for required training, including the edges a DSL would trip over."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from elearn.catalog.schema import Recurrence
from elearn.compliance.rules import (
    add_months,
    expiry_for_completion,
    first_due_on,
    uk_date,
    window_opens_on,
)

INDUCTION = Recurrence(kind="induction", due_days_after_start=28)
REFRESHER_PREVIOUS = Recurrence(
    kind="recurring",
    due_days_after_start=28,
    valid_months=12,
    window_days=60,
    expiry_from="previous_expiry",
)
REFRESHER_COMPLETION = Recurrence(
    kind="recurring",
    due_days_after_start=28,
    valid_months=12,
    window_days=60,
    expiry_from="completion",
)
DSL_TRAINING = Recurrence(
    kind="recurring",
    due_days_after_start=28,
    valid_months=24,
    window_days=90,
    expiry_from="previous_expiry",
)


# --- start date + N days ----------------------------------------------------------------------


def test_induction_is_due_the_set_number_of_days_after_the_start_date():
    assert first_due_on(INDUCTION, date(2026, 9, 1)) == date(2026, 9, 29)


def test_first_due_date_crosses_the_end_of_the_year():
    assert first_due_on(REFRESHER_PREVIOUS, date(2025, 12, 20)) == date(2026, 1, 17)


def test_first_due_date_lands_on_leap_day_only_in_a_leap_year():
    assert first_due_on(INDUCTION, date(2028, 2, 1)) == date(2028, 2, 29)
    assert first_due_on(INDUCTION, date(2027, 2, 1)) == date(2027, 3, 1)


def test_due_on_the_start_date_itself_when_no_days_are_allowed():
    same_day = Recurrence(kind="induction", due_days_after_start=0)
    assert first_due_on(same_day, date(2026, 4, 20)) == date(2026, 4, 20)


def test_no_start_date_means_no_first_due_date():
    assert first_due_on(INDUCTION, None) is None


# --- calendar months --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 3), 12, date(2027, 3, 3)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 10), -1, date(2025, 12, 10)),
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
    ],
)
def test_add_months_keeps_the_day_inside_the_target_month(day, months, expected):
    assert add_months(day, months) == expected


# --- expiry -----------------------------------------------------------------------------------


def test_induction_and_untracked_courses_never_expire():
    assert expiry_for_completion(INDUCTION, date(2026, 1, 5), None) is None
    assert expiry_for_completion(None, date(2026, 1, 5), None) is None


@pytest.mark.parametrize("recurrence", [REFRESHER_PREVIOUS, REFRESHER_COMPLETION])
def test_first_completion_counts_from_the_completion_date(recurrence):
    assert expiry_for_completion(recurrence, date(2026, 3, 3), None) == date(2027, 3, 3)


def test_dsl_training_lasts_two_years():
    assert expiry_for_completion(DSL_TRAINING, date(2026, 3, 3), None) == date(2028, 3, 3)


def test_early_renewal_in_the_window_gives_no_extra_time_from_previous_expiry():
    previous = date(2027, 3, 3)
    early = previous - timedelta(days=50)  # well inside the 60-day window
    assert expiry_for_completion(REFRESHER_PREVIOUS, early, previous) == date(2028, 3, 3)


def test_early_renewal_in_the_window_counts_from_completion_when_the_course_says_so():
    previous = date(2027, 3, 3)
    early = date(2027, 1, 12)
    assert expiry_for_completion(REFRESHER_COMPLETION, early, previous) == date(2028, 1, 12)


def test_renewal_on_the_expiry_day_still_counts_from_previous_expiry():
    previous = date(2027, 3, 3)
    assert expiry_for_completion(REFRESHER_PREVIOUS, previous, previous) == date(2028, 3, 3)


@pytest.mark.parametrize("recurrence", [REFRESHER_PREVIOUS, REFRESHER_COMPLETION])
def test_late_renewal_after_expiry_restarts_from_the_completion_date(recurrence):
    previous = date(2027, 3, 3)
    late = date(2027, 5, 20)
    assert expiry_for_completion(recurrence, late, previous) == date(2028, 5, 20)


def test_late_renewal_one_day_after_expiry_loses_the_previous_base():
    previous = date(2027, 3, 3)
    assert expiry_for_completion(REFRESHER_PREVIOUS, date(2027, 3, 4), previous) == date(2028, 3, 4)


def test_leap_day_completion_expires_on_the_last_day_of_february():
    assert expiry_for_completion(REFRESHER_COMPLETION, date(2028, 2, 29), None) == date(2029, 2, 28)
    assert expiry_for_completion(DSL_TRAINING, date(2028, 2, 29), None) == date(2030, 2, 28)


def test_renewing_on_time_from_a_leap_day_expiry_keeps_the_chain():
    # Completed 29 Feb 2024 -> expires 28 Feb 2025; renewed early -> 28 Feb 2026, not 1 March.
    first = expiry_for_completion(REFRESHER_PREVIOUS, date(2024, 2, 29), None)
    assert first == date(2025, 2, 28)
    assert expiry_for_completion(REFRESHER_PREVIOUS, date(2025, 1, 10), first) == date(2026, 2, 28)


# --- renewal window ---------------------------------------------------------------------------


def test_window_opens_the_set_number_of_days_before_expiry():
    assert window_opens_on(REFRESHER_PREVIOUS, date(2027, 3, 3)) == date(2027, 1, 2)
    assert window_opens_on(DSL_TRAINING, date(2028, 3, 3)) == date(2027, 12, 4)


def test_window_before_a_leap_day_expiry():
    assert window_opens_on(REFRESHER_PREVIOUS, date(2028, 2, 29)) == date(2027, 12, 31)


def test_a_course_without_a_window_opens_on_the_expiry_day():
    assert window_opens_on(INDUCTION, date(2027, 3, 3)) == date(2027, 3, 3)


# --- UK dates from UTC times ------------------------------------------------------------------


def test_summer_evening_after_midnight_in_london_is_the_next_day():
    # 23:30 UTC in July is 00:30 British Summer Time.
    assert uk_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == date(2026, 7, 2)


def test_winter_evening_is_the_same_day_in_london():
    # In January London is on GMT, so 23:30 UTC is still 23:30 the same day.
    assert uk_date(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == date(2026, 1, 15)


def test_midnight_utc_is_midnight_in_winter_and_one_am_in_summer():
    assert uk_date(datetime(2026, 1, 1, 0, 0, tzinfo=UTC)) == date(2026, 1, 1)
    assert uk_date(datetime(2026, 6, 30, 23, 0, tzinfo=UTC)) == date(2026, 7, 1)
    assert uk_date(datetime(2026, 6, 30, 22, 59, tzinfo=UTC)) == date(2026, 6, 30)


def test_clocks_going_forward_and_back():
    # Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October.
    assert uk_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 28)
    assert uk_date(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == date(2026, 3, 30)
    assert uk_date(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert uk_date(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)


def test_other_zones_are_converted_to_london():
    new_york = timezone(timedelta(hours=-5))
    assert uk_date(datetime(2026, 1, 15, 20, 0, tzinfo=new_york)) == date(2026, 1, 16)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        uk_date(datetime(2026, 1, 15, 12, 0))


def test_renewal_at_midnight_utc_on_the_expiry_eve_in_summer_is_on_time():
    previous = date(2026, 7, 2)
    finished = uk_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC))  # 00:30 on 2 July in London
    assert expiry_for_completion(REFRESHER_PREVIOUS, finished, previous) == date(2027, 7, 2)


def test_renewal_just_after_midnight_london_on_the_day_after_expiry_is_late():
    previous = date(2026, 7, 2)
    finished = uk_date(datetime(2026, 7, 2, 23, 30, tzinfo=UTC))  # 00:30 on 3 July in London
    assert expiry_for_completion(REFRESHER_PREVIOUS, finished, previous) == date(2027, 7, 3)


def test_renewal_at_23_30_utc_on_a_winter_expiry_day_is_on_time():
    previous = date(2026, 1, 15)
    finished = uk_date(datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    assert expiry_for_completion(REFRESHER_PREVIOUS, finished, previous) == date(2027, 1, 15)
