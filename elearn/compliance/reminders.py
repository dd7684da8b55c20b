"""Training reminders: who to e-mail today, and the record that stops a reminder going twice.

Run daily (``elearn compliance remind`` from cron). Each run works out, from the same
trust-wide matrix as the dashboards, what each member of staff should hear about:

- **window open**: a renewal window has opened (or a new starter, or a new policy version,
  has training to do), ``REMIND_WINDOW_OPEN`` days after it opened;
- **due**: training falls due within ``REMIND_DUE_DAYS_BEFORE`` days;
- **overdue**: training is overdue or has expired; repeated every
  ``REMIND_OVERDUE_EVERY_DAYS`` days while it stays that way;

and sends each person one e-mail listing their items. Each academy's DSLs and head get a
weekly digest naming the staff who are overdue or expired, and the staff with training to do
who have no e-mail address (so someone tells them in person).

Every item is claimed as a :class:`~elearn.compliance.models.Reminder` row, committed before
its e-mail goes (see :mod:`elearn.compliance.sending`), and items already recorded are never
sent again; a claim whose e-mail the mail server would not take is withdrawn, so the next run
tries again. Two runs at the same moment (cron on two app servers) therefore send each item
once. A run that missed a day catches up on the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.auth.roles import Role
from elearn.catalog.model import Catalog
from elearn.compliance.cells import LAPSED, Cell, Status
from elearn.compliance.formatting import long_date
from elearn.compliance.models import DIGEST_COURSE, Reminder, ReminderKind
from elearn.compliance.requirements import POLICY_DUE_DAYS, Requirement
from elearn.compliance.status import Matrix, PersonRow, academy_matrix
from elearn.mail import Mail

Key = tuple[int, str, str, date, int]


@dataclass(frozen=True)
class ReminderSettings:
    window_open_after: int = 0  # negative: no "window open" reminders
    due_days_before: int = 7
    overdue_every_days: int = 7

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReminderSettings:
        return cls(
            window_open_after=int(config.get("REMIND_WINDOW_OPEN", 0)),
            due_days_before=max(0, int(config.get("REMIND_DUE_DAYS_BEFORE", 7))),
            overdue_every_days=max(1, int(config.get("REMIND_OVERDUE_EVERY_DAYS", 7))),
        )


@dataclass(frozen=True)
class Item:
    """One thing a message tells someone; recorded as one ``Reminder`` row once sent."""

    user_id: int
    course_id: str
    kind: ReminderKind
    refers_to_on: date
    repeat: int
    text: str

    @property
    def key(self) -> Key:
        return (self.user_id, self.course_id, self.kind.value, self.refers_to_on, self.repeat)


@dataclass(frozen=True)
class Outgoing:
    """One e-mail to one person, and the items it covers."""

    user_id: int
    name: str
    address: str
    mail: Mail
    items: tuple[Item, ...]
    # Writes the e-mail again for fewer items (when another run claimed some of them).
    compose: Callable[[list[Item]], Mail] | None = None
    # The recipient's academy, which files the audit entry of a reminder sent by hand.
    academy_id: int | None = None

    def only(self, items: Iterable[Item]) -> Outgoing:
        """This message covering only ``items``."""
        kept = tuple(items)
        if kept == self.items or self.compose is None:
            return replace(self, items=kept)
        return replace(self, items=kept, mail=self.compose(list(kept)))

    @property
    def is_digest(self) -> bool:
        return any(item.kind is ReminderKind.DIGEST for item in self.items)


@dataclass(frozen=True)
class ReminderPlan:
    as_of: date
    messages: tuple[Outgoing, ...]
    # Things a person running the command should know, e.g. an academy with nobody to tell.
    notes: tuple[str, ...] = ()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _item_for(
    row: PersonRow, requirement: Requirement, cell: Cell, as_of: date, settings: ReminderSettings
) -> Item | None:
    """The reminder this cell calls for today, if any (before checking what was sent)."""
    title = requirement.title
    if cell.status in LAPSED and cell.due_on is not None:
        days = max(0, (as_of - cell.due_on).days)
        return Item(
            row.user_id,
            requirement.course_id,
            ReminderKind.OVERDUE,
            cell.due_on,
            days // settings.overdue_every_days,
            f"{title}: {cell.label}.",
        )
    if cell.status is not Status.WINDOW_OPEN or cell.due_on is None:
        return None
    if as_of >= cell.due_on - timedelta(days=settings.due_days_before):
        return Item(
            row.user_id,
            requirement.course_id,
            ReminderKind.DUE,
            cell.due_on,
            0,
            f"{title}: due by {long_date(cell.due_on)}.",
        )
    opened = cell.opens_on or as_of
    if settings.window_open_after >= 0 and as_of >= opened + timedelta(
        days=settings.window_open_after
    ):
        renewal = cell.valid_until is not None
        text = (
            f"{title}: you can renew it now. Your current training is valid until "
            f"{long_date(cell.valid_until)}; renew it by then."
            if renewal
            else f"{title}: to do by {long_date(cell.due_on)}."
        )
        return Item(
            row.user_id, requirement.course_id, ReminderKind.WINDOW_OPEN, cell.due_on, 0, text
        )
    return None


def _already_sent(session: Session, keys: list[Key]) -> set[Key]:
    sent: set[Key] = set()
    columns = tuple_(
        Reminder.user_id, Reminder.course_id, Reminder.kind, Reminder.refers_to_on, Reminder.repeat
    )
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.execute(
            select(
                Reminder.user_id,
                Reminder.course_id,
                Reminder.kind,
                Reminder.refers_to_on,
                Reminder.repeat,
            ).where(columns.in_(chunk))
        )
        sent.update(
            (user_id, course_id, str(kind), refers, repeat)
            for user_id, course_id, kind, refers, repeat in rows
        )
    return sent


def _training_link(base_url: str, items: list[Item]) -> str:
    """Straight to the one course concerned, or to the training record listing several."""
    courses = {item.course_id for item in items}
    path = f"/learn/{quote(courses.pop())}" if len(courses) == 1 else "/my-training"
    return base_url.rstrip("/") + path


def personal_mail(row: PersonRow, items: list[Item], *, trust_name: str, base_url: str) -> Mail:
    kinds = {item.kind for item in items}
    if len(items) == 1:
        subject = {
            ReminderKind.OVERDUE: "Overdue training",
            ReminderKind.DUE: "Training due soon",
            ReminderKind.WINDOW_OPEN: "Training to do",
            ReminderKind.CHASE: "Training reminder",
        }[items[0].kind]
        subject = f"{subject}: {items[0].text.split(':', 1)[0]}"
    elif ReminderKind.OVERDUE in kinds:
        subject = f"Overdue training: {len(items)} courses need your attention"
    else:
        subject = f"Training reminder: {len(items)} courses to do"
    first = row.name.split(" ", 1)[0]
    where = f"at {row.academy_name}" if row.academy_id is not None else f"at {trust_name}"
    lines = [
        f"Dear {first},",
        "",
        f"This is a reminder about your required safeguarding training {where}:",
        "",
        *[f"- {item.text}" for item in items],
        "",
        f"Sign in to do your training: {_training_link(base_url, items)}",
        "",
        "If you have done this training somewhere else (for example on an INSET day), tell "
        "your designated safeguarding lead so they can record it.",
        "",
        f"{trust_name} online safety learning",
    ]
    return Mail((row.email or "",), subject, "\n".join(lines))


def _digest_mail(
    recipient: PersonRow,
    academy_name: str,
    lapsed: list[tuple[PersonRow, list[str]]],
    unreachable: list[tuple[PersonRow, list[str]]],
    *,
    flagged: bool,
    as_of: date,
    trust_name: str,
    base_url: str,
) -> Mail:
    count = len(lapsed)
    subject = (
        f"Weekly training summary for {academy_name}: "
        f"{count} {'person' if count == 1 else 'people'} overdue"
    )
    lines = [f"Dear {recipient.name.split(' ', 1)[0]},", ""]
    lines.append(f"Required staff training at {academy_name} on {long_date(as_of)}.")
    lines.append("")
    if flagged:
        lines += [
            "ACTION NEEDED: no active designated safeguarding lead has DSL training in date.",
            "",
        ]
    if lapsed:
        lines.append("Overdue or expired:")
        for row, texts in lapsed:
            lines.append(f"- {row.name} ({row.role.label}): " + "; ".join(texts))
        lines.append("")
    if unreachable:
        lines.append("These staff have training to do but no e-mail address, so please tell them:")
        for row, texts in unreachable:
            lines.append(f"- {row.name} ({row.role.label}): " + "; ".join(texts))
        lines.append("")
    lines += [
        f"See the full dashboard: {base_url.rstrip('/')}/compliance/academies/"
        f"{recipient.academy_id}",
        "",
        f"{trust_name} online safety learning",
    ]
    return Mail((recipient.email or "",), subject, "\n".join(lines))


def _needs(row: PersonRow, requirements: Iterable[Requirement], statuses: set[Status]) -> list[str]:
    return [
        f"{r.title}: {row.cell(r.course_id).label}"
        for r in requirements
        if row.cell(r.course_id).status in statuses
    ]


def plan_reminders(
    session: Session,
    catalog: Catalog,
    *,
    as_of: date,
    settings: ReminderSettings,
    trust_name: str,
    base_url: str,
    policy_due_days: int = POLICY_DUE_DAYS,
) -> ReminderPlan:
    """Every e-mail that should go out today and has not gone before. Reads only."""
    matrix = academy_matrix(
        session, catalog, academy_id=None, as_of=as_of, policy_due_days=policy_due_days
    )
    requirements = matrix.all_requirements
    personal: list[tuple[PersonRow, list[Item]]] = []
    for row in matrix.everyone:
        if not row.email:
            continue
        items = [
            item
            for r in requirements
            if (item := _item_for(row, r, row.cell(r.course_id), as_of, settings)) is not None
        ]
        if items:
            personal.append((row, items))

    digests, notes = _digests(matrix, as_of)
    keys = [item.key for _, items in personal for item in items]
    keys += [item.key for *_, item in digests]
    sent = _already_sent(session, keys)

    messages: list[Outgoing] = []
    for row, items in personal:
        fresh = [item for item in items if item.key not in sent]
        if fresh:
            compose = partial(personal_mail, row, trust_name=trust_name, base_url=base_url)
            messages.append(
                Outgoing(
                    row.user_id, row.name, row.email or "", compose(fresh), tuple(fresh), compose
                )
            )
    for recipient, name, lapsed, unreachable, flagged, item in digests:
        if item.key in sent:
            continue
        mail = _digest_mail(
            recipient,
            name,
            lapsed,
            unreachable,
            flagged=flagged,
            as_of=as_of,
            trust_name=trust_name,
            base_url=base_url,
        )
        messages.append(
            Outgoing(recipient.user_id, recipient.name, recipient.email or "", mail, (item,))
        )
    return ReminderPlan(as_of=as_of, messages=tuple(messages), notes=tuple(notes))


DigestPlan = tuple[
    PersonRow,
    str,
    list[tuple[PersonRow, list[str]]],
    list[tuple[PersonRow, list[str]]],
    bool,
    Item,
]


def _digests(matrix: Matrix, as_of: date) -> tuple[list[DigestPlan], list[str]]:
    requirements = matrix.all_requirements
    week = monday_of(as_of)
    plans: list[DigestPlan] = []
    notes: list[str] = []
    for academy in matrix.academies:
        rows = [row for row in matrix.everyone if row.academy_id == academy.id]
        lapsed = [(row, texts) for row in rows if (texts := _needs(row, requirements, set(LAPSED)))]
        attention = set(LAPSED) | {Status.WINDOW_OPEN}
        unreachable = [
            (row, texts)
            for row in rows
            if not row.email and (texts := _needs(row, requirements, attention))
        ]
        flagged = academy.id in matrix.dsl_flagged
        if not (lapsed or unreachable or flagged):
            continue
        leads = [r for r in rows if r.role in (Role.DSL, Role.HEAD) and r.email]
        if not leads:
            notes.append(f"{academy.name}: no DSL or head teacher with an e-mail address.")
            continue
        for lead in leads:
            item = Item(lead.user_id, DIGEST_COURSE, ReminderKind.DIGEST, week, 0, "digest")
            plans.append((lead, academy.name, lapsed, unreachable, flagged, item))
    return plans, notes


def claim(
    session: Session, message: Outgoing, *, sent_on: date, sent_at: datetime
) -> tuple[Outgoing | None, list[Reminder]]:
    """Record a message's items before it is sent; the caller commits, then sends.

    Items another run has claimed already (the same reminder, or anything about the same
    course for the same person that day) are left out. Returns the message for the items
    claimed here (None if there are none) and the rows, to withdraw if sending fails.
    """
    rows: list[Reminder] = []
    items: list[Item] = []
    for item in message.items:
        row = Reminder(
            user_id=item.user_id,
            course_id=item.course_id,
            kind=item.kind,
            refers_to_on=item.refers_to_on,
            repeat=item.repeat,
            sent_on=sent_on,
            sent_at=sent_at,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        rows.append(row)
        items.append(item)
    if not items:
        return None, []
    return message.only(items), rows


def withdraw(session: Session, rows: list[Reminder]) -> None:
    """Take back claims whose e-mail was not sent, so the next run sends them."""
    if rows:
        session.execute(delete(Reminder).where(Reminder.id.in_([row.id for row in rows])))
