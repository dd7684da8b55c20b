"""The demo trust shows a DSL a realistic picture: every status, and one flagged academy."""

from datetime import date

from sqlalchemy import func, select

from elearn.auth.models import Academy
from elearn.catalog.loader import load_catalog
from elearn.compliance.status import Status, academy_matrix
from elearn.demo import seed_demo
from elearn.learning.models import Certificate, CompletionSource, CourseCycle, PolicySignOff
from elearn.xapi.models import StoredStatement
from tests.conftest import REPO_ROOT

TODAY = date(2026, 9, 14)


def test_demo_training_history_covers_every_status(db):
    seed_demo(db, today=TODAY)
    db.commit()
    catalog = load_catalog(REPO_ROOT)
    riverside = db.scalar(select(Academy).where(Academy.code == "riverside"))
    northfield = db.scalar(select(Academy).where(Academy.code == "northfield"))

    matrix = academy_matrix(db, catalog, academy_id=riverside.id, as_of=TODAY)
    for status in Status:
        assert matrix.counts[status].people > 0, status
    overdue = {
        row.name
        for row in matrix.everyone
        if any(cell.status is Status.OVERDUE for cell in row.cells.values())
    }
    assert 2 <= len(overdue) <= 6

    trust = academy_matrix(db, catalog, academy_id=None, as_of=TODAY)
    assert trust.dsl_flagged == {northfield.id}

    # History made through the real services: expiries, certificates, statements, offline
    # records and sign-offs.
    assert db.scalar(select(func.count()).select_from(Certificate)) > 20
    assert (
        db.scalar(
            select(func.count())
            .select_from(CourseCycle)
            .where(CourseCycle.source == CompletionSource.OFFLINE)
        )
        >= 6
    )
    assert db.scalar(select(func.count()).select_from(PolicySignOff)) > 10
    assert db.scalar(select(func.count()).select_from(StoredStatement)) > 40
    oldest = db.scalar(select(func.min(CourseCycle.completed_on)))
    assert (TODAY - oldest).days > 3 * 365


def test_seeding_twice_adds_nothing(db):
    seed_demo(db, today=TODAY)
    db.commit()
    before = db.scalar(select(func.count()).select_from(CourseCycle))
    seed_demo(db, today=TODAY)
    db.commit()
    assert db.scalar(select(func.count()).select_from(CourseCycle)) == before
