"""What the learning records hold about a person, for subject access and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from elearn.auth.models import User
from elearn.learning.models import Certificate, CourseCycle, LessonRead, PolicySignOff
from elearn.privacy.registry import (
    SectionGuide,
    iso,
    register_eraser,
    register_exporter,
    register_kept,
)

CYCLES_GUIDE = SectionGuide(
    "Courses and lessons",
    "Each time you went through a course: when you started and finished, when the training "
    "runs out, and the lessons you read. Yearly training starts a new cycle each year; old "
    "cycles are kept as your training history.",
    {
        "cycles": "Each time round a course, oldest first.",
        "course": "The course's short name (for example staff-refresher).",
        "course_version": "Which version of the course it was.",
        "registration": "A code that ties this cycle to its learning records (xAPI statements).",
        "status": "in_progress (started, not finished) or completed.",
        "started_at": "When you started.",
        "completed_at": "When you finished.",
        "completed_on": "The day you finished, which due dates count from.",
        "expires_on": "The day this training runs out and must be done again (empty if it "
        "does not run out).",
        "source": "online (done here) or offline (done elsewhere, such as a training day, "
        "and recorded by a safeguarding lead).",
        "evidence_note": "For offline training: the note the lead wrote about the evidence.",
        "recorded_by": "For offline training: who recorded it.",
        "lessons_read": "The lessons you opened in this cycle.",
        "lesson": "The lesson's short name.",
        "read_at": "When you first opened it.",
        "recorded_for_others": "Training done elsewhere that you recorded for other people "
        "(as a safeguarding lead or head).",
        "person_id": "The account number of the person you recorded it for.",
    },
)


@register_exporter("course_cycles", tables=("course_cycles", "lesson_reads"), guide=CYCLES_GUIDE)
def export_cycles(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    recorder = aliased(User)
    cycles = session.execute(
        select(CourseCycle, recorder.display_name)
        .outerjoin(recorder, recorder.id == CourseCycle.recorded_by_id)
        .where(CourseCycle.user_id == user_id)
        .order_by(CourseCycle.started_at, CourseCycle.id)
    ).all()
    reads: dict[int, list[dict[str, Any]]] = {}
    for read in session.scalars(
        select(LessonRead)
        .join(CourseCycle, CourseCycle.id == LessonRead.cycle_id)
        .where(CourseCycle.user_id == user_id)
        .order_by(LessonRead.read_at, LessonRead.id)
    ):
        reads.setdefault(read.cycle_id, []).append(
            {"lesson": read.lesson_id, "read_at": iso(read.read_at)}
        )
    recorded = session.scalars(
        select(CourseCycle)
        .where(CourseCycle.recorded_by_id == user_id, CourseCycle.user_id != user_id)
        .order_by(CourseCycle.completed_on, CourseCycle.id)
    )
    return {
        "cycles": [
            {
                "course": cycle.course_id,
                "course_version": cycle.course_version,
                "registration": cycle.registration,
                "status": "completed" if cycle.is_complete else "in_progress",
                "started_at": iso(cycle.started_at),
                "completed_at": iso(cycle.completed_at),
                "completed_on": iso(cycle.completed_on),
                "expires_on": iso(cycle.expires_on),
                "source": cycle.source.value,
                "evidence_note": cycle.evidence_note,
                "recorded_by": recorded_by,
                "lessons_read": reads.get(cycle.id, []),
            }
            for cycle, recorded_by in cycles
        ],
        "recorded_for_others": [
            {
                "course": cycle.course_id,
                "completed_on": iso(cycle.completed_on),
                "person_id": cycle.user_id,
            }
            for cycle in recorded
        ],
    }


@register_eraser(tables=("course_cycles", "lesson_reads"))
def erase_cycles(session: Session, user_id: int) -> None:
    """Cycles and lessons read stay as pseudonymous statistics; the lead's free-text note
    about the evidence for offline training can name the person, so it goes."""
    session.execute(
        update(CourseCycle)
        .where(CourseCycle.user_id == user_id, CourseCycle.evidence_note.is_not(None))
        .values(evidence_note=None)
    )


@register_exporter(
    "certificates",
    tables=("certificates",),
    guide=SectionGuide(
        "Certificates",
        "The certificates you earned. Anyone with a certificate's code can check it is "
        "genuine on the site's certificate checking page.",
        {
            "code": "The certificate's checking code.",
            "course": "The course's short name.",
            "course_title": "The course's title as printed on the certificate.",
            "holder_name": "The name printed on the certificate.",
            "completed_on": "The day the course was completed.",
            "expires_on": "The day it runs out (empty if it does not).",
            "issued_at": "When the certificate was made.",
        },
    ),
)
def export_certificates(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Certificate, CourseCycle.course_id)
        .join(CourseCycle, CourseCycle.id == Certificate.cycle_id)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at, Certificate.id)
    )
    return [
        {
            "code": certificate.code,
            "course": course_id,
            "course_title": certificate.course_title,
            "holder_name": certificate.holder_name,
            "completed_on": iso(certificate.completed_on),
            "expires_on": iso(certificate.expires_on),
            "issued_at": iso(certificate.issued_at),
        }
        for certificate, course_id in rows
    ]


@register_eraser(tables=("certificates",))
def erase_certificate_names(session: Session, user_id: int) -> None:
    """The certificate still checks as genuine; it no longer says whose it is."""
    session.execute(
        update(Certificate).where(Certificate.user_id == user_id).values(holder_name=None)
    )


@register_exporter(
    "policy_sign_offs",
    tables=("policy_sign_offs",),
    guide=SectionGuide(
        "Policy sign-offs",
        "Each time you confirmed you had read and understood a version of the policy.",
        {
            "course": "The policy course's short name.",
            "policy_version": "Which version of the policy you signed.",
            "statement": "The words you agreed to.",
            "signed_at": "When you signed.",
        },
    ),
)
def export_sign_offs(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PolicySignOff)
        .where(PolicySignOff.user_id == user_id)
        .order_by(PolicySignOff.signed_at, PolicySignOff.id)
    )
    return [
        {
            "course": row.course_id,
            "policy_version": row.policy_version,
            "statement": row.statement,
            "signed_at": iso(row.signed_at),
        }
        for row in rows
    ]


register_kept(
    tables=("policy_sign_offs",),
    why="A sign-off holds the policy's own wording, the same for everyone, and the person's "
    "id; it stays as a record that the requirement was met.",
)
