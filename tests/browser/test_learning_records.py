import base64
import urllib.error
import urllib.request

import pytest

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _get_statements(live_server: str, key: str, secret: str) -> int:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{live_server}/xapi/statements?limit=1",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_admin_issues_an_lrs_key_that_works_until_revoked(page, a11y, live_server, make):
    admin = make.user(Role.ADMIN, None)
    sign_in(page, a11y, admin.username)
    a11y.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning records").click()
    a11y.check(page)
    assert page.get_by_role("heading", name="Sending to the LRS").is_visible()

    page.get_by_label("Name").fill("Trust reporting tool")
    page.get_by_role("button", name="Issue key").click()
    a11y.check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "LRS key issued"
    key = page.locator("#credential-key").inner_text()
    secret = page.locator("#credential-secret").inner_text()
    assert _get_statements(live_server, key, secret) == 200
    assert _get_statements(live_server, key, "wrong-secret") == 401
    page.reload()  # a reload neither issues another key nor shows the secret again
    a11y.check(page)
    assert secret not in page.content()
    assert page.get_by_text("The secret can no longer be shown.").is_visible()

    page.get_by_role("link", name="Back to learning records").click()
    a11y.check(page)
    assert secret not in page.content()  # the secret is shown once only
    assert page.get_by_role("row").filter(has_text="Trust reporting tool").count() == 1
    page.get_by_role("link", name=f"Revoke Trust reporting tool ({key})").click()
    a11y.check(page)
    assert _get_statements(live_server, key, secret) == 200  # nothing happens until confirmed
    page.get_by_role("button", name="Revoke this key").click()
    a11y.check(page)
    assert page.get_by_text("Revoked").first.is_visible()
    assert _get_statements(live_server, key, secret) == 401
