"""Pupil and parent engagement on the trust overview: figures, cost in SQL, the page."""

from __future__ import annotations

import pytest

from elearn.auth.models import ParentLink
from elearn.auth.roles import Role
from elearn.compliance.engagement import Uptake, trust_engagement
from elearn.learning.models import CourseCycle
from tests.compliance.test_query_count import counting
from tests.progress.helpers import history, pupils_academy


@pytest.fixture
def app_catalog(app):
    return app.extensions["elearn.catalog"].get()


def test_started_and_finished_are_counted_per_academy_and_course(app, make, db, app_catalog):
    oakwood = make.academy("Oakwood")
    elmfield = make.academy("Elmfield")
    ava = make.user(Role.PUPIL, oakwood, year_group=5)
    ben = make.user(Role.PUPIL, oakwood, year_group=5)
    make.user(Role.PUPIL, oakwood, year_group=4)
    eve = make.user(Role.PUPIL, elmfield, year_group=8)
    make.user(Role.PUPIL, oakwood, year_group=5, active=False)
    history(db, ava, lessons=5, scores=(5.0,), finished=True)
    history(db, ben, lessons=1)
    cara = make.user(Role.PARENT, oakwood)
    make.user(Role.PARENT, oakwood)
    db.add(CourseCycle(user_id=cara.id, course_id="parent-guidance", course_version=1))
    db.add(CourseCycle(user_id=eve.id, course_id="smart-ks3", course_version=1))
    db.commit()

    engagement = trust_engagement(db, app_catalog)
    rows = {row.name: row for row in engagement.academies}
    assert rows["Oakwood"].uptake("smart-ks2") == Uptake(learners=3, started=2, completed=1)
    assert rows["Oakwood"].uptake("smart-ks3") == Uptake()
    assert rows["Oakwood"].uptake("parent-guidance") == Uptake(2, 1, 0)
    assert rows["Elmfield"].uptake("smart-ks3") == Uptake(1, 1, 0)
    assert engagement.total.uptake("smart-ks2").completed_percent == 33
    assert {course.id for course in engagement.courses} == {
        "smart-ks2",
        "smart-ks3",
        "parent-guidance",
    }


def test_engagement_costs_the_same_for_10_or_1000_pupils(app, db, app_catalog):
    small = pupils_academy(db, "Small Primary", 10)
    engine = app.extensions["elearn.engine"]
    with counting(engine) as small_statements:
        trust_engagement(db, app_catalog)
    large = pupils_academy(db, "Large Primary", 1000)
    with counting(engine) as large_statements:
        engagement = trust_engagement(db, app_catalog)
    rows = {row.academy_id: row for row in engagement.academies}
    assert rows[small.id].uptake("smart-ks2") == Uptake(10, 6, 3)
    assert rows[large.id].uptake("smart-ks2") == Uptake(1000, 666, 333)
    assert len(small_statements) == len(large_statements)
    assert len([s for s in large_statements if s.lstrip().startswith("SELECT")]) == 3


def test_the_trust_overview_shows_the_chart_and_table(client, make, db):
    oakwood = make.academy("Oakwood")
    ava = make.user(Role.PUPIL, oakwood, year_group=5)
    history(db, ava, lessons=5, scores=(5.0,), finished=True)
    parent = make.user(Role.PARENT, oakwood)
    db.add(ParentLink(parent_id=parent.id, pupil_id=ava.id))
    db.commit()
    admin = make.user(Role.ADMIN)
    client.login(admin.username)
    page = client.get("/compliance/trust").get_data(as_text=True)
    assert "Pupil and parent engagement" in page
    assert "Be SMART online 100% finished" in page  # the chart's description
    assert "1 of 1 finished (100%)" in page
    assert "0 of 1 finished (0%)" in page  # the parent has not started
    assert "<script" not in page.split("Pupil and parent engagement", 1)[1]
