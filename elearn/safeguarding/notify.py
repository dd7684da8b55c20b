"""E-mails about reports. They say that something is waiting and where, never what it is.

Sent after the report has committed: a mail server that is down is logged and the report,
already safe in the database, is not affected.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from elearn.mail import Mail, MailError, SmtpSettings, send_mail

log = logging.getLogger("elearn.safeguarding")

NEW_REPORT_SUBJECT = "A new safeguarding report is waiting"
DECISION_SUBJECT = "Your request has an answer"


def _link(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def new_report_mails(addresses: Sequence[str], *, base_url: str, inbox_path: str) -> list[Mail]:
    """One message per person, so nobody sees who else was told."""
    body = (
        "A new report has been sent to your academy's safeguarding inbox.\n\n"
        f"Sign in to read it: {_link(base_url, inbox_path)}\n\n"
        "For everyone's safety this e-mail does not include any details of the report.\n"
    )
    return [Mail(to=(address,), subject=NEW_REPORT_SUBJECT, body=body) for address in addresses]


def decision_mail(address: str, *, base_url: str, report_path: str) -> Mail:
    body = (
        "The head teacher has made a decision about your blocked website access request.\n\n"
        f"Sign in to see it: {_link(base_url, report_path)}\n"
    )
    return Mail(to=(address,), subject=DECISION_SUBJECT, body=body)


def deliver(config: Mapping[str, Any], mails: list[Mail]) -> bool:
    """Send the messages; any failure is logged (without content) and reported as False."""
    if not mails:
        return True
    settings = SmtpSettings.from_config(config)
    if settings is None:
        log.warning("mail is not configured: %d safeguarding notification(s) not sent", len(mails))
        return False
    try:
        send_mail(settings, mails)
    except MailError as error:
        log.error("safeguarding notification not sent (the report itself is saved): %s", error)
        return False
    return True
