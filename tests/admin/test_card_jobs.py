"""One card job per class, decided in the database: two processes (as two app servers)
asking at the same moment get one claim between them."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from elearn.admin.cards import claim_card_job
from elearn.admin.models import CardJob
from elearn.db import utcnow


def _claim_in_a_process(url, academy_id, barrier, results) -> None:
    from elearn.db import make_engine, writer_bind
    from elearn.models import import_models

    import_models()
    engine = make_engine(url)
    factory = sessionmaker(bind=writer_bind(engine), expire_on_commit=False)
    barrier.wait()
    try:
        with factory() as session:
            job = claim_card_job(session, academy_id, 4, now=utcnow())
            session.commit()
            results.put("claimed" if job is not None else "busy")
    except Exception as error:  # reported to the test, which fails on it
        results.put(f"error: {error!r}")
    engine.dispose()


def test_two_processes_asking_for_one_class_at_once_get_one_claim(db, make, database_url):
    academy = make.academy()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_claim_in_a_process, args=(database_url, academy.id, barrier, results)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert outcomes == ["busy", "claimed"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(CardJob)) == 1
