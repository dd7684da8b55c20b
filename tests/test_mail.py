import pytest

from elearn.mail import Mail, MailError, SmtpSettings, send_mail


def test_mail_reaches_a_real_smtp_server(smtp, app_config):
    settings = SmtpSettings.from_config(app_config)
    send_mail(settings, [Mail(("dsl@school.example",), "A new report", "Please sign in.")])
    [message] = smtp.to("dsl@school.example")
    assert message["Subject"] == "A new report"
    assert message["From"] == "elearn <noreply@elearn.test>"
    assert "Please sign in." in message.get_payload()


def test_no_host_means_no_mail_settings():
    assert SmtpSettings.from_config({}) is None


def test_unreachable_server_raises_a_clear_error():
    settings = SmtpSettings(host="127.0.0.1", port=1, timeout=2)
    with pytest.raises(MailError, match=r"127\.0\.0\.1:1"):
        send_mail(settings, [Mail(("x@example.org",), "s", "b")])
