"""Sending reminders once, however many runs try at the same moment.

The scheduled run (``elearn compliance remind``, from cron on every app server) and the
dashboard's "Send a reminder" both send through :func:`deliver`. Each message is claimed in a
short transaction of its own (:func:`~elearn.compliance.reminders.claim` inserts the unique
reminder rows) and committed before the e-mail goes: a second run that plans the same message
finds the claim and leaves it, so nobody hears the same thing twice in a day. If the mail server
will not take the e-mail, the claim is withdrawn and the run stops; the next run sends the
rest. A process killed between claiming and sending loses that one e-mail rather than sending
it twice: for an overdue reminder, the next one comes a week later.

Like the LRS forwarder, this takes a session factory and commits its own short transactions,
because a claim must be visible to other runs before the e-mail is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from elearn.audit import services as audit
from elearn.compliance.reminders import Outgoing, claim, withdraw
from elearn.db import utcnow
from elearn.mail import MailError, SmtpSettings, send_mail

SessionFactory = Callable[[], Session]


@dataclass(frozen=True)
class SendReport:
    """What a run sent, what another run had claimed first, and why it stopped, if it did."""

    sent: tuple[Outgoing, ...] = ()
    # Already claimed by another run (another server's cron, the dashboard): not sent again.
    taken: tuple[Outgoing, ...] = ()
    # Set when the mail server failed; ``unsent`` messages were left for the next run.
    error: str | None = None
    unsent: int = 0


def deliver(
    session_factory: SessionFactory,
    messages: Sequence[Outgoing],
    smtp: SmtpSettings,
    *,
    sent_on: date,
    clock: Callable[[], datetime] = utcnow,
    actor_id: int | None = None,
    on_sent: Callable[[Outgoing], None] | None = None,
) -> SendReport:
    """Claim, send and keep (or withdraw) each message in turn.

    With ``actor_id`` (a person sending from the dashboard) every message sent is audited
    under that person, naming whom it went to and which courses it was about.
    """
    sent: list[Outgoing] = []
    taken: list[Outgoing] = []
    for index, message in enumerate(messages):
        with session_factory() as session:
            claimed, rows = claim(session, message, sent_on=sent_on, sent_at=clock())
            session.commit()
            if claimed is None:
                taken.append(message)
                continue
            try:
                send_mail(smtp, [claimed.mail])
            except MailError as error:
                withdraw(session, rows)
                session.commit()
                return SendReport(tuple(sent), tuple(taken), str(error), len(messages) - index)
            if actor_id is not None:
                audit.record(
                    session,
                    actor_id=actor_id,
                    action="compliance.reminder_sent",
                    subject_type="user",
                    subject_id=claimed.user_id,
                    academy_id=claimed.academy_id,
                    detail={"courses": [item.course_id for item in claimed.items]},
                    at=clock(),
                )
                session.commit()
        sent.append(claimed)
        if on_sent is not None:
            on_sent(claimed)
    return SendReport(tuple(sent), tuple(taken))
