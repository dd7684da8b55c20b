"""Safeguarding records in subject access requests and erasure.

Reports are kept for as long as the academy keeps them, and so is the identity of everyone
they are about: the sender and anyone linked as affected or responsible are held from
erasure (``safeguarding_hold``). The person's own copy of an export says only what they sent
and where it got to; the words, the chronology and the files go into a confidential section
that only the copy made for the academy's DSL holds: the DSL decides what to disclose, case
by case.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from elearn.privacy.holds import register_hold
from elearn.privacy.registry import SectionGuide, iso, register_eraser, register_exporter
from elearn.safeguarding.models import Attachment, Referral, Report, ReportEntry

REPORT_TABLES = (
    "safeguarding_reports",
    "safeguarding_report_entries",
    "safeguarding_attachments",
    "safeguarding_referrals",
)


def _about(user_id: int) -> object:
    return or_(
        Report.reporter_id == user_id,
        Report.person_affected_id == user_id,
        Report.other_party_id == user_id,
        Report.pupil_id == user_id,
    )


@register_hold
def safeguarding_hold(session: Session, user_id: int) -> str | None:
    """Safeguarding records must be kept, and so must the identity of everyone they are
    about: the sender, and anyone named in them as affected or responsible."""
    sent, named = session.execute(
        select(
            func.count().filter(Report.reporter_id == user_id),
            func.count().filter(
                or_(
                    Report.person_affected_id == user_id,
                    Report.other_party_id == user_id,
                    Report.pupil_id == user_id,
                )
            ),
        ).where(_about(user_id))
    ).one()
    if not sent and not named:
        return None
    parts = []
    if sent:
        parts.append(f"sent {sent} safeguarding {'report' if sent == 1 else 'reports'}")
    if named:
        parts.append(f"is named in {named} safeguarding {'report' if named == 1 else 'reports'}")
    return (
        f"This person {' and '.join(parts)} that the academy must keep. "
        "Ask the academy's designated safeguarding lead before removing their details."
    )


@register_exporter(
    "safeguarding_reports",
    tables=("safeguarding_reports",),
    guide=SectionGuide(
        "Safeguarding reports you sent",
        "That each report you sent arrived, and how far it has got. What you wrote stays with "
        "your academy's designated safeguarding lead, who answers any request for it.",
        {
            "reports_sent": "One line for each report you sent.",
            "kind": "What sort of report it was, for example a pupil telling a trusted adult.",
            "sent_at": "When it arrived (UTC).",
            "status": "new: not opened yet; open: the safeguarding team is dealing with it; "
            "closed: they have finished.",
            "note": "Who to ask for the content of safeguarding records.",
        },
    ),
)
def export_reports(session: Session, user_id: int) -> dict[str, object]:
    """What the person sent and where it got to: the copy anyone holding their password may
    see, so never the content, the people named or the team's notes."""
    reports = session.scalars(
        select(Report).where(Report.reporter_id == user_id).order_by(Report.created_at)
    ).all()
    return {
        "reports_sent": [
            {
                "kind": report.kind.label,
                "sent_at": report.created_at.isoformat(),
                "status": report.status.value,
            }
            for report in reports
        ],
        "note": "For the content of safeguarding records, ask the academy's DSL.",
    }


def _name(person: object) -> str | None:
    return getattr(person, "display_name", None)


def _how_named(report: Report, user_id: int) -> list[str]:
    named = []
    if report.reporter_id == user_id:
        named.append("sender")
    if report.person_affected_id == user_id:
        named.append("person affected")
    if report.other_party_id == user_id:
        named.append("person responsible" if report.kind.value == "cyberbullying" else "contact")
    if report.pupil_id == user_id:
        named.append("pupil the case is about")
    return named


def _entry(entry: ReportEntry) -> dict[str, object]:
    return {
        "kind": entry.kind.value,
        "action": entry.action.value if entry.action else None,
        "text": entry.text,
        "by": _name(entry.author),
        "at": iso(entry.at),
        "happened_at": iso(entry.happened_at),
        "corrects_entry": entry.corrects_id,
        "entry": entry.id,
    }


def _referral(referral: Referral) -> dict[str, object]:
    return {
        "referral": referral.id,
        "agency": referral.agency.value,
        "referred_on": iso(referral.referred_on),
        "reference": referral.reference,
        "note": referral.note,
        "recorded_by": _name(referral.recorded_by),
        "recorded_at": iso(referral.recorded_at),
        "corrects_referral": referral.corrects_id,
    }


def _file(attachment: Attachment) -> dict[str, object]:
    return {
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "captured_at": iso(attachment.captured_at),
        "added_by": _name(attachment.uploaded_by),
        "added_at": iso(attachment.uploaded_at),
    }


@register_exporter(
    "safeguarding_report_contents",
    tables=REPORT_TABLES,
    confidential=True,
    guide=SectionGuide(
        "Safeguarding records (safeguarding lead's copy only)",
        "Every report the person sent or is named in, in full, with the team's chronology and "
        "the list of files. The safeguarding lead decides, case by case, what to disclose.",
        {
            "report": "The report's number in the academy's inbox.",
            "named_as": "How the person appears in it: sender, person affected, person "
            "responsible, contact, or the pupil the safeguarding lead linked the case to.",
            "kind": "What sort of report it is.",
            "status": "new, open or closed.",
            "sent_at": "When it arrived (UTC).",
            "sent_by": "Who sent it.",
            "description": "What the sender wrote.",
            "where_online": "The app, game, platform or site named.",
            "when_hint": "A pupil's rough 'when': today, yesterday, this week, earlier.",
            "occurred_at": "When it happened or was seen, if given.",
            "site_address": "The website address given.",
            "device_location": "The computer, device or room named.",
            "needed_by_on": "For a blocked-site request: the date access was needed by.",
            "direction": "to_staff: a pupil or parent contacted staff; from_staff: staff "
            "contacted a pupil or parent.",
            "person_affected": "The person affected, by their current name if on the roll.",
            "person_affected_words": "The words the sender typed for the person affected.",
            "other_party": "The other person (who made contact or is thought responsible).",
            "other_party_words": "The words the sender typed for that person.",
            "perpetrator_kind": "pupil, colleague, adult or unknown.",
            "decision": "For a blocked-site request: approved or refused.",
            "decision_reason": "The head teacher's reason.",
            "outcome": "What the team recorded when it closed the case.",
            "closed_at": "When it was closed (UTC).",
            "risk_level": "The safeguarding lead's judgement of the risk: low, medium, high "
            "or immediate (immediate danger).",
            "category": "What the case is about: cyberbullying, sexual_content (including "
            "nude image sharing), adult_contact, harmful_content, staff_conduct or other.",
            "pupil": "The pupil the safeguarding lead linked the case to.",
            "follow_up_on": "The date the case is next to be looked at, if set.",
            "referrals": "Referrals to other agencies, each as recorded; a correction is a "
            "new referral and the one it replaces stays.",
            "referral": "The referral's number.",
            "agency": "police, ceop (the police's child protection command), social_care "
            "(children's social care) or lado (the local authority designated officer).",
            "referred_on": "The date of the referral.",
            "reference": "The reference the agency gave.",
            "note": "Anything recorded with the referral.",
            "recorded_by": "Who recorded the referral.",
            "recorded_at": "When it was recorded (UTC).",
            "corrects_referral": "The referral this one replaces, if any.",
            "entries": "The chronology: each note, action or change, in order.",
            "action": "The step taken, from the trust's cyberbullying route.",
            "text": "What the entry says.",
            "by": "Who wrote the entry.",
            "at": "When it was written (UTC).",
            "happened_at": "When the action took place, if earlier.",
            "corrects_entry": "The entry this one corrects, if any.",
            "entry": "The entry's number.",
            "files": "Files sent with the report (listed, never included).",
            "name": "The file's name as sent.",
            "content_type": "The kind of file.",
            "size": "Its size in bytes.",
            "sha256": "A fingerprint proving the file has not changed.",
            "captured_at": "When the evidence was captured, if given.",
            "added_by": "Who added the file.",
            "added_at": "When it was added (UTC).",
        },
    ),
)
def export_report_contents(session: Session, user_id: int) -> list[dict[str, object]]:
    """For the DSL's copy only: every report the person sent or is linked to, in full.

    Files are listed, never included: the DSL opens them on the case page (logged) if they
    decide to disclose one.
    """
    reports = session.scalars(
        select(Report)
        .where(_about(user_id))
        .order_by(Report.created_at, Report.id)
        .options(
            selectinload(Report.reporter),
            selectinload(Report.person_affected_user),
            selectinload(Report.other_party_user),
            selectinload(Report.entries).selectinload(ReportEntry.author),
            selectinload(Report.attachments).selectinload(Attachment.uploaded_by),
            selectinload(Report.pupil),
            selectinload(Report.referrals).selectinload(Referral.recorded_by),
        )
    ).all()
    return [
        {
            "report": report.id,
            "named_as": _how_named(report, user_id),
            "kind": report.kind.label,
            "status": report.status.value,
            "sent_at": iso(report.created_at),
            "sent_by": _name(report.reporter),
            "description": report.description,
            "where_online": report.where_online,
            "when_hint": report.when_hint,
            "occurred_at": iso(report.occurred_at),
            "site_address": report.site_address,
            "device_location": report.device_location,
            "needed_by_on": iso(report.needed_by_on),
            "direction": report.direction.value if report.direction else None,
            "person_affected": _name(report.person_affected_user) or report.person_affected,
            "person_affected_words": report.person_affected,
            "other_party": _name(report.other_party_user) or report.other_party,
            "other_party_words": report.other_party,
            "perpetrator_kind": report.perpetrator_kind.value if report.perpetrator_kind else None,
            "decision": report.decision.value if report.decision else None,
            "decision_reason": report.decision_reason,
            "outcome": report.outcome,
            "closed_at": iso(report.closed_at),
            "risk_level": report.risk_level.value if report.risk_level else None,
            "category": report.category.value if report.category else None,
            "pupil": _name(report.pupil),
            "follow_up_on": iso(report.follow_up_on),
            "referrals": [_referral(referral) for referral in report.referrals],
            "entries": [_entry(entry) for entry in report.entries],
            "files": [_file(attachment) for attachment in report.attachments],
        }
        for report in reports
    ]


@register_eraser(tables=REPORT_TABLES)
def erase_from_reports(session: Session, user_id: int) -> None:
    """Nothing in a safeguarding record is removed: it is the academy's record of what was
    said and done, and must stay whole while the academy keeps it.

    Erasure reaches here only for someone the hold lets go: never a sender, a person
    linked as affected or responsible, or the pupil a case is about. That leaves, for
    example, a member of staff who has left after writing entries, adding files, recording
    referrals, being assigned, deciding or closing. Those rows point at the person by id
    only, and their name goes when the person's own row is anonymised, so the chronology
    then reads "Erased person". What they wrote stays as they wrote it: it is evidence, and
    a chronology entry is never altered.
    """
    reason = safeguarding_hold(session, user_id)
    if reason is not None:
        # A caller that skipped the holds would otherwise strip a kept record of its people.
        raise PermissionError(reason)
