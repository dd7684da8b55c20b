"""The supplementary information a subject access response must give (UK GDPR Article 15):
why the data is used and on what lawful basis, how long each kind is kept, who it is shared
with, where it came from, and the person's rights, including complaining to the ICO.

Built from the configuration and the retention settings, so the page states what this
installation actually does (whether an external LRS receives statements, the months set for
leavers), not a generic template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from elearn.privacy.retention import AUDIENCES
from elearn.roster.services import UPLOAD_LIFETIME


@dataclass(frozen=True)
class Purpose:
    records: str
    why: str
    lawful_basis: str


@dataclass(frozen=True)
class Retention:
    records: str
    kept_for: str


@dataclass(frozen=True)
class Notice:
    controller: str
    contact: str
    purposes: tuple[Purpose, ...]
    retention: tuple[Retention, ...]
    shared_with: tuple[str, ...]
    sources: tuple[str, ...]
    rights: tuple[str, ...]
    complaint: str


PURPOSES = (
    Purpose(
        "Lessons read, quiz answers and scores, certificates, learning records (xAPI statements)",
        "To teach online safety and the trust's social media policy, let each person carry "
        "on where they stopped, and show teachers (and a pupil's linked parents and carers) "
        "how they are getting on.",
        "Public task (UK GDPR Article 6(1)(e)): the academies' duty to educate, including "
        "relationships and online-safety education.",
    ),
    Purpose(
        "Staff training cycles, due dates, reminders and policy sign-offs",
        "To make sure every member of staff has done the safeguarding training and read the "
        "policies schools must have them do, and to remind them when it is due.",
        "Legal obligation (Article 6(1)(c)) and public task: the safeguarding duties in "
        "Keeping Children Safe in Education.",
    ),
    Purpose(
        "Safeguarding reports and requests",
        "To keep children safe: the academy's designated safeguarding lead receives and acts "
        "on what is reported.",
        "Legal obligation and public task; where a report holds special category data, "
        "substantial public interest (safeguarding of children and individuals at risk, Data "
        "Protection Act 2018, Schedule 1, paragraph 18).",
    ),
    Purpose(
        "Account details, parent and carer links, sign-in records and the audit trail",
        "To let the right people sign in and see only what they should, to stop password "
        "guessing, and to be able to check later who did what.",
        "Public task, and the duty to keep personal data secure (Article 32).",
    ),
)

SOURCES = (
    "The school's management information system (MIS): your name, username, e-mail address, "
    "academy, year group or start date and MIS id come from the roster the school exports.",
    "You: lessons read, quiz answers, sign-offs, reports you sent, and your sign-ins.",
    "Staff: training recorded as done elsewhere, accounts and parent or carer links made by "
    "hand, and changes administrators made to your account.",
)

RIGHTS = (
    "See the personal data held about you (this copy is the answer to that request).",
    "Have anything wrong corrected.",
    "Have your details erased, unless a record must be kept (for example an open "
    "safeguarding record).",
    "Ask for the use of your data to be restricted, or object to it.",
    "Receive your data in a form a computer can read (the JSON copy).",
)

COMPLAINT = (
    "If you are unhappy with how your data is used, contact the trust first. You can also "
    "complain to the Information Commissioner's Office (ICO): ico.org.uk/make-a-complaint, "
    "telephone 0303 123 1113."
)


def _months(count: int) -> str:
    return "1 month" if count == 1 else f"{count} months"


def retention_rules(months: Mapping[str, int]) -> tuple[Retention, ...]:
    leavers = "; ".join(f"{AUDIENCES[a].lower()} {_months(m)}" for a, m in months.items())
    hours = int(UPLOAD_LIFETIME.total_seconds() // 3600)
    return (
        Retention(
            "Name, username, e-mail address, MIS id, academy, year group, parent and carer "
            "links, sign-in records",
            f"While you are at the academy, then for this long after you leave: {leavers}. "
            "Then they are erased.",
        ),
        Retention(
            "Lessons read, course cycles, quiz scores, certificates, sign-offs, learning "
            "records (xAPI statements)",
            "Kept after your details are erased, under a code that no longer leads to you, "
            "your school or your year, so the trust's training figures stay right. Answers "
            "typed in your own words and the name on certificates are erased with your "
            "details.",
        ),
        Retention(
            "Training reminders",
            "Until your details are erased.",
        ),
        Retention(
            "Roster files uploaded from the MIS",
            f"Their contents are deleted once applied, or after {hours} hours if never "
            "applied; a count of what changed is kept.",
        ),
        Retention(
            "Safeguarding reports",
            "As long as the academy's safeguarding records must be kept; while they are, "
            "the details of the person who sent them cannot be erased.",
        ),
        Retention(
            "The audit trail",
            "Kept, so changes can be checked later; your name, username and e-mail address "
            "are removed from it when your details are erased.",
        ),
    )


def sharing(config: Mapping[str, Any], trust: str) -> tuple[str, ...]:
    shared = [
        f"{trust} and its academies: only staff whose job needs it (your teachers, the "
        "academy's safeguarding lead and head teacher, the trust's administrators).",
        "Parents and carers linked to a pupil see that pupil's lesson progress.",
    ]
    endpoint = str(config.get("LRS_ENDPOINT") or "").strip()
    if endpoint:
        host = urlsplit(endpoint).hostname or endpoint
        shared.append(
            f"The trust's learning record store at {host} receives a copy of the learning "
            "records (xAPI statements). They carry your learning record code, not your name "
            "or e-mail address. Erasing your details here does not remove the copies sent "
            "there; the trust deletes them on request."
        )
    else:
        shared.append("Learning records are not sent to any other system.")
    shared.append("Nobody else: the data is not sold, and there are no adverts.")
    return tuple(shared)


def build_notice(config: Mapping[str, Any], months: Mapping[str, int]) -> Notice:
    trust = str(config.get("TRUST_NAME") or "The trust")
    contact = str(config.get("PRIVACY_CONTACT") or "").strip()
    return Notice(
        controller=trust,
        contact=contact or "the school office or the trust's data protection officer",
        purposes=PURPOSES,
        retention=retention_rules(months),
        shared_with=sharing(config, trust),
        sources=SOURCES,
        rights=RIGHTS,
        complaint=COMPLAINT,
    )
