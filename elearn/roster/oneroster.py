"""OneRoster 1.1 CSV: ``orgs.csv``, ``users.csv`` and, optionally, ``enrollments.csv``.

What is read, and how it maps onto the trust:

* orgs of type ``school`` are academies (matched by sourcedId); the ``district`` is the trust.
* users: ``student`` → pupil; ``parent``, ``guardian``, ``relative`` → parent or carer;
  ``teacher`` → teaching staff; ``aide``, ``administrator``, ``proctor`` → support staff.
  An import never makes anyone a safeguarding lead, head teacher or trust administrator.
* ``grades`` holds the UK year group (``05`` is Year 5; ``KG`` or ``R`` is Reception).
* ``agentSourcedIds`` links pupils and their parents, from either side.
* ``status`` of ``tobedeleted`` or ``enabledUser`` of ``false`` marks a leaver. A bulk file
  (every ``status`` blank) is the whole roster: people it no longer lists have left.
* ``enrollments.csv`` supplies a person's school when ``orgSourcedIds`` names only the trust.
* passwords in ``users.csv`` are ignored: the app never takes passwords from a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from elearn.auth.roles import Role, StaffKind
from elearn.roster.csvtext import (
    CsvTable,
    email_problem,
    parse_year,
    read_table,
    split_list,
    username_problem,
)
from elearn.roster.records import (
    AcademyRef,
    OrgRecord,
    PersonRecord,
    RosterData,
    RowError,
    Where,
)

ORGS, USERS, ENROLLMENTS = "orgs.csv", "users.csv", "enrollments.csv"
KNOWN_FILES = frozenset(
    {
        ORGS,
        USERS,
        ENROLLMENTS,
        # Part of a OneRoster export but not needed here; accepted and left alone.
        "manifest.csv",
        "academicsessions.csv",
        "classes.csv",
        "courses.csv",
        "demographics.csv",
        "lineitems.csv",
        "results.csv",
        "categories.csv",
        "classresources.csv",
        "courseresources.csv",
        "resources.csv",
    }
)

REQUIRED = {
    ORGS: ("sourcedid", "name", "type"),
    USERS: ("sourcedid", "role", "username", "givenname", "familyname", "orgsourcedids"),
    ENROLLMENTS: ("sourcedid", "usersourcedid", "schoolsourcedid"),
}

ROLES: dict[str, tuple[Role, StaffKind | None]] = {
    "student": (Role.PUPIL, None),
    "parent": (Role.PARENT, None),
    "guardian": (Role.PARENT, None),
    "relative": (Role.PARENT, None),
    "teacher": (Role.STAFF, StaffKind.TEACHER),
    "aide": (Role.STAFF, StaffKind.SUPPORT),
    "administrator": (Role.STAFF, StaffKind.SUPPORT),
    "proctor": (Role.STAFF, StaffKind.SUPPORT),
}


def is_oneroster(names: list[str]) -> bool:
    return any(name.lower() in (ORGS, USERS) for name in names)


def _missing_columns(name: str, table: CsvTable) -> RowError | None:
    missing = [column for column in REQUIRED[name] if column not in table.headers]
    if not table.headers:
        return RowError(name, 1, "the file is empty")
    if missing:
        return RowError(name, 1, "missing column(s): " + ", ".join(missing))
    return None


@dataclass(frozen=True)
class _Orgs:
    schools: dict[str, OrgRecord]
    others: set[str]  # the trust (district) and any other non-school org


def _read_orgs(table: CsvTable, errors: list[RowError]) -> _Orgs:
    schools: dict[str, OrgRecord] = {}
    others: set[str] = set()
    first_line: dict[str, int] = {}
    for row in table.rows:
        where = Where(ORGS, row.line)
        source_id = row.get("sourcedid")
        if not source_id:
            errors.append(where.error("sourcedId is empty"))
            continue
        if source_id in first_line:
            errors.append(
                where.error(
                    f"sourcedId {source_id} appears twice (first on line {first_line[source_id]})"
                )
            )
            continue
        first_line[source_id] = row.line
        if row.get("status").lower() == "tobedeleted":
            # Academies are never removed by an import; their people are handled one by one.
            others.add(source_id)
            continue
        if row.get("type").lower() != "school":
            others.add(source_id)
            continue
        name = row.get("name")
        if not name:
            errors.append(where.error("the school has no name"))
            continue
        schools[source_id] = OrgRecord(where, source_id, name, row.get("identifier") or None)
    return _Orgs(schools, others)


def _read_enrollment_schools(
    table: CsvTable, orgs: _Orgs, errors: list[RowError]
) -> dict[str, str]:
    """user sourcedId → the school of their first active enrolment."""
    schools: dict[str, str] = {}
    for row in table.rows:
        where = Where(ENROLLMENTS, row.line)
        if row.get("status").lower() == "tobedeleted":
            continue
        user_id, school_id = row.get("usersourcedid"), row.get("schoolsourcedid")
        if not user_id or not school_id:
            errors.append(where.error("userSourcedId and schoolSourcedId are both needed"))
            continue
        if school_id not in orgs.schools:
            if school_id not in orgs.others:
                errors.append(where.error(f"schoolSourcedId {school_id} is not in orgs.csv"))
            continue
        schools.setdefault(user_id, school_id)
    return schools


def _person(
    row_values: Mapping[str, str],
    where: Where,
    orgs: _Orgs,
    enrolled_at: dict[str, str],
    errors: list[RowError],
) -> PersonRecord | None:
    def get(key: str) -> str:
        return (row_values.get(key) or "").strip()

    problems: list[str] = []
    source_id = get("sourcedid")
    if not source_id:
        problems.append("sourcedId is empty")
    role_text = get("role").lower()
    mapped = ROLES.get(role_text)
    if mapped is None:
        problems.append(
            f"role '{get('role')}' is not one we know (student, parent, guardian, relative, "
            "teacher, aide, administrator)"
        )
    username = get("username").lower()
    if problem := username_problem(username):
        problems.append(problem)
    given = get("preferredfirstname") or get("givenname")
    family = get("familyname")
    display_name = " ".join(part for part in (given, family) if part)
    if not display_name:
        problems.append("givenName and familyName are both empty")
    email = get("email").lower() or None
    if problem := email_problem(email):
        problems.append(problem)

    status = get("status").lower()
    leaving = status == "tobedeleted" or get("enableduser").lower() == "false"

    org_ids = split_list(get("orgsourcedids"))
    unknown = [o for o in org_ids if o not in orgs.schools and o not in orgs.others]
    if unknown:
        problems.append("orgSourcedIds names " + ", ".join(unknown) + ", not in orgs.csv")
    school = next((o for o in org_ids if o in orgs.schools), None)
    school = school or enrolled_at.get(source_id)

    year_group = None
    role, kind = mapped if mapped else (Role.STAFF, None)
    if role is Role.PUPIL and not leaving:
        grades = split_list(get("grades"))
        if not grades:
            problems.append("a student needs a year group in grades")
        else:
            try:
                year_group = parse_year(grades[0])
            except ValueError as error:
                problems.append(str(error))
    if role.is_staff and school is None:
        kind = StaffKind.TRUST
    if role in (Role.PUPIL,) and school is None and not leaving:
        problems.append("a student must belong to a school in orgs.csv")

    if problems:
        errors.extend(where.error(problem) for problem in problems)
        return None
    return PersonRecord(
        where=where,
        source_id=source_id,
        username=username,
        display_name=display_name,
        email=email,
        role=role,
        staff_kind=kind,
        academy=AcademyRef(org_id=school),
        year_group=year_group,
        leaving=leaving,
        links=split_list(get("agentsourcedids")),
    )


def parse(files: Mapping[str, str]) -> RosterData:
    """Parse a OneRoster CSV set given as ``{file name: text}`` (names compared lower-case)."""
    by_name = {name.lower().rsplit("/", 1)[-1]: text for name, text in files.items()}
    errors: list[RowError] = []
    for name in by_name:
        if name not in KNOWN_FILES:
            errors.append(RowError(name, 1, "this is not a OneRoster 1.1 file we can read"))
    for name in (ORGS, USERS):
        if name not in by_name:
            errors.append(RowError(name, 1, f"{name} is missing from the upload"))
    if errors:
        return RosterData("oneroster", errors=tuple(errors), files=tuple(by_name))

    tables = {name: read_table(text) for name, text in by_name.items() if name in REQUIRED}
    for name, table in tables.items():
        if problem := _missing_columns(name, table):
            errors.append(problem)
    if errors:
        return RosterData("oneroster", errors=tuple(errors), files=tuple(by_name))

    orgs = _read_orgs(tables[ORGS], errors)
    enrolled_at = (
        _read_enrollment_schools(tables[ENROLLMENTS], orgs, errors) if ENROLLMENTS in tables else {}
    )
    people: list[PersonRecord] = []
    users = tables[USERS]
    for row in users.rows:
        person = _person(row.values, Where(USERS, row.line), orgs, enrolled_at, errors)
        if person is not None:
            people.append(person)
    full = not any(row.get("status") for row in users.rows)
    return RosterData(
        "oneroster",
        orgs=tuple(orgs.schools.values()),
        people=tuple(people),
        errors=tuple(errors),
        full=full,
        files=tuple(by_name),
    )
