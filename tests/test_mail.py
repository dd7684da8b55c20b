from email.utils import parsedate_to_datetime

import pytest

from elearn.mail import Mail, MailError, SmtpSettings, html_body, send_mail
from tests.smtp import parsed

DEEP_LINK = "http://elearn.test/learn/safeguarding-refresher"
BODY = (
    "Dear Sam,\n\nYour training is due:\n\n- Safeguarding refresher: due 20 June 2026\n\n"
    f"Sign in to do it: {DEEP_LINK}\n"
)


def test_mail_reaches_a_real_smtp_server_as_mail_clients_expect(smtp, app_config):
    settings = SmtpSettings.from_config(app_config)
    send_mail(settings, [Mail(("sam@school.example",), "Training due soon", BODY)])
    [received] = smtp.to("sam@school.example")
    message = parsed(received)

    assert message["Subject"] == "Training due soon"
    assert message["From"] == "elearn <noreply@elearn.test>"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].endswith("@elearn.test>")  # the site's own domain
    assert message["Auto-Submitted"] == "auto-generated"

    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Dear Sam," in text and DEEP_LINK in text
    assert "Dear Sam," in html
    assert f'<a href="{DEEP_LINK}"' in html
    assert "<li>Safeguarding refresher: due 20 June 2026</li>" in html
    # Readable in Outlook and by screen readers: inline styles, no scripts, no images.
    assert '<html lang="en-GB">' in html
    for forbidden in ("<script", "<img", "<style", "<link", "javascript:"):
        assert forbidden not in html.lower()


def test_html_part_escapes_what_people_typed():
    html = html_body("s", "Name: <b>Ava</b> & co\n\nhttp://elearn.test/a?b=1&c=2.")
    assert "&lt;b&gt;Ava&lt;/b&gt; &amp; co" in html
    assert 'href="http://elearn.test/a?b=1&amp;c=2"' in html


def test_no_host_means_no_mail_settings():
    assert SmtpSettings.from_config({}) is None


def test_unreachable_server_raises_a_clear_error():
    settings = SmtpSettings(host="127.0.0.1", port=1, timeout=2)
    with pytest.raises(MailError, match=r"127\.0\.0\.1:1"):
        send_mail(settings, [Mail(("x@example.org",), "s", "b")])
