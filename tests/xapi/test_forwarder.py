"""The forwarder against a real HTTP fake LRS on loopback that fails in scripted ways.

Time is driven with explicit ``now`` values: nothing here sleeps to wait for a retry.
"""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from elearn.auth.roles import Role
from elearn.xapi.builders import statements
from elearn.xapi.forwarding import forwarder
from elearn.xapi.forwarding.client import LrsClient
from elearn.xapi.lrs.store import record_statement
from elearn.xapi.models import ForwardState, StoredStatement

SITE = "http://elearn.test"
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
LATER = timedelta(hours=2)  # past any lease or back-off


@pytest.fixture
def factory(app):
    return app.extensions["elearn.writer_sessionmaker"]


@pytest.fixture
def lrs_client(fake_lrs):
    return LrsClient(fake_lrs.endpoint, "elearn", "s3cret", timeout=2.0)


def record(db, n: int, *, start: datetime = T0) -> list[str]:
    """``n`` statements recorded as learning events are, pending delivery; their ids in order."""
    ids = []
    for i in range(n):
        statement = statements.statement_for(
            statements.QuizAttempted(course_id="smart-ks2", quiz_title="SMART quiz"),
            statement_id=uuid.uuid4(),
            base_url=SITE,
            actor_name=f"learner{i:04d}",
            timestamp=start + timedelta(seconds=i),
            registration=uuid.uuid4(),
        )
        ids.append(
            record_statement(db, statement, stored_at=start + timedelta(seconds=i)).statement_id
        )
    db.commit()
    return ids


def states(db) -> dict[str, StoredStatement]:
    db.commit()
    db.expire_all()
    return {row.statement_id: row for row in db.scalars(select(StoredStatement))}


def put_ids(fake_lrs) -> list[str]:
    return [r.query["statementId"] for r in fake_lrs.requests if r.method == "PUT"]


def assert_all_delivered_once(db, fake_lrs, ids) -> None:
    rows = states(db)
    assert {rows[i].forward_state for i in ids} == {ForwardState.DELIVERED}
    assert set(fake_lrs.statements) == set(ids)
    # Each stored exactly once: one successful PUT per id.
    stored_by = Counter(
        r.query["statementId"] for r in fake_lrs.requests if r.method == "PUT" and r.status == 204
    )
    assert all(stored_by[i] >= 1 for i in ids)
    assert len(fake_lrs.statements) == len(ids)


def drive(factory, client, *, start: datetime, passes: int, step: timedelta = LATER) -> None:
    for n in range(passes):
        forwarder.run_once(factory, client, start + n * step, rng=random.Random(n))


def test_every_statement_is_delivered_once_in_order(db, factory, lrs_client, fake_lrs):
    ids = record(db, 5)
    report = forwarder.run_once(factory, lrs_client, T0 + timedelta(minutes=1))
    assert (report.sent, report.delivered, report.dead) == (5, 5, 0)
    assert put_ids(fake_lrs) == ids
    assert_all_delivered_once(db, fake_lrs, ids)
    for statement_id in ids:
        assert fake_lrs.statements[statement_id]["id"] == statement_id
    # A second pass has nothing to send.
    assert forwarder.run_once(factory, lrs_client, T0 + LATER).sent == 0
    assert len(fake_lrs.requests) == 5


def test_batches_go_oldest_first(db, factory, lrs_client, fake_lrs):
    ids = record(db, 5)
    first = forwarder.run_once(factory, lrs_client, T0, batch=2)
    assert first.full
    forwarder.run_once(factory, lrs_client, T0, batch=2)
    forwarder.run_once(factory, lrs_client, T0, batch=2)
    assert put_ids(fake_lrs) == ids


def test_an_lrs_down_for_a_while_gets_everything_once_it_is_back(db, factory, lrs_client, fake_lrs):
    ids = record(db, 4)
    fake_lrs.drop_next(3)
    now = T0
    first = forwarder.run_once(factory, lrs_client, now, rng=random.Random(1))
    # The pass stops at the first failure, so nothing overtakes the first statement.
    assert (first.sent, first.delivered) == (1, 0)
    assert first.retry_at is not None and first.retry_at >= now
    assert "connection closed" in first.last_error
    row = states(db)[ids[0]]
    assert row.forward_state is ForwardState.PENDING
    assert row.forward_attempts == 1
    assert row.last_error and row.next_attempt_at == first.retry_at

    drive(factory, lrs_client, start=now + LATER, passes=4)
    assert_all_delivered_once(db, fake_lrs, ids)
    assert put_ids(fake_lrs)[3:] == ids


def test_a_refused_connection_is_retried(db, factory, fake_lrs):
    ids = record(db, 2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    nobody = LrsClient(f"http://127.0.0.1:{closed_port}/xapi/", "u", "p", timeout=1.0)
    report = forwarder.run_once(factory, nobody, T0)
    assert report.retry_at is not None
    assert "connection refused" in report.last_error
    assert {r.forward_state for r in states(db).values()} == {ForwardState.PENDING}

    up = LrsClient(fake_lrs.endpoint, "u", "p", timeout=2.0)
    forwarder.run_once(factory, up, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)


def test_503_with_retry_after_is_honoured(db, factory, lrs_client, fake_lrs):
    ids = record(db, 3)
    fake_lrs.fail_next(1, status=503, retry_after=120)
    report = forwarder.run_once(factory, lrs_client, T0, rng=random.Random(0))
    assert report.retry_at is not None
    assert report.retry_at >= T0 + timedelta(seconds=120)
    assert states(db)[ids[0]].next_attempt_at >= T0 + timedelta(seconds=120)
    assert "503" in report.last_error

    # Before the LRS said to come back, nothing is sent.
    early = forwarder.run_once(factory, lrs_client, T0 + timedelta(seconds=60))
    assert early.sent == 0
    assert early.waiting_until == report.retry_at
    assert len(fake_lrs.requests) == 1

    forwarder.run_once(factory, lrs_client, report.retry_at)
    assert_all_delivered_once(db, fake_lrs, ids)


def test_429_is_retried_not_refused(db, factory, lrs_client, fake_lrs):
    ids = record(db, 1)
    fake_lrs.fail_next(1, status=429, retry_after=5)
    forwarder.run_once(factory, lrs_client, T0)
    assert states(db)[ids[0]].forward_state is ForwardState.PENDING
    forwarder.run_once(factory, lrs_client, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)


def test_reset_connections_are_retried(db, factory, lrs_client, fake_lrs):
    ids = record(db, 3)
    fake_lrs.reset_next(2)
    drive(factory, lrs_client, start=T0, passes=3)
    assert_all_delivered_once(db, fake_lrs, ids)
    assert put_ids(fake_lrs) == [ids[0], ids[0], *ids]


def test_an_lrs_slower_than_the_timeout_is_retried_and_keeps_one_copy(db, factory, fake_lrs):
    ids = record(db, 2)
    impatient = LrsClient(fake_lrs.endpoint, "elearn", "s3cret", timeout=0.3)
    fake_lrs.delay_next(1, seconds=1.0)
    report = forwarder.run_once(factory, impatient, T0)
    assert report.delivered == 0
    assert "no answer within 0.3 s" in report.last_error
    assert states(db)[ids[0]].forward_state is ForwardState.PENDING

    forwarder.run_once(factory, impatient, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)


def test_a_refused_statement_becomes_a_dead_letter_and_the_rest_are_delivered(
    db, factory, lrs_client, fake_lrs
):
    ids = record(db, 4)
    fake_lrs.reject(ids[1], "object.definition.type is not an activity type we accept")
    report = forwarder.run_once(factory, lrs_client, T0)
    assert (report.sent, report.delivered, report.dead) == (4, 3, 1)
    rows = states(db)
    assert rows[ids[1]].forward_state is ForwardState.DEAD
    assert "not an activity type we accept" in rows[ids[1]].last_error
    assert "400" in rows[ids[1]].last_error
    assert set(fake_lrs.statements) == {ids[0], ids[2], ids[3]}

    [letter] = forwarder.dead_letters(db)
    assert letter.statement_id == ids[1]
    assert "not an activity type we accept" in letter.reason
    # Dead letters are not retried on their own.
    assert forwarder.run_once(factory, lrs_client, T0 + LATER).sent == 0


def test_a_dead_letter_retried_after_a_fix_is_delivered(db, factory, lrs_client, fake_lrs):
    ids = record(db, 3)
    forwarder.run_once(factory, lrs_client, T0, batch=1)
    fake_lrs.fail_next(1, status=400, body="unknown verb")
    forwarder.run_once(factory, lrs_client, T0)
    assert states(db)[ids[1]].forward_state is ForwardState.DEAD

    assert forwarder.retry_dead_letter(db, ids[1], now=T0) is True
    db.commit()
    assert forwarder.retry_dead_letter(db, ids[1], now=T0) is False
    forwarder.run_once(factory, lrs_client, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)


def test_retry_all_puts_every_dead_letter_back(db, factory, lrs_client, fake_lrs):
    ids = record(db, 2)
    fake_lrs.fail_next(2, status=422, body="no")
    forwarder.run_once(factory, lrs_client, T0)
    assert forwarder.retry_all_dead_letters(db, now=T0) == 2
    db.commit()
    forwarder.run_once(factory, lrs_client, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)


def test_wrong_lrs_credentials_are_retried_not_dead_lettered(db, factory, fake_lrs):
    ids = record(db, 3)
    fake_lrs.require_credentials("elearn", "right")
    wrong = LrsClient(fake_lrs.endpoint, "elearn", "wrong", timeout=2.0)
    report = forwarder.run_once(factory, wrong, T0)
    assert report.dead == 0 and report.sent == 1
    assert "401" in report.last_error and "ELEARN_LRS_PASSWORD" in report.last_error
    assert {r.forward_state for r in states(db).values()} == {ForwardState.PENDING}
    status = forwarder.lrs_status(db, T0)
    assert "401" in status.last_error

    fixed = LrsClient(fake_lrs.endpoint, "elearn", "right", timeout=2.0)
    forwarder.run_once(factory, fixed, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)


class _KilledBeforeMarking:
    """A session factory whose second session (the one recording outcomes) never commits."""

    def __init__(self, factory) -> None:
        self.factory = factory
        self.calls = 0

    def __call__(self):
        self.calls += 1
        session = self.factory()
        if self.calls == 2:

            def die() -> None:
                session.rollback()
                raise SystemExit("killed")

            session.commit = die  # type: ignore[method-assign]
        return session


def test_a_forwarder_killed_between_sending_and_marking_resends_and_the_lrs_keeps_one_copy(
    db, factory, lrs_client, fake_lrs
):
    ids = record(db, 3)
    with pytest.raises(SystemExit):
        forwarder.run_once(_KilledBeforeMarking(factory), lrs_client, T0)
    assert set(fake_lrs.statements) == set(ids)
    rows = states(db)
    assert {rows[i].forward_state for i in ids} == {ForwardState.PENDING}

    # Another pass during the lease leaves them alone (the killed one might still be running).
    assert forwarder.run_once(factory, lrs_client, T0 + timedelta(seconds=10)).sent == 0
    forwarder.run_once(factory, lrs_client, T0 + LATER)
    assert_all_delivered_once(db, fake_lrs, ids)
    assert Counter(put_ids(fake_lrs)) == {i: 2 for i in ids}
    assert len(fake_lrs.statements) == 3


def test_a_second_forwarder_leaves_alone_what_another_is_sending(db, factory, lrs_client, fake_lrs):
    ids = record(db, 3)
    fake_lrs.delay_next(1, seconds=1.0)
    first: list[forwarder.ForwardReport] = []
    busy = threading.Thread(
        target=lambda: first.append(forwarder.run_once(factory, lrs_client, T0))
    )
    busy.start()
    deadline = time.monotonic() + 10
    while not fake_lrs.requests and time.monotonic() < deadline:
        time.sleep(0.01)  # until the first forwarder's PUT is at the LRS
    second = forwarder.run_once(factory, lrs_client, T0)
    busy.join()
    assert second.sent == 0
    assert first[0].delivered == 3
    assert Counter(put_ids(fake_lrs)) == {i: 1 for i in ids}


def test_the_loop_runs_passes_and_sleeps_between_them(db, factory, lrs_client, fake_lrs):
    ids = record(db, 3)
    sleeps: list[float] = []
    clock = iter(T0 + timedelta(minutes=n) for n in range(100))
    reports = []
    ran = forwarder.run_loop(
        factory,
        lrs_client,
        interval=15,
        batch=2,
        clock=lambda: next(clock),
        sleep=sleeps.append,
        passes=3,
        on_pass=reports.append,
    )
    assert ran == 3
    assert [r.delivered for r in reports] == [2, 1, 0]
    # A full batch goes straight on; afterwards the loop waits the interval.
    assert sleeps == [15]
    assert_all_delivered_once(db, fake_lrs, ids)


def test_the_health_figures(db, factory, lrs_client, fake_lrs):
    ids = record(db, 3)
    status = forwarder.lrs_status(db, T0 + timedelta(hours=3))
    assert status.backlog == 3 and status.dead == 0
    assert status.oldest_undelivered_at == T0
    assert status.oldest_undelivered_age == timedelta(hours=3)
    assert not status.healthy and status.last_error is None
    assert status.health is forwarder.Health.STALLED

    fake_lrs.reject(ids[0], "bad")
    forwarder.run_once(factory, lrs_client, T0 + timedelta(hours=3))
    db.commit()  # end the test session's read snapshot
    status = forwarder.lrs_status(db, T0 + timedelta(hours=3))
    assert (status.backlog, status.dead) == (0, 1)
    assert "bad" in status.last_error
    assert status.last_error_at == T0 + timedelta(hours=3)
    assert status.health is forwarder.Health.REFUSED


@pytest.fixture
def lrs_configured(app_config, fake_lrs):
    """The fake LRS in the settings (asked for before the app is built)."""
    app_config.update(LRS_ENDPOINT=fake_lrs.endpoint, LRS_USERNAME="u", LRS_PASSWORD="p")


def test_recording_a_learning_event_never_touches_the_network(
    lrs_configured, app, fake_lrs, monkeypatch, client, make, db
):
    assert app.config["ELEARN"]["LRS_ENDPOINT"] == fake_lrs.endpoint

    def no_network(*_args, **_kwargs):
        raise AssertionError("a learner's request tried to reach the LRS")

    monkeypatch.setattr(http.client.HTTPConnection, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    pupil = make.user(Role.PUPIL, make.academy("Forwarding Academy"))
    client.login(pupil.username)
    response = client.get("/learn/smart-ks2/01-safe")
    assert response.status_code == 200
    rows = list(states(db).values())
    assert len(rows) == 1
    assert rows[0].forward_state is ForwardState.PENDING
    assert fake_lrs.requests == []


class _Ticking:
    """A monotonic clock that moves ``step`` seconds every time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.value = 0.0

    def __call__(self) -> float:
        self.value += self.step
        return self.value


def test_a_long_batch_renews_its_lease_so_no_other_pass_takes_over(
    db, factory, lrs_client, fake_lrs
):
    ids = record(db, 12)
    ticking = _Ticking(2.0)  # each statement takes a few seconds: far past one lease in all
    others: list[int] = []

    class Watched:
        timeout = lrs_client.timeout

        def put_statement(self, statement_id, statement):
            # While the first pass sends, a second forwarder tries at the same moment.
            moment = T0 + timedelta(seconds=ticking.value)
            others.append(forwarder.run_once(factory, lrs_client, moment, lease=6.0).sent)
            return lrs_client.put_statement(statement_id, statement)

    report = forwarder.run_once(factory, Watched(), T0, lease=6.0, monotonic=ticking)
    assert report.delivered == 12
    assert ticking.value > 6.0 * 3  # the batch outlasted its first lease several times
    assert others == [0] * 12
    assert_all_delivered_once(db, fake_lrs, ids)
    assert Counter(put_ids(fake_lrs)) == {i: 1 for i in ids}
