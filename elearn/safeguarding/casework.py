"""The DSL's case fields: risk, category, the pupil and family, referrals and follow-up.

Each change writes a chronology entry (what it is now and what it was) and an audit entry in
the caller's transaction. The report's columns hold only the latest value; the history is
the chronology. Referrals are never edited: a correction is a new referral that points at
the one it replaces, and both stay on the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elearn.auth.models import ParentLink, User
from elearn.auth.roles import Role
from elearn.safeguarding.handling import (
    CannotDoThat,
    append_entry,
    audit_change,
    require_handler,
    require_not_closed,
    touch_report,
)
from elearn.safeguarding.models import (
    Agency,
    CaseCategory,
    EntryKind,
    Referral,
    Report,
    ReportEntry,
    RiskLevel,
)
from elearn.safeguarding.timefmt import format_on

REFERENCE_LIMIT = 100
# A follow-up further away than this is almost certainly a typing slip (2062 for 2026).
FOLLOW_UP_HORIZON_DAYS = 2 * 366


def _was(label: str | None) -> str:
    return f" (was {label})" if label else ""


@dataclass(frozen=True)
class _Judgement:
    """One of the DSL's labelled judgements on a case: its column, entry and audit names."""

    column: str
    noun: str
    entry_kind: EntryKind
    action: str
    detail: str


_RISK = _Judgement("risk_level", "risk level", EntryKind.RISK_SET, "report.risk_set", "risk")
_CATEGORY = _Judgement(
    "category", "category", EntryKind.CATEGORY_SET, "report.category_set", "category"
)


def _judge(
    session: Session,
    actor: User,
    report: Report,
    judgement: _Judgement,
    value: RiskLevel | CaseCategory,
    now: datetime,
) -> ReportEntry:
    require_handler(actor, report)
    require_not_closed(report)
    before = getattr(report, judgement.column)
    if before is value:
        raise CannotDoThat(f"The {judgement.noun} is already {value.label.lower()}.")
    setattr(report, judgement.column, value)
    touch_report(report, now)
    entry = append_entry(
        session,
        report,
        actor,
        judgement.entry_kind,
        text=value.label + _was(before.label if before else None),
        now=now,
    )
    audit_change(
        session,
        actor,
        report,
        judgement.action,
        now,
        **{judgement.detail: value.value, "was": before.value if before else None},
    )
    return entry


def set_risk(
    session: Session, actor: User, report: Report, risk: RiskLevel, *, now: datetime
) -> ReportEntry:
    """The DSL's judgement of the risk; every change stays in the chronology."""
    return _judge(session, actor, report, _RISK, risk, now)


def set_category(
    session: Session, actor: User, report: Report, category: CaseCategory, *, now: datetime
) -> ReportEntry:
    """What kind of harm the case is about; every change stays in the chronology."""
    return _judge(session, actor, report, _CATEGORY, category, now)


# ---- the pupil and their family -------------------------------------------------------------


def academy_pupils(session: Session, academy_id: int) -> list[User]:
    """The pupils a case can be linked to: the academy's own, on the roll now."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.academy_id == academy_id,
                User.role == Role.PUPIL,
                User.active.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(User.display_name, User.id)
        )
    )


def suggested_pupil(report: Report) -> User | None:
    """Who the report itself points at: the pupil affected, else a pupil who sent it."""
    for person in (report.person_affected_user, report.reporter):
        if person is not None and person.role is Role.PUPIL:
            return person
    return None


def case_pupil(report: Report) -> User | None:
    """The pupil the case is about: the DSL's link, else the report's own suggestion."""
    return report.pupil or suggested_pupil(report)


def _pupil_label(pupil: User) -> str:
    year = f", Year {pupil.year_group}" if pupil.year_group is not None else ""
    return f"{pupil.display_name}{year}"


def link_pupil(
    session: Session, actor: User, report: Report, pupil_id: int, *, now: datetime
) -> ReportEntry:
    """Link the case to one of the academy's pupils (exports and holds then find them)."""
    require_handler(actor, report)
    require_not_closed(report)
    pupil = session.scalar(
        select(User).where(
            User.id == pupil_id,
            User.academy_id == report.academy_id,
            User.role == Role.PUPIL,
            User.active.is_(True),
            User.erased_at.is_(None),
        )
    )
    if pupil is None:
        raise CannotDoThat("Choose a pupil from the academy's list.")
    if report.pupil_id == pupil.id:
        raise CannotDoThat(f"The case is already linked to {pupil.display_name}.")
    before = report.pupil
    report.pupil_id = pupil.id
    report.pupil = pupil
    touch_report(report, now)
    entry = append_entry(
        session,
        report,
        actor,
        EntryKind.PUPIL_LINKED,
        text=_pupil_label(pupil) + _was(_pupil_label(before) if before else None),
        now=now,
    )
    audit_change(
        session,
        actor,
        report,
        "report.pupil_linked",
        now,
        pupil_id=pupil.id,
        was=before.id if before else None,
    )
    return entry


@dataclass(frozen=True)
class Family:
    pupil: User
    parents: list[User]


def family(session: Session, report: Report) -> Family | None:
    """The case's pupil and the parents and carers linked to them."""
    pupil = case_pupil(report)
    if pupil is None:
        return None
    parents = list(
        session.scalars(
            select(User)
            .join(ParentLink, ParentLink.parent_id == User.id)
            .where(ParentLink.pupil_id == pupil.id, User.erased_at.is_(None))
            .order_by(User.display_name, User.id)
        )
    )
    return Family(pupil=pupil, parents=parents)


# ---- referrals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralInput:
    agency: Agency
    referred_on: date
    reference: str
    note: str = ""


def _describe(referral: Referral | ReferralInput) -> str:
    when = format_on(referral.referred_on)
    return f"{referral.agency.label}, {when}, reference {referral.reference}"


def _checked(details: ReferralInput, today: date) -> ReferralInput:
    reference = details.reference.strip()
    if not reference:
        raise CannotDoThat("Enter the reference the agency gave you.")
    if len(reference) > REFERENCE_LIMIT:
        raise CannotDoThat(f"Keep the reference to {REFERENCE_LIMIT} characters or fewer.")
    if details.referred_on > today:
        raise CannotDoThat("The referral date cannot be in the future.")
    return ReferralInput(
        agency=details.agency,
        referred_on=details.referred_on,
        reference=reference,
        note=details.note.strip(),
    )


def add_referral(
    session: Session,
    actor: User,
    report: Report,
    details: ReferralInput,
    *,
    today: date,
    now: datetime,
    corrects_id: int | None = None,
) -> Referral:
    """Record a referral to the police, CEOP, children's social care or the LADO.

    With ``corrects_id`` it replaces an earlier referral of this case that was recorded
    wrongly; the earlier one stays, marked as corrected.
    """
    require_handler(actor, report)
    require_not_closed(report)
    checked = _checked(details, today)
    corrected: Referral | None = None
    if corrects_id is not None:
        corrected = session.scalar(
            select(Referral).where(Referral.id == corrects_id, Referral.report_id == report.id)
        )
        if corrected is None:
            raise CannotDoThat("The referral to correct is not part of this case.")
        if corrected_ids(report) & {corrected.id}:
            raise CannotDoThat("That referral has already been corrected.")
    referral = Referral(
        report=report,
        agency=checked.agency,
        referred_on=checked.referred_on,
        reference=checked.reference,
        note=checked.note,
        recorded_by_id=actor.id,
        recorded_at=now,
        corrects_id=corrected.id if corrected else None,
    )
    session.add(referral)
    session.flush()
    touch_report(report, now)
    if corrected is None:
        text = _describe(checked)
        kind = EntryKind.REFERRAL
    else:
        text = f"{_describe(checked)} (replaces {_describe(corrected)})"
        kind = EntryKind.REFERRAL_CORRECTED
    if checked.note:
        text = f"{text}. {checked.note}"
    append_entry(session, report, actor, kind, text=text, now=now)
    audit_change(
        session,
        actor,
        report,
        "report.referral_added",
        now,
        referral_id=referral.id,
        agency=checked.agency.value,
        corrects_id=corrected.id if corrected else None,
    )
    return referral


def corrected_ids(report: Report) -> set[int]:
    """The referrals of this case that a later one replaces."""
    return {r.corrects_id for r in report.referrals if r.corrects_id is not None}


# ---- follow-up ----------------------------------------------------------------------------


def set_follow_up(
    session: Session,
    actor: User,
    report: Report,
    follow_up_on: date | None,
    *,
    note: str = "",
    today: date,
    now: datetime,
) -> ReportEntry:
    """Set (or, with None, clear) the date the case must be looked at again."""
    require_handler(actor, report)
    require_not_closed(report)
    if follow_up_on is not None:
        if follow_up_on < today:
            raise CannotDoThat("Choose today or a later date for the follow-up.")
        if (follow_up_on - today).days > FOLLOW_UP_HORIZON_DAYS:
            raise CannotDoThat("Choose a follow-up date within the next two years.")
    if follow_up_on == report.follow_up_on:
        if follow_up_on is None:
            raise CannotDoThat("Enter a follow-up date. There is none to clear.")
        raise CannotDoThat("The follow-up date is already set to that.")
    before = report.follow_up_on
    report.follow_up_on = follow_up_on
    touch_report(report, now)
    text = format_on(follow_up_on) if follow_up_on else "No follow-up date"
    text += _was(format_on(before) if before else None)
    note = note.strip()
    if note:
        text = f"{text}. {note}"
    entry = append_entry(session, report, actor, EntryKind.FOLLOW_UP_SET, text=text, now=now)
    audit_change(
        session,
        actor,
        report,
        "report.follow_up_set",
        now,
        follow_up_on=follow_up_on.isoformat() if follow_up_on else None,
        was=before.isoformat() if before else None,
    )
    return entry
