"""Two reminder runs at the same moment, from two processes (cron on two app servers): every
e-mail goes once, and what one run claimed the other leaves alone."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from elearn.compliance.models import Reminder
from tests.compliance.test_reminders import AS_OF, school  # noqa: F401 - the fixture

ADDRESSES = (
    "larry@riverside.example",
    "nina@riverside.example",
    "sam@riverside.example",
    "dsl@riverside.example",
    "head@riverside.example",
)


def _remind_in_a_process(url, smtp_port, barrier, results) -> None:
    from sqlalchemy.orm import sessionmaker

    import elearn.models  # noqa: F401 - every table, for the mapper configuration
    from elearn.compliance.reminders import ReminderSettings, plan_reminders
    from elearn.compliance.sending import deliver
    from elearn.db import make_engine, writer_bind
    from elearn.mail import SmtpSettings
    from tests.compliance.conftest import make_catalog

    engine = make_engine(url)
    factory = sessionmaker(bind=writer_bind(engine), expire_on_commit=False)
    try:
        with factory() as session:
            plan = plan_reminders(
                session,
                make_catalog(),
                as_of=AS_OF,
                settings=ReminderSettings(),
                trust_name="Riverside Trust",
                base_url="http://elearn.test",
            )
        # Both runs have planned every message before either sends: the worst case.
        barrier.wait()
        smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, sender="elearn <noreply@e.test>")
        report = deliver(factory, plan.messages, smtp, sent_on=AS_OF)
        results.put((len(plan.messages), len(report.sent), len(report.taken), report.error))
    except Exception as error:  # reported to the test, which fails on it
        results.put(("error", repr(error)))
    finally:
        engine.dispose()


def test_two_runs_at_once_send_each_reminder_once(smtp, app, app_config, db, school):  # noqa: F811
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_remind_in_a_process,
            args=(app_config["DATABASE_URL"], app_config["SMTP_PORT"], barrier, results),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert all(len(outcome) == 4 and outcome[3] is None for outcome in outcomes), outcomes
    # Each run planned all five messages; between them they sent five, and each message the
    # one sent the other found claimed.
    assert [planned for planned, *_ in outcomes] == [5, 5]
    assert sum(sent for _, sent, _, _ in outcomes) == 5
    assert sum(taken for *_, taken, _ in outcomes) == 5
    for address in ADDRESSES:
        assert len(smtp.to(address)) == 1, address
    assert len(smtp.messages) == 5
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Reminder)) == 3 + 3 + 1 + 2
