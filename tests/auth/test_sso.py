"""Signing in with a school account, against a real OpenID Connect provider on loopback."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from elearn.auth.models import LoginSession, SsoIdentity, SsoSignIn, User
from elearn.auth.roles import Role
from elearn.auth.sso import SsoSettings
from tests.auth.mock_oidc import CLIENT_ID, CLIENT_SECRET, running_provider
from tests.smtp import plain_text

TENANT = "6b1f3c0e-1111-4222-8333-944455556666"
DOMAIN = "northfield.example"


@pytest.fixture
def provider(app_config):
    with running_provider() as running:
        app_config.update(
            {
                "OIDC_ISSUER": running.issuer,
                "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_ALLOWED_TENANTS": TENANT,
                "OIDC_ALLOWED_DOMAINS": f"{DOMAIN},hilltop.example",
                "OIDC_LABEL": "Sign in with Microsoft 365",
            }
        )
        yield running


def school_sign_in(client, next_path: str | None = None):
    """Press the button, let the provider sign the user in, and follow it back."""
    start = client.get("/sso/login" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == [CLIENT_ID] and "nonce" in query and "state" in query
    assert query["code_challenge_method"] == ["S256"]
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def refused(client, response) -> str:
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    return page


def test_without_settings_there_is_no_button_and_no_route(client):
    assert "school account" not in client.get("/login").get_data(as_text=True)
    assert client.get("/sso/login").status_code == 404
    assert client.get("/sso/callback?code=x&state=y").status_code == 404


def test_settings_without_an_allowed_tenant_or_domain_leave_sso_off():
    assert (
        SsoSettings.from_config(
            {"OIDC_ISSUER": "https://x", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"}
        )
        is None
    )


def test_the_app_starts_without_calling_the_provider(provider, client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Microsoft 365" in page
    assert provider.requests == []


def test_a_matched_staff_member_signs_in(provider, client, make, db):
    teacher = make.user(
        Role.STAFF, make.academy(), display_name="Mariam Begum", email="M.Begum@Northfield.example"
    )
    provider.claims = {
        "tid": TENANT,
        "xms_edov": True,
        "email": "m.begum@northfield.example",
        "name": "Mariam B",
    }
    response = school_sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, Mariam" in client.get("/").get_data(as_text=True)
    assert (
        db.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.user_id == teacher.id)
        )
        == 1
    )
    # Signing out ends the server-side session as for password sign-in.
    client.logout()
    assert client.get("/").status_code == 302


@pytest.fixture
def own_tenant(provider, app_config):
    app_config["OIDC_OWN_TENANTS"] = TENANT
    return provider


def test_microsoft_sign_in_name_is_used_in_an_own_tenant_without_an_email_claim(
    own_tenant, client, make
):
    provider = own_tenant
    make.user(
        Role.STAFF, make.academy(), display_name="Rhys Evans", email="r.evans@hilltop.example"
    )
    provider.claims = {
        "tid": TENANT,
        "xms_edov": True,
        "preferred_username": "R.Evans@hilltop.example",
    }
    assert school_sign_in(client).headers["Location"] == "/"


def test_google_workspace_accounts_need_the_hosted_domain_and_a_verified_email(
    provider, client, make
):
    make.user(
        Role.STAFF, make.academy(), display_name="Jo Park", email="jo.park@northfield.example"
    )
    provider.claims = {"hd": DOMAIN, "email": "jo.park@northfield.example", "email_verified": False}
    page = refused(client, school_sign_in(client))
    assert "could not find an account" in page

    provider.claims["email_verified"] = True
    assert school_sign_in(client).headers["Location"] == "/"


@pytest.mark.parametrize(
    "claims",
    [
        {"tid": "00000000-0000-0000-0000-000000000000"},
        {"hd": "gmail.com", "email_verified": True},
        {},
    ],
    ids=["other-tenant", "other-domain", "neither"],
)
def test_accounts_from_outside_the_trust_are_refused(provider, client, make, claims):
    make.user(Role.STAFF, make.academy(), email="m.begum@northfield.example")
    provider.claims = {"email": "m.begum@northfield.example", **claims}
    page = refused(client, school_sign_in(client))
    assert "not from one of the trust&#39;s schools" in page


def test_an_unknown_email_is_refused_and_no_account_is_created(provider, client, make, db):
    make.user(Role.STAFF, make.academy(), email="someone@northfield.example")
    before = db.scalar(select(func.count()).select_from(User))
    provider.claims = {"tid": TENANT, "xms_edov": True, "email": "new.starter@northfield.example"}
    page = refused(client, school_sign_in(client))
    assert "We could not find an account for you here." in page
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_a_deactivated_person_cannot_sign_in_with_sso(provider, client, make):
    make.user(Role.STAFF, make.academy(), email="left@northfield.example", active=False)
    provider.claims = {"tid": TENANT, "xms_edov": True, "email": "left@northfield.example"}
    assert "could not find an account" in refused(client, school_sign_in(client))


@pytest.fixture
def roster_claim(provider, app_config):
    app_config["OIDC_ROSTER_ID_CLAIM"] = "employee_id"
    return provider


def test_a_roster_id_claim_matches_when_configured(roster_claim, client, make):
    provider = roster_claim
    make.user(Role.STAFF, make.academy(), display_name="Ann Roster", roster_id="MIS-4471")
    provider.claims = {"tid": TENANT, "employee_id": "MIS-4471"}
    assert school_sign_in(client).headers["Location"] == "/"
    assert "Welcome, Ann" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "fault",
    ["tampered", "expired", "wrong_nonce", "wrong_audience", "wrong_issuer", "unknown_key"],
)
def test_a_bad_id_token_is_refused(provider, client, make, fault):
    make.user(Role.STAFF, make.academy(), email="m.begum@northfield.example")
    provider.claims = {"tid": TENANT, "xms_edov": True, "email": "m.begum@northfield.example"}
    provider.fault = fault
    page = refused(client, school_sign_in(client))
    assert "Signing in with your school account did not work" in page


def test_a_callback_without_a_matching_state_is_refused(provider, client):
    response = client.get("/sso/callback?code=made-up&state=made-up")
    assert "did not work" in refused(client, response)


def test_sign_in_returns_to_the_page_asked_for(provider, client, make):
    make.user(Role.STAFF, make.academy(), email="m.begum@northfield.example")
    provider.claims = {"tid": TENANT, "xms_edov": True, "email": "m.begum@northfield.example"}
    assert school_sign_in(client, "/my-data").headers["Location"] == "/my-data"


@pytest.fixture
def wrong_secret(provider, app_config):
    app_config["OIDC_CLIENT_SECRET"] = "not-the-secret"
    return provider


def test_a_wrong_client_secret_means_no_sign_in(wrong_secret, client, make):
    wrong_secret.claims = {"tid": TENANT, "xms_edov": True, "email": "m.begum@northfield.example"}
    make.user(Role.STAFF, make.academy(), email="m.begum@northfield.example")
    assert "did not work" in refused(client, school_sign_in(client))


@pytest.fixture
def provider_down(app_config):
    with running_provider() as running:
        issuer = running.issuer  # the port is free again once the block ends
    app_config.update(
        {
            "OIDC_ISSUER": issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ALLOWED_TENANTS": TENANT,
            "OIDC_TIMEOUT_SECONDS": 2,
        }
    )


def test_an_unreachable_provider_sends_people_back_to_password_sign_in(provider_down, client):
    response = client.get("/sso/login")
    page = refused(client, response)
    assert "did not work" in page
    assert 'name="password"' in page  # password sign-in still works


def test_microsofts_multi_tenant_issuer_is_checked_against_the_tokens_tenant():
    from elearn.auth.sso import claims_options

    settings = SsoSettings.from_config(
        {
            "OIDC_ISSUER": "https://login.microsoftonline.com/organizations/v2.0",
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ALLOWED_TENANTS": TENANT,
        }
    )
    options = claims_options(settings, "https://login.microsoftonline.com/{tenantid}/v2.0")
    issuer_ok = options["iss"]["validate"]
    assert issuer_ok({"tid": TENANT}, f"https://login.microsoftonline.com/{TENANT}/v2.0")
    assert not issuer_ok({"tid": TENANT}, "https://login.microsoftonline.com/common/v2.0")
    assert options["aud"]["values"] == [CLIENT_ID]


def test_each_sign_in_and_refusal_is_kept_with_its_reason_and_logged(
    provider, client, make, db, caplog
):
    teacher = make.user(
        Role.STAFF, make.academy(), display_name="Mariam Begum", email="m.begum@northfield.example"
    )
    caplog.set_level(logging.WARNING, logger="elearn.sso")
    entra = {"tid": TENANT, "oid": "00000000-0000-0000-66f3-3332eca7ea81", "name": "Mariam Begum"}
    provider.claims = {**entra, "sub": "mariam", "email": "m.begum@northfield.example"}
    provider.claims["xms_edov"] = True
    assert school_sign_in(client).headers["Location"] == "/"
    client.logout()
    # Her address changes; the next sign-in still finds her by the link.
    provider.claims = {**entra, "sub": "mariam", "email": "m.khan@northfield.example"}
    assert school_sign_in(client).headers["Location"] == "/"
    client.logout()
    # A second account with her old address is refused.
    provider.claims = {**entra, "sub": "someone-else", "email": "m.begum@northfield.example"}
    provider.claims["xms_edov"] = True
    refused(client, school_sign_in(client))
    provider.fault = "expired"
    refused(client, school_sign_in(client))

    db.expire_all()
    kept = db.scalars(select(SsoSignIn).order_by(SsoSignIn.id)).all()
    assert [(k.reason, k.succeeded, k.user_id) for k in kept] == [
        ("linked_by_email", True, teacher.id),
        ("identity", True, teacher.id),
        ("linked_elsewhere", False, teacher.id),
        ("token_invalid", False, None),
    ]
    assert kept[1].email == "m.khan@northfield.example" and kept[1].tenant_id == TENANT
    identity = db.scalars(select(SsoIdentity)).one()
    assert (identity.subject, identity.email) == ("mariam", "m.khan@northfield.example")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("refused (linked_elsewhere)" in w for w in warnings)
    assert sum("SSO sign-in (" in w for w in warnings) == 2


def test_the_person_is_told_at_their_own_address_when_an_account_is_linked(
    smtp, provider, client, make
):
    make.user(
        Role.STAFF, make.academy(), display_name="Mariam Begum", email="m.begum@northfield.example"
    )
    provider.claims = {"tid": TENANT, "sub": "mariam", "xms_edov": True}
    provider.claims["email"] = "m.begum@northfield.example"
    assert school_sign_in(client).headers["Location"] == "/"
    [mail] = smtp.to("m.begum@northfield.example")
    assert mail["Subject"] == "A school account now signs in to your e-safety training account"
    body = plain_text(mail)
    assert f"Microsoft 365 (organisation {TENANT})" in body
    assert "tell your school's IT team" in body
    client.logout()
    # Later sign-ins with the linked account send nothing more.
    assert school_sign_in(client).headers["Location"] == "/"
    assert len(smtp.to("m.begum@northfield.example")) == 1
