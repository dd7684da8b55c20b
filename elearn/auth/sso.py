"""Single sign-on with the schools' Microsoft 365 or Google Workspace accounts (OpenID Connect).

One identity provider per trust, set by ``ELEARN_OIDC_*``. An ID token is accepted only when
it is properly signed, unexpired, for this client, from the configured issuer, and from one
of the trust's own Microsoft tenants (``tid``) or Google Workspace domains (``hd``).

The first sign-in links the school account to an existing, active person, and later
sign-ins find them by that link (the provider's issuer and subject) alone. Linking needs an
e-mail address the provider vouches for, in one of the trust's domains, or the roster id
the MIS gave the person; a person already linked to an account from the same provider is
never linked to a second one by e-mail (an admin removes the old link first). Signing in
with a school account never creates an account.

Nothing here touches the network until someone actually uses SSO: the provider's discovery
document is fetched on first use, so ``create_app`` stays offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn.audit.services import record_about_person
from elearn.auth.models import SsoIdentity, User


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
    own_tenants: frozenset[str] = frozenset()
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
            own_tenants=_split(config.get("OIDC_OWN_TENANTS")),
            roster_id_claim=str(config.get("OIDC_ROSTER_ID_CLAIM") or "").strip(),
            timeout=float(config.get("OIDC_TIMEOUT_SECONDS") or 10),
        )


class SsoRefused(Exception):
    """Signing in with a school account was refused.

    ``code`` says why in the records (``elearn.auth.sso_records.REASONS`` puts it in words),
    ``message`` is safe to show the person, and ``person_id`` is who the refusal concerns when
    somebody was found, so an admin searching for them finds it too.
    """

    def __init__(self, code: str, message: str, person_id: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.person_id = person_id


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


def _text(claims: Mapping[str, Any], name: str) -> str | None:
    value = str(claims.get(name) or "").strip()
    return value or None


@dataclass(frozen=True)
class TokenIdentity:
    """Who an ID token says the account is: what the records and the link keep of it."""

    issuer: str
    subject: str
    tenant_id: str | None
    object_id: str | None
    hosted_domain: str | None
    # The address the token gives (``email``, else Entra's sign-in name), as given.
    email: str | None
    name: str | None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> TokenIdentity:
        email = _text(claims, "email")
        if email is None and "@" in str(claims.get("preferred_username") or ""):
            email = _text(claims, "preferred_username")
        return cls(
            issuer=_text(claims, "iss") or "",
            subject=_text(claims, "sub") or "",
            tenant_id=(_text(claims, "tid") or "").lower() or None,
            object_id=_text(claims, "oid"),
            hosted_domain=(_text(claims, "hd") or "").lower() or None,
            email=email.lower() if email else None,
            name=_text(claims, "name"),
        )


def allowed_organisation(claims: Mapping[str, Any], settings: SsoSettings) -> str:
    """Which allowance the token meets (``tenant`` or ``domain``); refuses otherwise.

    A Microsoft token always names its tenant, and that tenant decides: an account from any
    other tenant (a personal Microsoft account included) is refused whatever its address.
    """
    tenant = str(claims.get("tid") or "").lower()
    if tenant:
        if tenant in settings.allowed_tenants:
            return "tenant"
        raise SsoRefused("wrong_tenant", NOT_OUR_SCHOOLS)
    domain = str(claims.get("hd") or "").lower()
    if domain:
        if domain in settings.allowed_domains:
            return "domain"
        raise SsoRefused("wrong_domain", NOT_OUR_SCHOOLS)
    raise SsoRefused("no_organisation", NOT_OUR_SCHOOLS)


def linking_email(claims: Mapping[str, Any], settings: SsoSettings) -> tuple[str | None, str]:
    """The address a first sign-in may be linked by, or None and the reason code why not.

    Google vouches for an address with ``email_verified``. Entra ID's ``email`` claim is
    whatever the account's mail attribute holds, which tenant admins (and some apps) can set
    to anything: it counts only with ``xms_edov`` (the address's domain is verified in the
    tenant) or from a tenant the trust named as its own. Without an ``email`` claim, Entra's
    sign-in name (``preferred_username``) stands in only in the trust's own tenants: it is
    not covered by ``xms_edov``. Either way the address must be in one of the trust's own
    domains.
    """
    email = TokenIdentity.from_claims(claims).email
    tenant = str(claims.get("tid") or "").lower()
    if email and not _text(claims, "email") and tenant not in settings.own_tenants:
        email = None
    if not email:
        return None, "no_email"
    said_unverified = "email_verified" in claims and not _truthy(claims["email_verified"])
    if tenant:
        vouched = _truthy(claims.get("xms_edov")) or tenant in settings.own_tenants
    else:
        vouched = _truthy(claims.get("email_verified"))
    if said_unverified or not vouched:
        return None, "email_not_verified"
    if email.rpartition("@")[2] not in settings.allowed_domains:
        return None, "email_domain"
    return email, ""


@dataclass(frozen=True)
class SsoMatch:
    person: User
    # "identity" (a linked account), "linked_by_email" or "linked_by_roster_id".
    how: str


def _live() -> tuple[Any, ...]:
    return (User.active.is_(True), User.erased_at.is_(None))


def find_or_link_person(
    session: Session, claims: Mapping[str, Any], settings: SsoSettings, *, now: datetime
) -> SsoMatch:
    """The existing active person this ID token belongs to, linking the account on its first
    sign-in; refuses anyone else (``SsoRefused``)."""
    allowed_organisation(claims, settings)
    token = TokenIdentity.from_claims(claims)
    if not (token.issuer and token.subject):
        raise SsoRefused("token_invalid", DID_NOT_WORK)
    identity = session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.issuer == token.issuer, SsoIdentity.subject == token.subject
        )
    )
    if identity is not None:
        person = identity.user
        if not person.active or person.erased_at is not None:
            raise SsoRefused("person_inactive", NO_ACCOUNT, person.id)
        identity.email = token.email
        identity.last_used_at = now
        return SsoMatch(person, "identity")

    email, email_problem = linking_email(claims, settings)
    person, linked_by = None, ""
    if email:
        person = session.scalar(select(User).where(func.lower(User.email) == email, *_live()))
        linked_by = "email"
    roster_id = _text(claims, settings.roster_id_claim) if settings.roster_id_claim else None
    if person is None and roster_id:
        person = session.scalar(select(User).where(User.roster_id == roster_id, *_live()))
        linked_by = "roster_id"
    if person is None:
        raise SsoRefused("no_account" if email or roster_id else email_problem, NO_ACCOUNT)

    # One account per provider: once linked, a second account with the same address (made
    # by whoever can edit the directory) does not get in; an admin removes the old link.
    already = session.scalar(
        select(SsoIdentity.id).where(
            SsoIdentity.user_id == person.id, SsoIdentity.issuer == token.issuer
        )
    )
    if already is not None:
        raise SsoRefused("linked_elsewhere", NO_ACCOUNT, person.id)
    session.add(
        SsoIdentity(
            user_id=person.id,
            issuer=token.issuer,
            subject=token.subject,
            tenant_id=token.tenant_id,
            object_id=token.object_id,
            email=token.email,
            linked_by=linked_by,
            linked_at=now,
            last_used_at=now,
        )
    )
    record_about_person(
        session,
        actor_id=person.id,
        action="person.sso_link",
        person=person,
        at=now,
        detail={"issuer": token.issuer, "tenant_id": token.tenant_id, "linked_by": linked_by},
    )
    return SsoMatch(person, f"linked_by_{linked_by}")
