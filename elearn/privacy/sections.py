"""The export sections and erasers for people, parent links, sign-in records, the audit trail
and retention settings: the records this package and ``auth`` keep.

The audit trail's eraser lives here rather than in ``elearn.audit`` because that package only
ever inserts; removing a name from old entries is a data-protection duty, not auditing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy, LoginAttempt, LoginSession, ParentLink, User
from elearn.auth.services import revoke_all_sessions
from elearn.db import utcnow
from elearn.privacy.identifiers import identifiers_of, mentions, scrub
from elearn.privacy.models import RetentionSetting
from elearn.privacy.registry import SectionGuide, iso, register_eraser, register_exporter

ERASED_NAME = "Erased person"


PERSON_GUIDE = SectionGuide(
    "About you",
    "Your account: the details the school's roster or staff gave us, and how you sign in.",
    {
        "id": "Your account number in this system.",
        "username": "The name you sign in with.",
        "name": "Your name as the school gave it to us.",
        "email": "Your e-mail address, if we have one.",
        "role": "What kind of account it is: pupil, parent (parent or carer), staff, dsl "
        "(designated safeguarding lead), head (head teacher) or admin (trust administrator).",
        "year_group": "Your school year (pupils only).",
        "staff_kind": "For staff: teacher, support (support staff), volunteer or trust "
        "(trust central staff).",
        "start_on": "The day you started at the academy (staff), which induction is due from.",
        "left_on": "The day you left, if you have left.",
        "active": "true if you can sign in now; false after you left.",
        "has_password": "true if you sign in with a password here (we keep only a scrambled "
        "form of it, which nobody can read back).",
        "roster_id": "Your id in the school's management information system (MIS), which "
        "the roster we import comes from.",
        "learning_record_id": "The code that stands for you in your learning records "
        "(xAPI statements) instead of your name.",
        "created_at": "When your account was made.",
        "updated_at": "When your account details last changed.",
        "erased_at": "When your details were erased, if they were.",
    },
)


@register_exporter("person", tables=("users",), guide=PERSON_GUIDE)
def export_person_record(session: Session, user_id: int) -> dict[str, Any]:
    user = session.get(User, user_id)
    if user is None:
        return {}
    return {
        "id": user.id,
        "username": user.username,
        "name": user.display_name,
        "email": user.email,
        "role": user.role.value,
        "year_group": user.year_group,
        "staff_kind": user.staff_kind.value if user.staff_kind else None,
        "start_on": iso(user.start_on),
        "left_on": iso(user.left_on),
        "active": user.active,
        "has_password": user.password_hash is not None,
        "roster_id": user.roster_id,
        "learning_record_id": user.xapi_id,
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
        "erased_at": iso(user.erased_at),
    }


@register_exporter(
    "academy",
    tables=("academies",),
    guide=SectionGuide(
        "Your academy",
        "The school in the trust that your account belongs to.",
        {
            "name": "The academy's name.",
            "code": "The short code the trust uses for it.",
            "urn": "Its unique reference number from the Department for Education.",
            "named_as_contact_dsl": "Whether parents and carers are told to contact you "
            "as the academy's safeguarding lead.",
        },
    ),
)
def export_academy(session: Session, user_id: int) -> dict[str, Any] | None:
    user = session.get(User, user_id)
    academy = session.get(Academy, user.academy_id) if user and user.academy_id else None
    if academy is None:
        return None
    return {
        "name": academy.name,
        "code": academy.code,
        "urn": academy.urn,
        "named_as_contact_dsl": academy.contact_dsl_id == user_id,
    }


@register_eraser(tables=("academies",))
def erase_academy_contact(session: Session, user_id: int) -> None:
    """An erased person is no longer named to parents as their academy's contact."""
    session.execute(
        update(Academy).where(Academy.contact_dsl_id == user_id).values(contact_dsl_id=None)
    )


@register_exporter(
    "parent_links",
    tables=("parent_links",),
    guide=SectionGuide(
        "Parents, carers and children",
        "Who is linked to your account: a parent or carer can see their linked children's "
        "lesson progress.",
        {
            "children": "The pupils linked to you as their parent or carer.",
            "parents_and_carers": "The parents and carers linked to you.",
            "name": "Their name.",
            "username": "Their sign-in name.",
            "linked_at": "When the link was made.",
        },
    ),
)
def export_links(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    def people(column: Any, other: Any) -> list[dict[str, Any]]:
        rows = session.execute(
            select(User.display_name, User.username, ParentLink.created_at)
            .join(ParentLink, other == User.id)
            .where(column == user_id)
            .order_by(User.display_name)
        )
        return [
            {"name": name, "username": username, "linked_at": iso(at)}
            for name, username, at in rows
        ]

    return {
        "children": people(ParentLink.parent_id, ParentLink.pupil_id),
        "parents_and_carers": people(ParentLink.pupil_id, ParentLink.parent_id),
    }


@register_eraser(tables=("parent_links",))
def erase_links(session: Session, user_id: int) -> None:
    session.execute(
        delete(ParentLink).where(
            or_(ParentLink.parent_id == user_id, ParentLink.pupil_id == user_id)
        )
    )


def _sign_in_names(user: User) -> list[str]:
    # Attempts are stored under the name typed, lower-cased (see ``attempt_login``).
    return [n.strip().lower() for n in (user.username, user.email) if n]


@register_exporter(
    "sign_in",
    tables=("login_sessions", "login_attempts"),
    guide=SectionGuide(
        "Signing in",
        "When you signed in and out, and each try at signing in with your username.",
        {
            "sessions": "Each time you signed in.",
            "signed_in_at": "When you signed in.",
            "last_seen_at": "The last time you used the site in that sign-in.",
            "signed_out_at": "When you signed out or were signed out (empty if still signed in).",
            "attempts": "Each try at signing in with your username or e-mail address.",
            "at": "When it was tried.",
            "succeeded": "true if the password was right; false if not.",
            "ip": "The internet address the try came from (usually the school's or your "
            "home connection), kept to stop people guessing passwords.",
        },
    ),
)
def export_sign_in(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    user = session.get(User, user_id)
    sessions = session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user_id)
        .order_by(LoginSession.created_at)
    )
    attempts = (
        session.scalars(
            select(LoginAttempt)
            .where(LoginAttempt.username.in_(_sign_in_names(user)))
            .order_by(LoginAttempt.attempted_at, LoginAttempt.id)
        )
        if user is not None
        else []
    )
    return {
        "sessions": [
            {
                "signed_in_at": iso(s.created_at),
                "last_seen_at": iso(s.last_seen_at),
                "signed_out_at": iso(s.revoked_at),
            }
            for s in sessions
        ],
        "attempts": [
            {"at": iso(a.attempted_at), "succeeded": a.succeeded, "ip": a.ip} for a in attempts
        ],
    }


@register_eraser(tables=("login_sessions", "login_attempts"))
def erase_sign_in(session: Session, user_id: int) -> None:
    """Sign the person out everywhere (the session rows hold only times and a token hash)
    and forget every sign-in attempt made with their username or e-mail address."""
    user = session.get(User, user_id)
    assert user is not None
    revoke_all_sessions(session, user_id, now=utcnow())
    session.execute(delete(LoginAttempt).where(LoginAttempt.username.in_(_sign_in_names(user))))


AUDIT_GUIDE = SectionGuide(
    "The audit trail",
    "The log of changes made to your account and of things you did that staff must be able "
    "to check later.",
    {
        "changes_to_this_person": "Changes made to your account, and by whom.",
        "actions_by_this_person": "Things you did that were logged.",
        "at": "When it happened.",
        "action": "What happened, as a code: the part before the dot is the kind of record "
        "(person, privacy, lrs_credential, roster, retention, report, ...), the part after "
        "it what was done (create, update, export, erase, issued, ...).",
        "by": "Who did it (empty when the system did it on its own).",
        "subject": "What kind of record it was done to (user, academy, lrs_credential, "
        "roster_upload, retention, report, ...).",
        "subject_id": "The number of that record.",
        "detail": "More about what changed (which fields, from what to what).",
    },
)


@register_exporter("audit", tables=("audit_entries",), guide=AUDIT_GUIDE)
def export_audit(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    about = session.execute(
        select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    by = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.actor_id == user_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        "changes_to_this_person": [
            {"at": iso(e.at), "action": e.action, "by": actor, "detail": e.detail}
            for e, actor in about
        ],
        "actions_by_this_person": [
            {
                "at": iso(e.at),
                "action": e.action,
                "subject": e.subject_type,
                "subject_id": e.subject_id,
                "detail": e.detail,
            }
            for e in by
        ],
    }


@register_eraser(tables=("audit_entries",))
def erase_from_audit(session: Session, user_id: int) -> None:
    """Entries stay (who did what, when) but no longer name the person, and entries about
    them are no longer filed under their academy, so their id leads to no school."""
    user = session.get(User, user_id)
    assert user is not None
    terms = identifiers_of(user)
    for entry in session.scalars(
        select(AuditEntry).where(mentions(AuditEntry.detail, terms, stored_as_json=True))
    ):
        entry.detail = scrub(entry.detail, terms)
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user_id)
        .values(academy_id=None)
    )


@register_exporter(
    "retention_settings_changed",
    tables=("retention_settings",),
    guide=SectionGuide(
        "Retention settings you set",
        "How long leavers' details are kept, where you were the last to change the setting.",
        {
            "audience": "Whose details the setting is for: pupil, parent or staff.",
            "keep_months": "Months after someone leaves before their details are erased.",
            "updated_at": "When you changed it.",
        },
    ),
)
def export_retention_changes(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(RetentionSetting)
        .where(RetentionSetting.updated_by_id == user_id)
        .order_by(RetentionSetting.audience)
    )
    return [
        {"audience": r.audience, "keep_months": r.keep_months, "updated_at": iso(r.updated_at)}
        for r in rows
    ]


@register_eraser(tables=("users", "retention_settings"))
def anonymise_person_row(session: Session, user_id: int) -> None:
    """The person's own row: runs after every other eraser (they may need the old name).

    The row stays, with its opaque ``xapi_id`` and role, so learning records and counts keep
    adding up; academy and year group go, so that id no longer leads back to a school and a
    class (a year group in one academy can be a handful of children). Settings they changed
    keep pointing at this row, which now names nobody.
    """
    user = session.get(User, user_id)
    assert user is not None
    user.display_name = ERASED_NAME
    user.username = f"erased-{user.id}"
    user.email = None
    user.roster_id = None
    user.password_hash = None
    user.academy_id = None
    user.year_group = None
    user.start_on = None
    user.left_on = None
    user.active = False
