"""Single sign-on with the schools' Microsoft 365 or Google Workspace accounts (OpenID Connect).

One identity provider per trust, set by ``ELEARN_OIDC_*``. An ID token is accepted only when
it is properly signed, unexpired, for this client, from the configured issuer, and from one
of the trust's own Microsoft tenants (``tid``) or Google Workspace domains (``hd``). It is
then matched to an existing, active person by roster id or verified e-mail. Signing in with
a school account never creates an account.

Nothing here touches the network until someone actually uses SSO: the provider's discovery
document is fetched on first use, so ``create_app`` stays offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.auth.models import User


def _split(value: object) -> frozenset[str]:
    if isinstance(value, list | tuple | set | frozenset):
        items = [str(v) for v in value]
    else:
        items = str(value or "").replace(";", ",").split(",")
    return frozenset(item.strip().lower() for item in items if item.strip())


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    client_secret: str
    allowed_tenants: frozenset[str]
    allowed_domains: frozenset[str]
    label: str
    roster_id_claim: str = ""
    timeout: float = 10.0

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SsoSettings | None:
        """None unless SSO is fully configured, including at least one allowed tenant or
        domain: without one, any Microsoft or Google account in the world could try."""
        issuer = str(config.get("OIDC_ISSUER") or "").strip()
        client_id = str(config.get("OIDC_CLIENT_ID") or "").strip()
        secret = str(config.get("OIDC_CLIENT_SECRET") or "")
        tenants = _split(config.get("OIDC_ALLOWED_TENANTS"))
        domains = _split(config.get("OIDC_ALLOWED_DOMAINS"))
        if not (issuer and client_id and secret and (tenants or domains)):
            return None
        return cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=secret,
            allowed_tenants=tenants,
            allowed_domains=domains,
            label=str(config.get("OIDC_LABEL") or "Sign in with your school account"),
            roster_id_claim=str(config.get("OIDC_ROSTER_ID_CLAIM") or "").strip(),
            timeout=float(config.get("OIDC_TIMEOUT_SECONDS") or 10),
        )


class SsoRefused(Exception):
    """Signing in with a school account was refused; ``message`` is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


NOT_OUR_SCHOOLS = (
    "That account is not from one of the trust's schools. Sign in with your school account, "
    "or with your username and password."
)
NO_ACCOUNT = (
    "We could not find an account for you here. Ask your school office to check your "
    "details; you can still sign in with a username and password if you have one."
)
DID_NOT_WORK = "Signing in with your school account did not work. Please try again."


def claims_options(settings: SsoSettings, metadata_issuer: str) -> dict[str, dict[str, Any]]:
    """Checks on the ID token beyond its signature and times: issuer and audience.

    Microsoft's multi-tenant discovery documents give the issuer as a template containing
    ``{tenantid}``; the token's own ``tid`` fills it in (the tenant is checked separately).
    A fresh dict each time: the checking code consumes the ``validate`` entries.
    """

    def issuer_matches(claims: Mapping[str, Any], value: object) -> bool:
        expected = metadata_issuer or settings.issuer
        if "{tenantid}" in expected:
            expected = expected.replace("{tenantid}", str(claims.get("tid") or ""))
        return str(value).rstrip("/") == expected.rstrip("/")

    validate: Callable[[Mapping[str, Any], object], bool] = issuer_matches
    return {
        "iss": {"essential": True, "validate": validate},
        "aud": {"essential": True, "values": [settings.client_id]},
        "sub": {"essential": True},
    }


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def allowed_organisation(claims: Mapping[str, Any], settings: SsoSettings) -> str:
    """Which allowance the token meets (``tenant`` or ``domain``); refuses otherwise."""
    tenant = str(claims.get("tid") or "").lower()
    if tenant and tenant in settings.allowed_tenants:
        return "tenant"
    domain = str(claims.get("hd") or "").lower()
    if domain and domain in settings.allowed_domains:
        return "domain"
    raise SsoRefused("organisation", NOT_OUR_SCHOOLS)


def verified_email(claims: Mapping[str, Any], allowance: str) -> str | None:
    """The token's e-mail address if it can be trusted to belong to the person.

    Google says so with ``email_verified``. Microsoft tokens from one of the trust's own
    tenants carry addresses the trust's IT staff assigned (``email``, else the sign-in name
    ``preferred_username``), unless the token itself says the address is unverified.
    """
    if "email_verified" in claims and not _truthy(claims["email_verified"]):
        return None
    email = str(claims.get("email") or "").strip().lower()
    if email and (_truthy(claims.get("email_verified")) or allowance == "tenant"):
        return email
    if allowance == "tenant":
        name = str(claims.get("preferred_username") or "").strip().lower()
        if "@" in name:
            return name
    return None


def match_person(session: Session, claims: Mapping[str, Any], settings: SsoSettings) -> User:
    """The existing active person this ID token belongs to; refuses anyone else."""
    allowance = allowed_organisation(claims, settings)
    live = (User.active.is_(True), User.erased_at.is_(None))
    if settings.roster_id_claim:
        roster_id = claims.get(settings.roster_id_claim)
        if roster_id:
            person = session.scalar(select(User).where(User.roster_id == str(roster_id), *live))
            if person is not None:
                return person
    email = verified_email(claims, allowance)
    if email:
        person = session.scalar(select(User).where(func.lower(User.email) == email, *live))
        if person is not None:
            return person
    raise SsoRefused("no_account", NO_ACCOUNT)
