"""HTTP Basic credentials for the built-in LRS: issuing, listing, revoking and checking them.

An admin issues a credential to another system (a reporting tool, another LRS) with read
and/or write scope. The secret is shown once, when issued; only its SHA-256 is kept. Revoked
credentials stay listed (who had access, and until when) but never authenticate again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.audit import services as audit
from elearn.xapi.models import LrsCredential

NAME_LIMIT = 120
KEY_PREFIX = "lrs-"


class CredentialProblem(ValueError):
    """The details given for a new credential cannot be used; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class IssuedCredential:
    """A newly issued credential, with the only copy of its secret."""

    id: int
    name: str
    key: str
    secret: str
    can_read: bool
    can_write: bool


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_credential(
    session: Session,
    name: str,
    *,
    can_read: bool,
    can_write: bool,
    now: datetime,
    actor_id: int | None = None,
) -> IssuedCredential:
    """Add a credential to the caller's transaction and return it with its secret."""
    name = " ".join(name.split())
    if not name:
        raise CredentialProblem("name", "Enter a name saying who or what will use it")
    if len(name) > NAME_LIMIT:
        raise CredentialProblem("name", f"The name must be {NAME_LIMIT} characters or fewer")
    if not (can_read or can_write):
        raise CredentialProblem("can_read", "Choose what it may do: read, send, or both")
    # The key is the Basic user name; its prefix keeps it apart from people's opaque ids,
    # which share the authority's account namespace.
    key = KEY_PREFIX + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    credential = LrsCredential(
        name=name,
        key=key,
        secret_hash=hash_secret(secret),
        can_read=can_read,
        can_write=can_write,
        created_at=now,
        issued_by_id=actor_id,
    )
    session.add(credential)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="lrs_credential.issued",
        subject_type="lrs_credential",
        subject_id=credential.id,
        detail={"name": name, "key": key, "read": can_read, "write": can_write},
        at=now,
    )
    return IssuedCredential(credential.id, name, key, secret, can_read, can_write)


def list_credentials(session: Session) -> list[LrsCredential]:
    """Every credential, active ones first, newest first within each."""
    return list(
        session.scalars(
            select(LrsCredential).order_by(
                LrsCredential.revoked_at.is_not(None),
                LrsCredential.created_at.desc(),
                LrsCredential.id.desc(),
            )
        )
    )


def find_credential(session: Session, key_or_id: str | int) -> LrsCredential | None:
    if isinstance(key_or_id, int):
        return session.get(LrsCredential, key_or_id)
    return session.scalar(select(LrsCredential).where(LrsCredential.key == key_or_id))


def revoke_credential(
    session: Session, credential: LrsCredential, *, now: datetime, actor_id: int | None = None
) -> bool:
    """Revoke a credential; False if it was already revoked (nothing changes then)."""
    if credential.revoked_at is not None:
        return False
    credential.revoked_at = now
    audit.record(
        session,
        actor_id=actor_id,
        action="lrs_credential.revoked",
        subject_type="lrs_credential",
        subject_id=credential.id,
        detail={"name": credential.name, "key": credential.key},
        at=now,
    )
    return True


def authenticate(session: Session, key: str, secret: str) -> LrsCredential | None:
    """The active credential with this key and secret, or None."""
    if not key or len(key) > 64:
        return None
    credential = session.scalar(select(LrsCredential).where(LrsCredential.key == key))
    if credential is None or credential.revoked_at is not None:
        return None
    if not hmac.compare_digest(credential.secret_hash, hash_secret(secret)):
        return None
    return credential
