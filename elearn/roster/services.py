"""Roster import as one service for the command line and the upload page.

``plan_files`` reads the files and the stored people and says what would change; nothing is
written. ``apply_plan`` makes exactly those changes in the caller's transaction, after
re-checking that the plan still matches what is stored. An import with any bad row is
refused whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

import elearn.roster.personal_data  # noqa: F401  (registers its export and erasure sections)
from elearn.audit.services import record, record_about_person
from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.services import revoke_all_sessions
from elearn.roster import oneroster, simple
from elearn.roster.files import read_files
from elearn.roster.models import RosterUpload
from elearn.roster.planner import (
    ExistingAcademy,
    ExistingPerson,
    PersonPlan,
    Plan,
    Snapshot,
    plan_import,
)
from elearn.roster.records import RosterData, RowError


class ImportRefused(ValueError):
    """The plan has bad rows (or is out of date); nothing was written."""

    def __init__(self, plan: Plan, message: str) -> None:
        super().__init__(message)
        self.plan = plan


def parse_texts(texts: Mapping[str, str]) -> RosterData:
    names = list(texts)
    if not names:
        return RosterData("simple", errors=(RowError("upload", 1, "no CSV file was given"),))
    if oneroster.is_oneroster(names):
        return oneroster.parse(texts)
    if len(names) > 1:
        return RosterData(
            "simple",
            errors=(
                RowError(
                    names[1],
                    1,
                    "give one simple CSV file, or a OneRoster set with orgs.csv and users.csv",
                ),
            ),
            files=tuple(names),
        )
    return simple.parse(names[0], texts[names[0]])


def load_snapshot(session: Session) -> Snapshot:
    people = tuple(
        ExistingPerson(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            email=u.email,
            role=u.role,
            academy_id=u.academy_id,
            year_group=u.year_group,
            staff_kind=u.staff_kind,
            start_on=u.start_on,
            roster_id=u.roster_id,
            active=u.active,
            erased=u.erased_at is not None,
            left_on=u.left_on,
        )
        for u in session.scalars(select(User).order_by(User.id))
    )
    academies = tuple(
        ExistingAcademy(a.id, a.name, a.code, a.roster_id)
        for a in session.scalars(select(Academy).order_by(Academy.id))
    )
    links = frozenset(
        (parent, pupil)
        for parent, pupil in session.execute(select(ParentLink.parent_id, ParentLink.pupil_id))
    )
    return Snapshot(people, academies, links)


def plan_texts(session: Session, texts: Mapping[str, str], *, as_of: date) -> Plan:
    return plan_import(parse_texts(texts), load_snapshot(session), as_of=as_of)


def plan_files(session: Session, files: Mapping[str, bytes], *, as_of: date) -> Plan:
    texts, errors = read_files(files)
    if errors:
        # Part of the upload could not be read, so planning the rest would only add errors
        # that are not the real problem (a file "missing" because its .zip was refused).
        return Plan(
            format=parse_texts(texts).format if texts else "simple",
            files=tuple(sorted(texts) or sorted({e.file for e in errors})),
            as_of=as_of,
            errors=tuple(sorted(set(errors))),
        )
    return plan_texts(session, texts, as_of=as_of)


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    summary: dict[str, int]


def _set_fields(user: User, item: PersonPlan, academy_ids: dict[str, int]) -> None:
    values = item.values
    user.username = values.username
    user.display_name = values.display_name
    user.email = values.email
    user.role = values.role
    user.staff_kind = values.staff_kind
    user.year_group = values.year_group
    user.start_on = values.start_on
    user.roster_id = values.roster_id
    user.academy_id = (
        academy_ids[values.academy_roster_id] if values.academy_roster_id else values.academy_id
    )
    # In the file, so on the roll: no leaving date (retention counts from one), and signing
    # in as the file says.
    user.active = item.values.can_sign_in
    user.left_on = None


_URN = re.compile(r"^\d{6,8}$")


def apply_plan(
    session: Session,
    plan: Plan,
    *,
    actor_id: int | None,
    now: datetime,
    upload_id: int | None = None,
) -> ImportResult:
    """Make the plan's changes in the caller's transaction.

    The plan must have been made in this same transaction (or re-checked against a fresh one,
    as ``confirm_upload`` does): the planner already refused clashing usernames and e-mails,
    so the writes here cannot half-succeed.
    """
    if not plan.ok:
        raise ImportRefused(plan, "the import has bad rows; nothing was changed")

    academy_ids: dict[str, int] = {}
    for item in plan.academies:
        academy = session.get(Academy, item.existing_id) if item.existing_id else Academy()
        if academy is None:
            raise ImportRefused(plan, "an academy has changed since the dry run")
        academy.name = item.name
        academy.roster_id = item.roster_id
        if item.existing_id is None:
            academy.code = item.code
            academy.urn = item.urn if item.urn and _URN.match(item.urn) else None
            session.add(academy)
        session.flush()
        academy_ids[item.roster_id] = academy.id
        record(
            session,
            actor_id=actor_id,
            action="academy.create" if item.existing_id is None else "academy.update",
            subject_type="academy",
            subject_id=academy.id,
            academy_id=academy.id,
            detail={"source": "roster", "fields": list(item.changes)},
            at=now,
        )
    # Academies named by roster id that already existed are looked up too.
    for roster_id, academy_id in session.execute(
        select(Academy.roster_id, Academy.id).where(Academy.roster_id.is_not(None))
    ):
        academy_ids.setdefault(str(roster_id), academy_id)

    created: list[User] = []
    for item in plan.creates:
        user = User(role=item.values.role, display_name="", username="", active=True)
        _set_fields(user, item, academy_ids)
        user.created_at = now
        session.add(user)
        created.append(user)
    session.flush()
    for user, item in zip(created, plan.creates, strict=True):
        _audit(session, actor_id, "roster.create", user, now, {"role": item.values.role.value})

    for item in plan.updates:
        user = session.get(User, item.existing_id)
        if user is None or user.erased_at is not None:
            raise ImportRefused(plan, "a person has changed since the dry run")
        role_before = user.role
        _set_fields(user, item, academy_ids)
        _audit(session, actor_id, "roster.update", user, now, {"fields": list(item.changes)})
        if "curtailed" in item.changes:
            revoke_all_sessions(session, user.id, now=now)
        if role_before is not user.role:
            _audit(
                session,
                actor_id,
                "person.role_change",
                user,
                now,
                {"from": role_before.value, "to": user.role.value, "source": "roster"},
            )

    for item in plan.deactivations:
        user = session.get(User, item.existing_id)
        if user is None:
            raise ImportRefused(plan, "a person has changed since the dry run")
        user.active = False
        user.left_on = item.left_on or plan.as_of
        revoke_all_sessions(session, user.id, now=now)
        _audit(session, actor_id, "roster.deactivate", user, now, {"reason": item.reason})
    session.flush()

    if plan.links_added or plan.links_removed:
        names = {link.parent for link in plan.links_added + plan.links_removed} | {
            link.pupil for link in plan.links_added + plan.links_removed
        }
        ids = dict(
            session.execute(select(User.username, User.id).where(User.username.in_(names))).all()
        )
        for link in plan.links_added:
            session.add(
                ParentLink(parent_id=ids[link.parent], pupil_id=ids[link.pupil], created_at=now)
            )
        for link in plan.links_removed:
            session.execute(
                delete(ParentLink).where(
                    ParentLink.parent_id == ids[link.parent], ParentLink.pupil_id == ids[link.pupil]
                )
            )
        for link in plan.links_added + plan.links_removed:
            action = "person.link_add" if link in plan.links_added else "person.link_remove"
            detail = {
                "parent_id": ids[link.parent],
                "pupil_id": ids[link.pupil],
                "source": "roster",
            }
            record(
                session,
                actor_id=actor_id,
                action=action,
                subject_type="user",
                subject_id=ids[link.parent],
                detail=detail,
                at=now,
            )

    summary = plan.summary()
    record(
        session,
        actor_id=actor_id,
        action="roster.import",
        subject_type="roster_upload",
        subject_id=upload_id,
        detail={"format": plan.format, "files": list(plan.files), **summary},
        at=now,
    )
    session.flush()
    return ImportResult(plan, summary)


def _audit(
    session: Session,
    actor_id: int | None,
    action: str,
    user: User,
    now: datetime,
    detail: dict[str, object],
) -> None:
    record_about_person(
        session,
        actor_id=actor_id,
        action=action,
        person=user,
        detail=detail,
        at=now,
    )


def import_files(
    session: Session,
    files: Mapping[str, bytes],
    *,
    actor_id: int | None,
    now: datetime,
    dry_run: bool,
) -> Plan:
    """Plan, and unless ``dry_run`` apply, in the caller's transaction. Returns the plan."""
    plan = plan_files(session, files, as_of=now.date())
    if not plan.ok:
        raise ImportRefused(plan, "the import has bad rows; nothing was changed")
    if not dry_run:
        apply_plan(session, plan, actor_id=actor_id, now=now)
    return plan


# --- uploads waiting for confirmation -------------------------------------------------------

UPLOAD_LIFETIME = timedelta(days=1)


def stage_upload(
    session: Session, files: Mapping[str, bytes], *, actor_id: int, now: datetime
) -> tuple[RosterUpload, Plan]:
    """Plan an upload and keep its text until the administrator confirms (or not)."""
    texts, errors = read_files(files)
    plan = plan_files(session, files, as_of=now.date())
    upload = RosterUpload(
        uploaded_by_id=actor_id,
        created_at=now,
        file_names=sorted(texts) or sorted(e.file for e in errors),
        contents=dict(texts) if plan.ok else {},
        fingerprint=plan.fingerprint,
        summary=plan.summary(),
    )
    session.add(upload)
    session.flush()
    return upload, plan


class AlreadyApplied(Exception):
    """The upload was applied before (another click, or another app server, got there first)."""

    def __init__(self, upload: RosterUpload) -> None:
        super().__init__(f"roster upload {upload.id} was already applied")
        self.upload = upload


def confirm_upload(
    session: Session, upload_id: int, fingerprint: str, *, actor_id: int, now: datetime
) -> tuple[RosterUpload, ImportResult] | None:
    """Apply a staged upload once, if what it would do is still what was reviewed.

    The upload is claimed by a conditional UPDATE before anything else: of two confirms at
    once (a double click, two app servers) the second waits on the first's row lock, then
    matches nothing and gets AlreadyApplied. If the import is refused the caller rolls back,
    which releases the claim. None: no such upload of this administrator's is waiting.
    """
    claimed = session.execute(
        update(RosterUpload)
        .where(
            RosterUpload.id == upload_id,
            RosterUpload.uploaded_by_id == actor_id,
            RosterUpload.applied_at.is_(None),
            RosterUpload.created_at >= now - UPLOAD_LIFETIME,
        )
        .values(applied_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    upload = session.get(RosterUpload, upload_id, populate_existing=True)
    if upload is None or upload.uploaded_by_id != actor_id:
        return None
    if claimed != 1:
        if upload.applied_at is not None and not upload.contents:
            raise AlreadyApplied(upload)
        return None  # stale: its text has been forgotten
    if not upload.contents:
        return None
    plan = plan_texts(session, upload.contents, as_of=now.date())
    if plan.fingerprint != fingerprint or upload.fingerprint != fingerprint:
        raise ImportRefused(plan, "the roster or the stored people changed since the dry run")
    result = apply_plan(session, plan, actor_id=actor_id, now=now, upload_id=upload.id)
    upload.contents = {}
    upload.summary = result.summary
    return upload, result


def applied_upload(session: Session, upload_id: int, *, actor_id: int) -> RosterUpload | None:
    """An upload this administrator applied, for its result page."""
    upload = session.get(RosterUpload, upload_id)
    if upload is None or upload.uploaded_by_id != actor_id or upload.applied_at is None:
        return None
    return upload


def purge_stale_uploads(session: Session, *, now: datetime) -> int:
    """Forget the text of uploads nobody confirmed within a day."""
    stale = list(
        session.scalars(
            select(RosterUpload).where(
                RosterUpload.applied_at.is_(None), RosterUpload.created_at < now - UPLOAD_LIFETIME
            )
        )
    )
    count = 0
    for upload in stale:
        if upload.contents:
            upload.contents = {}
            count += 1
    return count
