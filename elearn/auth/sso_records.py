"""What happened at each sign-in with a school account, and the accounts linked to people.

Every sign-in and every refusal is kept with its reason, so a trust's IT lead can answer
"why can't Miss X sign in?" from the admin pages without reading server logs. Linked
accounts can be seen and removed by a trust admin (audited), for instance when a member of
staff is given a new account by the school's IT provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, joinedload

from elearn.audit.services import record_about_person
from elearn.auth.models import SsoIdentity, SsoSignIn, User
from elearn.auth.sso import TokenIdentity
from elearn.mail import Mail
from elearn.privacy.registry import SectionGuide, iso, register_eraser, register_exporter

PER_PAGE = 50
# Long enough to answer "why could she not sign in last term?"; refusals carry the address
# of whoever tried (a pupil's personal account, say), so they are not kept for ever.
SIGN_INS_KEPT = timedelta(days=365)

# Reason code -> what happened, in words an IT lead can act on.
REASONS = {
    "identity": "Signed in with their linked school account.",
    "linked_by_email": "Signed in for the first time: the school account was linked to them "
    "by its verified e-mail address.",
    "linked_by_roster_id": "Signed in for the first time: the school account was linked to "
    "them by the roster id the account carries.",
    "wrong_tenant": "Refused: the account belongs to a Microsoft 365 organisation (tenant) "
    "that is not one of the trust's. Check the tenant id, or add it to the allowed tenants.",
    "wrong_domain": "Refused: the Google account is not in one of the trust's Google "
    "Workspace domains (a personal Gmail account, or another organisation's).",
    "no_organisation": "Refused: the account says neither which Microsoft 365 tenant nor which "
    "Google Workspace domain it belongs to, so it may be a personal account.",
    "no_email": "Refused: nobody was linked to this school account yet, and it gave no e-mail "
    "address (or roster id) to find the person by.",
    "email_not_verified": "Refused: nobody was linked to this school account yet, and the "
    "provider does not vouch for its e-mail address, so the address was not used to find "
    "the person.",
    "email_domain": "Refused: nobody was linked to this school account yet, and its e-mail "
    "address is not in one of the trust's domains.",
    "no_account": "Refused: nobody here has this account's e-mail address or roster id. "
    "Check the person's e-mail address (or roster id) on their page.",
    "linked_elsewhere": "Refused: the person with this e-mail address is already linked to a "
    "different school account from the same provider. If the new account is really theirs, "
    "remove the old link on their page and ask them to sign in again.",
    "person_inactive": "Refused: the school account is linked to someone who has left or "
    "whose account here is switched off.",
    "token_invalid": "Refused: the sign-in could not be checked or completed (the provider's "
    "answer was not signed properly, had expired, was meant for another site, or the sign-in "
    "was started in another browser). If it keeps happening, check the app registration's "
    "client id and secret.",
}


def describe_reason(code: str) -> str:
    return REASONS.get(code, code)


def record_sign_in(
    session: Session,
    claims: Mapping[str, Any],
    *,
    reason: str,
    user_id: int | None,
    ip: str | None,
    now: datetime,
) -> SsoSignIn:
    """Keep one sign-in or refusal (``reason`` is a code of ``REASONS``) in the caller's
    transaction; ``user_id`` is the person it concerns, if anyone was found."""
    token = TokenIdentity.from_claims(claims)
    entry = SsoSignIn(
        at=now,
        user_id=user_id,
        succeeded=reason in ("identity", "linked_by_email", "linked_by_roster_id"),
        reason=reason,
        email=token.email,
        display_name=token.name,
        issuer=token.issuer or None,
        subject=token.subject or None,
        tenant_id=token.tenant_id,
        hosted_domain=token.hosted_domain,
        ip=ip,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class SignInPage:
    entries: list[SsoSignIn]
    page: int
    pages: int
    total: int


def recent_sign_ins(session: Session, *, search: str = "", page: int = 1) -> SignInPage | None:
    """Newest first, ``PER_PAGE`` to a page; ``search`` matches part of the name or e-mail
    the account gave, or of the name or e-mail of the person it concerns. None for a page
    past the last."""
    query = select(SsoSignIn).outerjoin(User, User.id == SsoSignIn.user_id)
    words = search.strip().lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (
                        SsoSignIn.email,
                        SsoSignIn.display_name,
                        User.display_name,
                        User.email,
                    )
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    if not 1 <= page <= pages:
        return None
    entries = session.scalars(
        query.options(joinedload(SsoSignIn.user))
        .order_by(SsoSignIn.at.desc(), SsoSignIn.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return SignInPage(list(entries), page, pages, total)


LINKED_SUBJECT = "A school account now signs in to your e-safety training account"


def link_notice(
    person: User, token: TokenIdentity, *, at: datetime, trust_name: str, site_url: str
) -> Mail | None:
    """Tell the person, at the address held here, that a school account was linked to them.

    Whoever could give a directory account the person's address before they first signed in
    would be signed in as them from then on; the real owner reads this at their own mailbox
    and can have the link removed. None when the person has no address here.
    """
    if not person.email:
        return None
    if token.tenant_id:
        source = f"Microsoft 365 (organisation {token.tenant_id})"
    elif token.hosted_domain:
        source = f"Google Workspace ({token.hosted_domain})"
    else:
        source = "your school's sign-in service"
    account = token.email or "an account without an e-mail address"
    body = (
        f"Hello {person.first_name},\n\n"
        f"On {at.strftime('%-d %B %Y at %H:%M')} UTC the school account {account} from "
        f"{source} signed in to {trust_name}'s e-safety training for the first time, and is "
        "now linked to your account there: from now on it signs in as you.\n\n"
        "If that was you, there is nothing to do. If it was not, tell your school's IT team "
        "or the trust's data protection officer straight away, so they can remove the link.\n\n"
        f"{site_url}\n"
    )
    return Mail(to=(person.email,), subject=LINKED_SUBJECT, body=body)


def purge_old_sign_ins(session: Session, *, now: datetime) -> int:
    """Forget sign-in records older than ``SIGN_INS_KEPT``; how many went."""
    result = session.execute(delete(SsoSignIn).where(SsoSignIn.at < now - SIGN_INS_KEPT))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def identities_of(session: Session, user_id: int) -> list[SsoIdentity]:
    return list(
        session.scalars(
            select(SsoIdentity)
            .where(SsoIdentity.user_id == user_id)
            .order_by(SsoIdentity.linked_at, SsoIdentity.id)
        )
    )


def identity_of(session: Session, user_id: int, identity_id: int) -> SsoIdentity | None:
    """The person's linked account with this id; None for anyone else's."""
    return session.scalar(
        select(SsoIdentity).where(SsoIdentity.id == identity_id, SsoIdentity.user_id == user_id)
    )


def remove_identity(
    session: Session, actor: User, person: User, identity: SsoIdentity, *, now: datetime
) -> None:
    """Unlink the account: its next sign-in is treated as a first one again."""
    record_about_person(
        session,
        actor_id=actor.id,
        action="person.sso_unlink",
        person=person,
        at=now,
        # Which provider, not which account: the trail outlives the person's erasure, and
        # the account's ids would still point at them in the school's directory.
        detail={"issuer": identity.issuer, "tenant_id": identity.tenant_id},
    )
    session.delete(identity)


# --- data protection ------------------------------------------------------------------------


def _addresses(session: Session, user_id: int) -> list[str]:
    """Every address the person is known by: theirs here and their linked accounts'."""
    user = session.get(User, user_id)
    found = {user.email.lower()} if user is not None and user.email else set()
    found |= {i.email for i in identities_of(session, user_id) if i.email}
    return sorted(found)


def _sign_ins_about(session: Session, user_id: int) -> Any:
    return or_(SsoSignIn.user_id == user_id, SsoSignIn.email.in_(_addresses(session, user_id)))


@register_exporter(
    "school_accounts",
    tables=("sso_identities", "sso_sign_ins"),
    guide=SectionGuide(
        "School account sign-in",
        "The Microsoft 365 or Google school accounts linked to you here, and each sign-in "
        "with a school account (or refusal) that concerns you.",
        {
            "linked_accounts": "The school accounts you sign in with.",
            "provider": "Which sign-in service the account is from (its web address).",
            "account_id": "The number the sign-in service uses for your account.",
            "tenant_id": "For Microsoft 365: the number of the school or trust's organisation.",
            "directory_id": "For Microsoft 365: your account's number in that organisation.",
            "email": "The e-mail address the sign-in service gave.",
            "linked_by": "How your school account was first matched to you: email (your "
            "e-mail address) or roster_id (your id in the school's records).",
            "linked_at": "When the account was linked to you.",
            "last_used_at": "The last time you signed in with it.",
            "sign_ins": "Each sign-in with a school account that concerns you.",
            "at": "When it happened.",
            "succeeded": "true if you were signed in; false if it was refused.",
            "reason": "What happened, in words.",
            "name": "The name the sign-in service gave.",
            "ip": "The internet address the sign-in came from.",
        },
    ),
)
def export_school_accounts(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    sign_ins = session.scalars(
        select(SsoSignIn)
        .where(_sign_ins_about(session, user_id))
        .order_by(SsoSignIn.at, SsoSignIn.id)
    )
    return {
        "linked_accounts": [
            {
                "provider": i.issuer,
                "account_id": i.subject,
                "tenant_id": i.tenant_id,
                "directory_id": i.object_id,
                "email": i.email,
                "linked_by": i.linked_by,
                "linked_at": iso(i.linked_at),
                "last_used_at": iso(i.last_used_at),
            }
            for i in identities_of(session, user_id)
        ],
        "sign_ins": [
            {
                "at": iso(s.at),
                "succeeded": s.succeeded,
                "reason": describe_reason(s.reason),
                "email": s.email,
                "name": s.display_name,
                "ip": s.ip,
            }
            for s in sign_ins
        ],
    }


@register_eraser(tables=("sso_identities", "sso_sign_ins"))
def erase_school_accounts(session: Session, user_id: int) -> None:
    """Unlink every school account and forget every sign-in record about the person,
    including refusals that carry one of their addresses but found nobody."""
    session.execute(delete(SsoSignIn).where(_sign_ins_about(session, user_id)))
    session.execute(delete(SsoIdentity).where(SsoIdentity.user_id == user_id))
