"""Signing in with a school account in a real browser, against a real OpenID Connect
provider (``oidc-provider-mock``) on loopback, and the admin finding out why someone could
not sign in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import quote

import oidc_provider_mock
import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from elearn.auth.roles import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
MARIAM_SUB = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"


def _serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def identity_provider(app_config) -> Iterator[str]:
    """The provider, and the app's settings pointing at it (as the trust's Entra tenant)."""
    for issuer in _serve(oidc_provider_mock.app(require_nonce=True)):
        app_config.update(
            {
                "OIDC_ISSUER": issuer,
                "OIDC_CLIENT_ID": "6731de76-14a6-49ae-97bc-6eba6914391e",
                "OIDC_CLIENT_SECRET": "app-registration-secret",
                "OIDC_ALLOWED_TENANTS": TENANT,
                "OIDC_ALLOWED_DOMAINS": "northfield.example",
                "OIDC_LABEL": "Sign in with Microsoft 365",
            }
        )
        yield issuer


@pytest.fixture
def site_address(app_config, identity_provider) -> Iterator[tuple[list[Flask], str]]:
    """A loopback address for the app, known before the app is made: the provider sends the
    browser back to ``BASE_URL``, so it must be the address the browser uses."""
    holder: list[Flask] = []
    server = make_server(
        "127.0.0.1", 0, lambda environ, start: holder[0](environ, start), threaded=True
    )
    address = f"http://127.0.0.1:{server.server_port}"
    app_config["BASE_URL"] = address
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder, address
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(site_address, app: Flask) -> str:
    holder, address = site_address
    holder.append(app)
    return address


def provider_account(issuer: str, sub: str, **claims: object) -> None:
    """What the provider puts in this account's ID token, shaped like Entra ID's v2.0."""
    response = requests.put(f"{issuer}/users/{quote(sub)}", json=claims, timeout=10)
    assert response.status_code == 204


def school_sign_in(page, a11y, sub: str) -> None:
    page.goto("/login")
    a11y.check(page)
    page.get_by_role("link", name="Sign in with Microsoft 365").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state("load")
    a11y.check(page)


def sign_out(page, a11y) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    a11y.check(page)


def test_school_accounts_link_once_and_the_admin_sees_each_refusal(
    page, a11y, make, identity_provider
):
    academy = make.academy("Northfield Primary")
    make.user(Role.STAFF, academy, display_name="Mariam Begum", email="m.begum@northfield.example")
    admin = make.user(Role.ADMIN, None, display_name="Priya Nair")
    entra = {"tid": TENANT, "oid": "00000000-0000-0000-66f3-3332eca7ea81", "ver": "2.0"}

    # First sign-in: linked by the verified address.
    provider_account(
        identity_provider,
        MARIAM_SUB,
        **entra,
        name="Mariam Begum",
        preferred_username="m.begum@northfield.example",
        email="m.begum@northfield.example",
        xms_edov=True,
    )
    school_sign_in(page, a11y, MARIAM_SUB)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Mariam"
    sign_out(page, a11y)

    # Her address changed in the directory: the link still finds her.
    provider_account(
        identity_provider,
        MARIAM_SUB,
        **entra,
        name="Mariam Khan",
        preferred_username="m.khan@northfield.example",
        email="m.khan@northfield.example",
    )
    school_sign_in(page, a11y, MARIAM_SUB)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Mariam"
    sign_out(page, a11y)

    # Another account in the tenant given her old address does not get in.
    provider_account(
        identity_provider,
        "BBBBBBBBBBBBBBBBBBBBBNewAccountSameAddress",
        tid=TENANT,
        oid="11111111-2222-3333-4444-555566667777",
        name="M Begum",
        email="m.begum@northfield.example",
        xms_edov=True,
    )
    school_sign_in(page, a11y, "BBBBBBBBBBBBBBBBBBBBBNewAccountSameAddress")
    assert "We could not find an account for you here." in page.get_by_role("status").inner_text()

    # Nor does an account from another organisation's tenant.
    provider_account(
        identity_provider,
        "CCCCCCCCCCCCCCCCCCCCCOtherTenant",
        tid=OTHER_TENANT,
        oid="99999999-8888-7777-6666-555544443333",
        name="Mariam Begum",
        email="m.begum@northfield.example",
        xms_edov=True,
    )
    school_sign_in(page, a11y, "CCCCCCCCCCCCCCCCCCCCCOtherTenant")
    assert "not from one of the trust's schools" in page.get_by_role("status").inner_text()

    # The trust admin finds out why from the sign-ins page.
    sign_in(page, a11y, admin.username)
    a11y.check(page)
    page.get_by_role("navigation", name="Shortcuts").get_by_role(
        "link", name="School account sign-ins"
    ).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Name or e-mail address").fill("m.begum@")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    rows = page.get_by_role("table").get_by_role("row")
    text = page.get_by_role("table").inner_text()
    assert "not one of the trust's" in text and f"Microsoft tenant {OTHER_TENANT}" in text
    assert "already linked to a different school account" in text
    assert "linked to them by its verified e-mail address" in text
    assert "Signed in with their linked school account." in text
    # A heading row, two refusals, and both sign-ins: the later one gave her new address,
    # and is found by the address she has here.
    assert rows.count() == 5

    # Her page shows the linked account, which the admin can remove after confirming.
    page.get_by_role("link", name="Mariam Begum").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_text(f"Microsoft tenant {TENANT}").is_visible()
    page.get_by_role("button", name="Remove link to m.khan@northfield.example").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Remove link").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "is no longer linked to Mariam Begum" in page.get_by_role("status").inner_text()
