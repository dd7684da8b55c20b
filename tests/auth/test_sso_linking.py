"""Which school account signs in as whom: the linking rules, with tokens shaped like the ones
Microsoft Entra ID (v2.0 endpoint) and Google issue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from elearn.audit.models import AuditEntry
from elearn.auth.models import SsoIdentity
from elearn.auth.roles import Role
from elearn.auth.sso import SsoRefused, SsoSettings, find_or_link_person

NOW = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
PERSONAL_ACCOUNTS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
ENTRA_ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
GOOGLE_ISSUER = "https://accounts.google.com"


def entra_token(**claims: object) -> dict[str, object]:
    """An Entra ID v2.0 ID token's claims for a member of the trust's tenant."""
    token: dict[str, object] = {
        "ver": "2.0",
        "iss": ENTRA_ISSUER,
        "aud": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "iat": 1764490500,
        "nbf": 1764490500,
        "exp": 1764494400,
        "tid": TENANT,
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "name": "Mariam Begum",
        "preferred_username": "m.begum@northfield.example",
        "email": "m.begum@northfield.example",
        "nonce": "123523",
        "uti": "AbCdEf123456",
        "rh": "0.AAAAv4j5cvGGr0GRqy180BHbR3beMWemFK5Jl7xuumkUOR4AAA.",
    }
    token.update(claims)
    return token


def google_token(**claims: object) -> dict[str, object]:
    """A Google ID token's claims for a Google Workspace account in the trust's domain."""
    token: dict[str, object] = {
        "iss": GOOGLE_ISSUER,
        "azp": "1234987819200.apps.googleusercontent.com",
        "aud": "1234987819200.apps.googleusercontent.com",
        "sub": "10769150350006150715113082367",
        "hd": "hilltop.example",
        "email": "jo.park@hilltop.example",
        "email_verified": True,
        "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
        "name": "Jo Park",
        "iat": 1764490500,
        "exp": 1764494100,
        "nonce": "0394852-3190485-2490358",
    }
    token.update(claims)
    return token


def settings(**changes: object) -> SsoSettings:
    config: dict[str, object] = {
        "OIDC_ISSUER": ENTRA_ISSUER,
        "OIDC_CLIENT_ID": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "OIDC_CLIENT_SECRET": "secret",
        "OIDC_ALLOWED_TENANTS": TENANT,
        "OIDC_ALLOWED_DOMAINS": "northfield.example, hilltop.example",
        "OIDC_OWN_TENANTS": "",
        **changes,
    }
    result = SsoSettings.from_config(config)
    assert result is not None
    return result


def refusal(db, claims: dict[str, object], sso: SsoSettings | None = None) -> str:
    with pytest.raises(SsoRefused) as refused:
        find_or_link_person(db, claims, sso or settings(), now=NOW)
    db.rollback()
    return refused.value.code


@pytest.fixture
def mariam(make):
    return make.user(
        Role.STAFF, make.academy(), display_name="Mariam Begum", email="M.Begum@northfield.example"
    )


def test_a_first_sign_in_with_a_verified_address_links_the_entra_account(db, mariam):
    match = find_or_link_person(db, entra_token(xms_edov=True), settings(), now=NOW)
    db.commit()
    assert (match.person.id, match.how) == (mariam.id, "linked_by_email")
    identity = db.scalars(select(SsoIdentity)).one()
    assert identity.user_id == mariam.id
    assert (identity.issuer, identity.subject) == (
        ENTRA_ISSUER,
        "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
    )
    assert identity.tenant_id == TENANT
    assert identity.object_id == "00000000-0000-0000-66f3-3332eca7ea81"
    assert identity.linked_by == "email"
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.sso_link")).one()
    assert audit.subject_id == mariam.id


def test_a_later_sign_in_matches_on_the_link_even_after_the_address_changed(db, mariam):
    find_or_link_person(db, entra_token(xms_edov=True), settings(), now=NOW)
    db.commit()
    # She married and IT changed her address; the subject stays the same.
    renamed = entra_token(email="m.khan@northfield.example", xms_edov=False)
    match = find_or_link_person(db, renamed, settings(), now=NOW)
    assert (match.person.id, match.how) == (mariam.id, "identity")
    assert db.scalars(select(SsoIdentity)).one().email == "m.khan@northfield.example"


def test_a_later_sign_in_never_matches_by_address_alone(db, mariam, make):
    find_or_link_person(db, entra_token(xms_edov=True), settings(), now=NOW)
    db.commit()
    # Another account in the tenant whose mail attribute someone set to Mariam's address.
    impostor = entra_token(
        sub="BBBBBBBBBBBBBBBBBBBBBCaptureMariamsAddress", oid="11111111-2222-3333-4444-555566667777"
    )
    impostor["xms_edov"] = True
    assert refusal(db, impostor) == "linked_elsewhere"


def test_an_unverified_entra_address_does_not_link(db, mariam):
    assert refusal(db, entra_token()) == "email_not_verified"
    assert refusal(db, entra_token(xms_edov=False)) == "email_not_verified"
    assert db.scalars(select(SsoIdentity)).all() == []


def test_a_tenant_the_trust_names_as_its_own_vouches_for_its_addresses(db, mariam):
    match = find_or_link_person(db, entra_token(), settings(OIDC_OWN_TENANTS=TENANT), now=NOW)
    assert match.person.id == mariam.id


def test_the_sign_in_name_stands_in_for_a_missing_email_claim_only_in_own_tenants(db, mariam):
    token = entra_token(xms_edov=True, preferred_username="M.Begum@northfield.example")
    del token["email"]
    assert refusal(db, token) == "no_email"
    own = settings(OIDC_OWN_TENANTS=TENANT)
    assert find_or_link_person(db, token, own, now=NOW).person.id == mariam.id


def test_an_address_outside_the_trusts_domains_does_not_link(db, make):
    make.user(Role.STAFF, make.academy(), email="m.begum@gmail.example")
    token = entra_token(xms_edov=True, email="m.begum@gmail.example")
    assert refusal(db, token) == "email_domain"


@pytest.mark.parametrize("tenant", [OTHER_TENANT, PERSONAL_ACCOUNTS_TENANT])
def test_a_token_from_another_tenant_is_refused_whatever_its_address(db, mariam, tenant):
    token = entra_token(
        tid=tenant, iss=f"https://login.microsoftonline.com/{tenant}/v2.0", xms_edov=True
    )
    assert refusal(db, token) == "wrong_tenant"


def test_the_roster_id_claim_links_when_there_is_no_usable_address(db, make):
    ann = make.user(Role.STAFF, make.academy(), display_name="Ann Roster", roster_id="MIS-4471")
    token = entra_token(email="ann@personal.example", employeeId="MIS-4471")
    sso = settings(OIDC_ROSTER_ID_CLAIM="employeeId")
    match = find_or_link_person(db, token, sso, now=NOW)
    assert (match.person.id, match.how) == (ann.id, "linked_by_roster_id")
    assert refusal(db, entra_token(sub="other", employeeId="MIS-9999"), sso) == "no_account"


def test_a_google_workspace_account_links_by_its_verified_address(db, make):
    jo = make.user(Role.STAFF, make.academy(), email="jo.park@hilltop.example")
    match = find_or_link_person(db, google_token(), settings(), now=NOW)
    assert (match.person.id, match.how) == (jo.id, "linked_by_email")
    identity = db.scalars(select(SsoIdentity)).one()
    assert (identity.issuer, identity.tenant_id, identity.object_id) == (GOOGLE_ISSUER, None, None)


def test_google_needs_email_verified_and_the_trusts_hosted_domain(db, make):
    make.user(Role.STAFF, make.academy(), email="jo.park@hilltop.example")
    assert refusal(db, google_token(email_verified=False)) == "email_not_verified"
    assert refusal(db, google_token(hd="gmail.com")) == "wrong_domain"
    personal = google_token()
    del personal["hd"]
    assert refusal(db, personal) == "no_organisation"


def test_one_person_may_link_one_account_from_each_provider(db, mariam):
    find_or_link_person(db, entra_token(xms_edov=True), settings(), now=NOW)
    google = google_token(hd="northfield.example", email="m.begum@northfield.example")
    assert find_or_link_person(db, google, settings(), now=NOW).how == "linked_by_email"
    db.commit()
    assert len(db.scalars(select(SsoIdentity)).all()) == 2


def test_a_linked_account_of_someone_who_left_is_refused(db, mariam):
    find_or_link_person(db, entra_token(xms_edov=True), settings(), now=NOW)
    mariam.active = False
    db.commit()
    assert refusal(db, entra_token(xms_edov=True)) == "person_inactive"


def test_an_unknown_address_is_refused_and_links_nothing(db, mariam):
    token = entra_token(xms_edov=True, email="new.starter@northfield.example", sub="new")
    assert refusal(db, token) == "no_account"
    assert db.scalars(select(SsoIdentity)).all() == []
