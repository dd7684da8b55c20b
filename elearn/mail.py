"""Sending e-mail over SMTP, configured by ``ELEARN_SMTP_*``.

Messages are plain text and say no more than they must: safeguarding notifications never
carry a report's content.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

log = logging.getLogger("elearn.mail")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    use_ssl: bool = False
    sender: str = "elearn <no-reply@localhost>"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """None when no SMTP host is configured (mail is then not sent, and callers say so)."""
        host = str(config.get("SMTP_HOST") or "")
        if not host:
            return None

        def flag(name: str) -> bool:
            return str(config.get(name, "")).strip().lower() in {"1", "true", "yes", "on"}

        return cls(
            host=host,
            port=int(config.get("SMTP_PORT") or 25),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            starttls=flag("SMTP_STARTTLS"),
            use_ssl=flag("SMTP_SSL"),
            sender=str(config.get("SMTP_FROM") or cls.sender),
            timeout=float(config.get("SMTP_TIMEOUT") or 10.0),
        )


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


def build_message(settings: SmtpSettings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="elearn")
    message.set_content(mail.body)
    return message


def send_mail(settings: SmtpSettings, mails: list[Mail]) -> None:
    """Send messages over one connection; raises MailError if the server cannot be used."""
    if not mails:
        return
    try:
        if settings.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            for mail in mails:
                smtp.send_message(build_message(settings, mail))
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"could not send mail through {settings.host}:{settings.port}: {error}"
        ) from error


def deliver_logged(config: Mapping[str, Any], mails: list[Mail], *, what: str) -> bool:
    """Send after the change has committed; a missing or failing server is logged, not raised.

    ``what`` names the kind of message in the log (never its content).
    """
    if not mails:
        return True
    settings = SmtpSettings.from_config(config)
    if settings is None:
        log.warning("mail is not configured: %d %s message(s) not sent", len(mails), what)
        return False
    try:
        send_mail(settings, mails)
    except MailError as error:
        log.error("%s message(s) not sent: %s", what, error)
        return False
    return True
