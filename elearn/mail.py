"""Sending e-mail over SMTP, configured by ``ELEARN_SMTP_*``.

Messages say no more than they must: safeguarding notifications never carry a report's
content. Each is written once as plain text and sent as both a text and a simple HTML part
(inline styles only, no scripts or images, so Outlook and screen readers show it as written),
with the headers mail clients and auto-responders expect: ``Date``, a ``Message-ID`` under the
site's own domain, and ``Auto-Submitted`` so out-of-office replies are not sent back.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from typing import Any
from urllib.parse import urlsplit

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
    # Message-IDs end in this, the host name of ELEARN_BASE_URL.
    domain: str = "localhost"

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
            domain=urlsplit(str(config.get("BASE_URL") or "")).hostname or "localhost",
        )


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


_LINK = re.compile(r"https?://[^\s<>\"]+")
_BODY_STYLE = (
    "margin:0;padding:24px;background:#ffffff;color:#1b1b1b;"
    "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5"
)
_LINK_STYLE = "color:#0b4f9c;text-decoration:underline"


def _inline_html(text: str) -> str:
    """Escape a line of text and turn its web addresses into links."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        url = match.group(0).rstrip(".,;:)")
        end = match.start() + len(url)
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url)}" style="{_LINK_STYLE}">{escape(url)}</a>')
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def html_body(subject: str, text: str) -> str:
    """The plain-text body as simple HTML: paragraphs, bulleted lists and links, nothing else."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        items = [line for line in lines if line.startswith("- ")]
        intro = [line for line in lines if not line.startswith("- ")]
        if intro:
            blocks.append(
                '<p style="margin:0 0 16px">' + "<br>".join(map(_inline_html, intro)) + "</p>"
            )
        if items:
            blocks.append(
                '<ul style="margin:0 0 16px;padding-left:24px">'
                + "".join(f"<li>{_inline_html(line[2:])}</li>" for line in items)
                + "</ul>"
            )
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(subject)}</title>\n</head>\n"
        f'<body style="{_BODY_STYLE}">\n<div style="max-width:600px">\n'
        + "\n".join(blocks)
        + "\n</div>\n</body>\n</html>\n"
    )


def build_message(
    settings: SmtpSettings, mail: Mail, *, now: datetime | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings.domain)
    # RFC 3834: sent by the system, so auto-responders must not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(mail.body)
    message.add_alternative(html_body(mail.subject, mail.body), subtype="html")
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
