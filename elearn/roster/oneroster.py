"""OneRoster 1.1 CSV: ``orgs.csv``, ``users.csv`` and, optionally, ``enrollments.csv``.

What is read, and how it maps onto the trust:

* orgs of type ``school`` are academies (matched by sourcedId); the ``district`` is the trust.
* users: ``student`` → pupil; ``parent``, ``guardian``, ``relative`` → parent or carer;
  ``teacher`` → teaching staff; ``aide``, ``administrator``, ``proctor`` → support staff.
  An import never makes anyone a safeguarding lead, head teacher or trust administrator.
* the UK year group comes from ``metadata.uk.ncYear`` (the extension column UK MIS
  connectors fill, leaving ``grades`` blank), else from ``grades``: ``Year 5``, ``Y5``,
  ``05``, ``5``; ``R``, ``Reception`` or ``KG``; ``N1`` and ``N2`` for Nursery.
* ``agentSourcedIds`` links pupils and their parents, from either side.
* ``manifest.csv`` says whether ``users.csv`` is ``bulk`` or ``delta``. A bulk file is the
  whole roster: people from an earlier import whom it no longer lists have left. A delta file
  changes only the rows it has, and ``status=tobedeleted`` marks a leaver. Files that disagree
  with their manifest are refused, never guessed at.
* ``enabledUser=false`` curtails access: the person stays on the roll (no leaving date, so
  no retention clock) but cannot sign in until a later file enables them.
* ``enrollments.csv`` supplies a person's school when ``orgSourcedIds`` names only the trust.
* passwords in ``users.csv`` are ignored: the app never takes passwords from a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from elearn.auth.roles import Role, StaffKind
from elearn.roster import manifest
from elearn.roster.csvtext import (
    CsvProblem,
    CsvTable,
    email_problem,
    normalise_username,
    parse_year,
    read_table,
    split_list,
    username_problem,
)
from elearn.roster.manifest import MANIFEST
from elearn.roster.records import (
    AcademyRef,
    OrgRecord,
    PersonRecord,
    RosterData,
    RowError,
    Where,
)

ORGS, USERS, ENROLLMENTS = "orgs.csv", "users.csv", "enrollments.csv"
MAX_ID_LENGTH = 100  # what the roster_id columns hold
NC_YEAR = "metadata.uk.ncyear"  # header_key of metadata.uk.ncYear
KNOWN_FILES = frozenset(
    {
        ORGS,
        USERS,
        ENROLLMENTS,
        MANIFEST,
        # Part of a OneRoster export but not needed here; accepted and left alone.
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
    refused: dict[str, Where]  # orgs whose own row was refused, so others name that instead

    def unknown_problem(self, column: str, org_id: str) -> str | None:
        if org_id in self.schools or org_id in self.others:
            return None
        if org_id in self.refused:
            return f"{column} names {org_id}, whose own row was refused ({self.refused[org_id]})"
        return f"{column} names {org_id}, not in orgs.csv"


def _read_orgs(table: CsvTable, errors: list[RowError]) -> _Orgs:
    schools: dict[str, OrgRecord] = {}
    others: set[str] = set()
    refused: dict[str, Where] = {}
    first_line: dict[str, int] = {}
    # Two schools with one name (or one identifier) would be two academies the database
    # cannot tell apart: refused here, at the dry run, rather than failing at confirm.
    name_line: dict[str, int] = {}
    identifier_line: dict[str, int] = {}
    for row in table.rows:
        where = Where(ORGS, row.line)
        source_id = row.get("sourcedid")
        if not source_id:
            errors.append(where.error("sourcedId is empty"))
            continue
        if len(source_id) > MAX_ID_LENGTH:
            errors.append(where.error(f"sourcedId is longer than {MAX_ID_LENGTH} characters"))
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
        name = " ".join(row.get("name").split())
        identifier = row.get("identifier")
        problem = None
        if not name:
            problem = "the school has no name"
        elif len(name) > 200:
            problem = "the school's name is longer than 200 characters"
        elif name.lower() in name_line:
            problem = f"another school is also called {name} (line {name_line[name.lower()]})"
        elif identifier and identifier.lower() in identifier_line:
            problem = (
                f"another school has the identifier {identifier} "
                f"(line {identifier_line[identifier.lower()]})"
            )
        if problem:
            errors.append(where.error(problem))
            refused[source_id] = where
            continue
        name_line[name.lower()] = row.line
        if identifier:
            identifier_line[identifier.lower()] = row.line
        schools[source_id] = OrgRecord(where, source_id, name, identifier or None)
    return _Orgs(schools, others, refused)


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
            if problem := orgs.unknown_problem("schoolSourcedId", school_id):
                errors.append(where.error(problem))
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
    elif len(source_id) > MAX_ID_LENGTH:
        problems.append(f"sourcedId is longer than {MAX_ID_LENGTH} characters")
    role_text = get("role").lower()
    mapped = ROLES.get(role_text)
    if mapped is None:
        problems.append(
            f"role '{get('role')}' is not one we know (student, parent, guardian, relative, "
            "teacher, aide, administrator)"
        )
    username = normalise_username(get("username"))
    if problem := username_problem(username):
        problems.append(problem)
    given = get("preferredfirstname") or get("givenname")
    family = get("familyname")
    display_name = " ".join(part for part in (given, family) if part)
    if not display_name:
        problems.append("givenName and familyName are both empty")
    elif len(display_name) > 200:
        problems.append("the name is longer than 200 characters")
    email = get("email").lower() or None
    if problem := email_problem(email):
        problems.append(problem)

    leaving = get("status").lower() == "tobedeleted"
    curtailed = not leaving and get("enableduser").lower() == "false"

    org_ids = split_list(get("orgsourcedids"))
    problems.extend(
        problem
        for org_id in org_ids
        if (problem := orgs.unknown_problem("orgSourcedIds", org_id)) is not None
    )
    school = next((o for o in org_ids if o in orgs.schools), None)
    school = school or enrolled_at.get(source_id)

    year_group = None
    role, kind = mapped if mapped else (Role.STAFF, None)
    if role is Role.PUPIL and not leaving:
        # UK MIS connectors put the National Curriculum year in an extension column and
        # leave grades blank; other exports use grades.
        year_text = get(NC_YEAR) or next(iter(split_list(get("grades"))), "")
        if not year_text:
            problems.append("a student needs a year group in metadata.uk.ncYear or grades")
        else:
            try:
                year_group = parse_year(year_text)
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
        curtailed=curtailed,
        links=split_list(get("agentsourcedids")),
    )


def parse(files: Mapping[str, str]) -> RosterData:
    """Parse a OneRoster CSV set given as ``{file name: text}`` (names compared lower-case)."""
    by_name = {name.lower().rsplit("/", 1)[-1]: text for name, text in files.items()}
    errors: list[RowError] = []

    def refuse() -> RosterData:
        return RosterData("oneroster", errors=tuple(errors), files=tuple(by_name))

    for name in by_name:
        if name not in KNOWN_FILES:
            errors.append(RowError(name, 1, "this is not a OneRoster 1.1 file we can read"))
    for name in (MANIFEST, ORGS, USERS):
        if name not in by_name:
            errors.append(RowError(name, 1, f"{name} is missing from the upload"))
    if errors:
        return refuse()

    tables: dict[str, CsvTable] = {}
    for name, text in by_name.items():
        if name in REQUIRED or name == MANIFEST:
            try:
                tables[name] = read_table(text)
            except CsvProblem as problem:
                errors.append(RowError(name, problem.line, problem.message))
    if errors:
        return refuse()
    found = manifest.read_manifest(tables[MANIFEST], errors)
    manifest.check_files(found, by_name, errors)
    for name in REQUIRED:
        if name in tables and (problem := _missing_columns(name, tables[name])):
            errors.append(problem)
    if errors:
        return refuse()
    for name in REQUIRED:
        if name in tables:
            manifest.check_statuses(name, tables[name], found.mode(name), errors)
    if errors:
        return refuse()

    orgs = _read_orgs(tables[ORGS], errors)
    enrolled_at = (
        _read_enrollment_schools(tables[ENROLLMENTS], orgs, errors) if ENROLLMENTS in tables else {}
    )
    people: list[PersonRecord] = []
    refused: list[tuple[str, Where]] = []
    for row in tables[USERS].rows:
        where = Where(USERS, row.line)
        person = _person(row.values, where, orgs, enrolled_at, errors)
        if person is not None:
            people.append(person)
        elif row.get("sourcedid"):
            refused.append((row.get("sourcedid"), where))
    return RosterData(
        "oneroster",
        orgs=tuple(orgs.schools.values()),
        people=tuple(people),
        errors=tuple(errors),
        full=found.mode(USERS) == "bulk",
        files=tuple(by_name),
        refused=tuple(refused),
        refused_orgs=tuple(orgs.refused.items()),
    )
