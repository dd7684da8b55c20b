"""``elearn privacy retention`` started at the same moment on two app servers (two processes):
every leaver due is erased once, by one of the runs."""

from __future__ import annotations

import multiprocessing
from datetime import date, timedelta

from sqlalchemy import func, select

from elearn.audit.models import AuditEntry
from elearn.auth.models import User
from elearn.auth.roles import Role


def _retention_in_a_process(config, barrier, results) -> None:
    from elearn import create_app
    from elearn.privacy.commands import privacy

    app = create_app(config)
    runner = app.test_cli_runner()
    barrier.wait()
    try:
        result = runner.invoke(privacy, ["retention"])
        results.put((result.exit_code, result.output))
    except Exception as error:  # reported to the test, which fails on it
        results.put((-1, repr(error)))
    finally:
        app.extensions["elearn.engine"].dispose()


def test_two_retention_runs_at_once_erase_each_leaver_once(app, app_config, make, db):
    academy = make.academy("Oakwood Primary", code="oakwood")
    long_ago = date.today() - timedelta(days=3 * 366)
    leavers = [
        make.user(Role.PUPIL, academy, active=False, left_on=long_ago, display_name=f"Gone {i}")
        for i in range(8)
    ]
    kept = make.user(
        Role.PUPIL, academy, active=False, left_on=date.today(), display_name="Just Left"
    )
    db.commit()

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    config = {key: value for key, value in app_config.items()}
    workers = [
        context.Process(target=_retention_in_a_process, args=(config, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert [code for code, _ in outcomes] == [0, 0], outcomes
    # One run erased all eight; the other found the job taken, or nothing left to erase.
    erased_lines = sorted(
        line for _, output in outcomes for line in output.splitlines() if line.startswith("Erased")
    )
    assert erased_lines[-1].startswith("Erased 8;")
    assert all(line.startswith("Erased 0;") for line in erased_lines[:-1])
    db.rollback()
    db.expire_all()
    erasures = select(func.count()).where(AuditEntry.action == "person.erase")
    assert db.scalar(erasures) == 8
    for person in leavers:
        assert db.get(User, person.id).erased_at is not None
    assert db.get(User, kept.id).erased_at is None
