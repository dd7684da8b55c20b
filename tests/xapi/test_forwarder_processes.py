"""Forwarders as separate processes, as cron starts them on several app servers.

One forwarder is killed with SIGKILL in the middle of a batch and the next one delivers the
rest well within a minute; two forwarders started at the same moment deliver every statement
exactly once, in order per actor. The lease and the timeout are short here so that the test
is quick; the only time limit asserted is the deadline the issue sets.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import select

from elearn.db import utcnow
from elearn.xapi.builders import statements
from elearn.xapi.lrs.store import record_statement
from elearn.xapi.models import ForwardState, StoredStatement

SITE = "http://elearn.test"
LEASE = 1.0
TIMEOUT = 0.5
# The promise: a restarted forwarder resumes within a minute.
RESUME_DEADLINE = 60.0


def _forward_until_empty(url, endpoint, batch, ready, go) -> None:
    """A forwarder process: passes until nothing is pending (or it is killed)."""
    from sqlalchemy import func
    from sqlalchemy.orm import sessionmaker

    import elearn.models  # noqa: F401 - every table, for the mapper configuration
    from elearn.db import make_engine, writer_bind
    from elearn.xapi.forwarding import forwarder
    from elearn.xapi.forwarding.client import LrsClient

    engine = make_engine(url)
    factory = sessionmaker(bind=writer_bind(engine), expire_on_commit=False)
    client = LrsClient(endpoint, "elearn", "s3cret", timeout=TIMEOUT)
    ready.wait()
    go.set()
    give_up = time.monotonic() + 2 * RESUME_DEADLINE
    while time.monotonic() < give_up:
        report = forwarder.run_once(factory, client, utcnow(), batch=batch, lease=LEASE)
        if report.sent:
            continue
        with factory() as session:
            pending = session.scalar(
                select(func.count()).where(StoredStatement.forward_state == ForwardState.PENDING)
            )
        if not pending:
            break
        time.sleep(0.05)
    client.close()
    engine.dispose()


def record(db, n: int, actors: int) -> dict[str, list[str]]:
    """``n`` statements from ``actors`` learners, interleaved; each actor's ids in order."""
    by_actor: dict[str, list[str]] = defaultdict(list)
    start = utcnow() - timedelta(minutes=5)
    for i in range(n):
        actor = f"learner{i % actors:03d}"
        statement = statements.statement_for(
            statements.QuizAttempted(course_id="smart-ks2", quiz_title="SMART quiz"),
            statement_id=uuid.uuid4(),
            base_url=SITE,
            actor_name=actor,
            timestamp=start + timedelta(seconds=i),
            registration=uuid.uuid4(),
        )
        stored = record_statement(db, statement, stored_at=start + timedelta(seconds=i))
        by_actor[actor].append(stored.statement_id)
    db.commit()
    return dict(by_actor)


def forwarder_process(context, database_url, fake_lrs, batch, ready):
    go = context.Event()
    process = context.Process(
        target=_forward_until_empty, args=(database_url, fake_lrs.endpoint, batch, ready, go)
    )
    process.start()
    return process, go


def puts(fake_lrs) -> list[str]:
    return [r.query["statementId"] for r in fake_lrs.requests if r.method == "PUT"]


def assert_in_order_per_actor(fake_lrs, by_actor) -> None:
    first_arrival: list[str] = []
    for statement_id in puts(fake_lrs):
        if statement_id not in first_arrival:
            first_arrival.append(statement_id)
    for actor, ids in by_actor.items():
        assert [i for i in first_arrival if i in set(ids)] == ids, actor


def assert_delivered_once(db, fake_lrs, by_actor) -> None:
    ids = {i for ids in by_actor.values() for i in ids}
    db.rollback()
    rows = db.scalars(select(StoredStatement)).all()
    assert {row.statement_id for row in rows} == ids
    assert {row.forward_state for row in rows} == {ForwardState.DELIVERED}
    # Recorded as delivered by exactly one pass each, and held once by the LRS.
    assert {row.forward_attempts for row in rows} == {1}
    assert set(fake_lrs.statements) == ids
    assert 409 not in {r.status for r in fake_lrs.requests}


def wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_forwarder_killed_mid_batch_is_replaced_within_a_minute(db, database_url, fake_lrs):
    by_actor = record(db, 24, actors=4)
    # Every PUT takes a while, so the first forwarder is surely in the middle of its batch.
    fake_lrs.delay_next(6, seconds=0.2)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    ready.set()
    killed, _ = forwarder_process(context, database_url, fake_lrs, 100, ready)
    assert wait_for(lambda: len(puts(fake_lrs)) >= 4)
    os.kill(killed.pid, signal.SIGKILL)
    killed.join(timeout=30)
    assert killed.exitcode == -signal.SIGKILL
    sent_before = len(set(puts(fake_lrs)))
    assert 4 <= sent_before < 24
    db.rollback()
    assert (
        db.scalars(
            select(StoredStatement.forward_state).where(
                StoredStatement.forward_state == ForwardState.DELIVERED
            )
        ).all()
        == []
    )

    restarted, _ = forwarder_process(context, database_url, fake_lrs, 100, ready)
    restarted.join(timeout=RESUME_DEADLINE)
    finished = not restarted.is_alive()
    if not finished:
        restarted.kill()
        restarted.join()
    assert finished, "the restarted forwarder did not deliver the rest within a minute"
    assert restarted.exitcode == 0
    assert_delivered_once(db, fake_lrs, by_actor)
    assert_in_order_per_actor(fake_lrs, by_actor)
    # Only what the killed one may have sent went twice; the LRS kept one copy of each.
    assert max(Counter(puts(fake_lrs)).values()) <= 2


def test_two_forwarders_at_once_deliver_each_statement_once_in_order(db, database_url, fake_lrs):
    by_actor = record(db, 40, actors=5)
    # Slow enough that the two forwarders' passes overlap.
    fake_lrs.delay_next(40, seconds=0.02)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    workers = [forwarder_process(context, database_url, fake_lrs, 5, ready) for _ in range(2)]
    ready.set()
    for _process, go in workers:
        assert go.wait(timeout=60)
    for process, _ in workers:
        process.join(timeout=RESUME_DEADLINE)
        assert process.exitcode == 0
    assert Counter(puts(fake_lrs)) == {i: 1 for ids in by_actor.values() for i in ids}
    assert_delivered_once(db, fake_lrs, by_actor)
    assert_in_order_per_actor(fake_lrs, by_actor)
