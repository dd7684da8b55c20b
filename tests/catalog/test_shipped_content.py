"""The courses, lessons and banks shipped in the repository pass every content check."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearn.auth.roles import Role, StaffKind
from elearn.catalog.itemwriting import review_content
from elearn.catalog.loader import check_content, load_catalog
from elearn.catalog.rendering import render_lesson

REPO_ROOT = Path(__file__).resolve().parents[2]

SHIPPED_COURSES = [
    "staff-induction",
    "safeguarding-refresher",
    "smart-ks2",
    "smart-ks3",
    "parent-guidance",
    "policy-sign-off",
    "dsl-training",
]


def test_shipped_content_has_no_errors() -> None:
    errors = check_content(REPO_ROOT)

    assert errors == [], "\n".join(str(e) for e in errors)


def test_shipped_content_passes_the_strict_item_writing_check() -> None:
    # What `elearn content check --strict` fails on; CI runs this test.
    warnings = review_content(REPO_ROOT).warnings

    assert warnings == (), "\n".join(str(w) for w in warnings)


@pytest.mark.parametrize("course_id", SHIPPED_COURSES)
def test_every_promised_course_is_served(course_id: str) -> None:
    catalog = load_catalog(REPO_ROOT)

    course = catalog.course(course_id)

    assert course is not None, f"{course_id}: {catalog.rejected.get(course_id, 'no such file')}"
    assert course.lessons


def test_pupils_from_year_3_to_9_each_have_a_smart_course() -> None:
    catalog = load_catalog(REPO_ROOT)

    for year in range(3, 10):
        ids = [c.id for c in catalog.courses_for(Role.PUPIL, year)]
        assert any(i.startswith("smart-") for i in ids), f"year {year} sees {ids}"


def test_every_shipped_lesson_renders() -> None:
    catalog = load_catalog(REPO_ROOT)

    for course in catalog.courses:
        for lesson in course.lessons:
            html = render_lesson(lesson, f"/media/{course.id}/")
            assert html.strip(), lesson.path
            assert "<script" not in html


@pytest.mark.parametrize("course_id", ["staff-induction", "safeguarding-refresher"])
def test_volunteers_do_the_induction_and_the_annual_refresher(course_id: str) -> None:
    # KCSIE expects everyone who works with children, volunteers included, to have
    # safeguarding training that is kept up to date.
    course = load_catalog(REPO_ROOT).course(course_id)

    assert course is not None
    assert not course.audience.is_exempt(StaffKind.VOLUNTEER)
