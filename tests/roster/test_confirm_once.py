"""Two confirms of one upload at the same moment, from two processes (as two app servers
would send them): the roster is applied once, and the other confirm is told so."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from elearn.audit.models import AuditEntry
from elearn.auth.models import User
from elearn.auth.roles import Role
from elearn.roster.services import AlreadyApplied, confirm_upload, stage_upload

NOW = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)
SIMPLE = (
    "academy,role,name,username,year\n"
    "oakwood,pupil,Ava Jones,ava.jones,4\n"
    "oakwood,pupil,Ben Ode,ben.ode,5\n"
)


def _confirm_in_a_process(url, upload_id, fingerprint, actor_id, barrier, results) -> None:
    from elearn.db import make_engine, writer_bind
    from elearn.models import import_models

    import_models()
    engine = make_engine(url)
    factory = sessionmaker(bind=writer_bind(engine), expire_on_commit=False)
    barrier.wait()
    with factory() as session:
        try:
            confirmed = confirm_upload(session, upload_id, fingerprint, actor_id=actor_id, now=NOW)
            session.commit()
            results.put("applied" if confirmed else "not found")
        except AlreadyApplied:
            session.rollback()
            results.put("already applied")
        except Exception as error:  # reported to the test, which fails on it
            results.put(f"error: {error!r}")
    engine.dispose()


def test_two_processes_confirming_at_once_apply_the_upload_once(db, make, database_url):
    make.academy("Oakwood Primary", code="oakwood")
    admin = make.user(Role.ADMIN)
    upload, plan = stage_upload(db, {"pupils.csv": SIMPLE.encode()}, actor_id=admin.id, now=NOW)
    db.commit()
    assert plan.ok

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_confirm_in_a_process,
            args=(database_url, upload.id, plan.fingerprint, admin.id, barrier, results),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)

    assert outcomes == ["already applied", "applied"]
    db.rollback()
    assert db.scalar(select(func.count()).where(User.role == Role.PUPIL)) == 2
    imports = select(func.count()).where(AuditEntry.action == "roster.import")
    assert db.scalar(imports) == 1
