"""The simple one-file CSV, for academies without a OneRoster export.

Columns (header names in any case; the order does not matter):

``academy``     the academy's short code or name; blank only for trust staff
``role``        pupil, parent (or carer), teacher, support staff, volunteer, staff, dsl or head
``name``        the person's full name
``username``    what they sign in with; re-importing the same username updates that person
``email``       optional for pupils and parents
``year``        pupils' year group: N1, N2 (Nursery), Reception, 1 … 13 (``Year 5``, ``Y5``)
``start date``  staff start date (2025-09-01 or 01/09/2025)
``parent of``   on a parent's row: the usernames of their children, separated by ``;``
``left on``     optional: the date someone left; they are deactivated
"""

from __future__ import annotations

from elearn.auth.roles import Role, StaffKind
from elearn.roster.csvtext import (
    CsvProblem,
    email_problem,
    normalise_username,
    parse_date,
    parse_year,
    read_table,
    split_list,
    username_problem,
)
from elearn.roster.records import AcademyRef, PersonRecord, RosterData, RowError, Where

COLUMNS = ("academy", "role", "name", "username", "email", "year", "startdate", "parentof")
ALIASES = {
    "school": "academy",
    "fullname": "name",
    "displayname": "name",
    "yeargroup": "year",
    "starton": "startdate",
    "startdate": "startdate",
    "children": "parentof",
    "leftdate": "lefton",
    "leavingdate": "lefton",
    "lefton": "lefton",
}
REQUIRED = ("academy", "role", "name", "username")

ROLES: dict[str, tuple[Role, StaffKind | None]] = {
    "pupil": (Role.PUPIL, None),
    "student": (Role.PUPIL, None),
    "parent": (Role.PARENT, None),
    "carer": (Role.PARENT, None),
    "parentorcarer": (Role.PARENT, None),
    "guardian": (Role.PARENT, None),
    "staff": (Role.STAFF, StaffKind.TEACHER),
    "teacher": (Role.STAFF, StaffKind.TEACHER),
    "support": (Role.STAFF, StaffKind.SUPPORT),
    "supportstaff": (Role.STAFF, StaffKind.SUPPORT),
    "volunteer": (Role.STAFF, StaffKind.VOLUNTEER),
    "truststaff": (Role.STAFF, StaffKind.TRUST),
    "dsl": (Role.DSL, StaffKind.TEACHER),
    "designatedsafeguardinglead": (Role.DSL, StaffKind.TEACHER),
    "head": (Role.HEAD, StaffKind.TEACHER),
    "headteacher": (Role.HEAD, StaffKind.TEACHER),
}


TEMPLATE_HEADINGS = (
    "academy",
    "role",
    "name",
    "username",
    "email",
    "year",
    "start date",
    "parent of",
    "left on",
)


def template_csv() -> str:
    """An empty file with the headings, to fill in a spreadsheet and upload."""
    return ",".join(TEMPLATE_HEADINGS) + "\r\n"


def _role_key(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def parse(name: str, text: str) -> RosterData:
    """Parse one simple CSV file; each bad row becomes an error with its line number."""
    try:
        table = read_table(text, ALIASES)
    except CsvProblem as problem:
        return RosterData(
            "simple", errors=(RowError(name, problem.line, problem.message),), files=(name,)
        )
    if not table.headers:
        return RosterData("simple", errors=(RowError(name, 1, "the file is empty"),), files=(name,))
    missing = [column for column in REQUIRED if column not in table.headers]
    if missing:
        return RosterData(
            "simple",
            errors=(RowError(name, 1, "missing column(s): " + ", ".join(missing)),),
            files=(name,),
        )

    errors: list[RowError] = []
    people: list[PersonRecord] = []
    refused: list[tuple[str, Where]] = []
    for row in table.rows:
        where = Where(name, row.line)
        problems: list[str] = []
        role_text = row.get("role")
        mapped = ROLES.get(_role_key(role_text))
        if _role_key(role_text) in ("admin", "trustadministrator", "administrator"):
            problems.append("trust administrators are added on the People page, not by import")
        elif mapped is None:
            problems.append(
                f"role '{role_text}' is not one we know (pupil, parent, teacher, support staff, "
                "volunteer, dsl, head)"
            )
        role, kind = mapped if mapped else (Role.STAFF, None)

        username = normalise_username(row.get("username"))
        if problem := username_problem(username):
            problems.append(problem)
        display_name = " ".join(row.get("name").split())
        if not display_name:
            problems.append("the name is empty")
        elif len(display_name) > 200:
            problems.append("the name is longer than 200 characters")
        email = row.get("email").lower() or None
        if problem := email_problem(email):
            problems.append(problem)

        academy_text = row.get("academy")
        if not academy_text and not (role.is_staff and kind is StaffKind.TRUST):
            problems.append("the academy is empty")
        academy = AcademyRef(name_or_code=academy_text or None)

        left_on = None
        if row.get("lefton"):
            try:
                left_on = parse_date(row.get("lefton"))
            except ValueError as error:
                problems.append(f"left on: {error}")

        year_group = None
        if row.get("year"):
            try:
                year_group = parse_year(row.get("year"))
            except ValueError as error:
                problems.append(str(error))
        elif role is Role.PUPIL and left_on is None:
            problems.append("a pupil needs a year group")

        start_on = None
        if row.get("startdate"):
            try:
                start_on = parse_date(row.get("startdate"))
            except ValueError as error:
                problems.append(f"start date: {error}")

        links = tuple(normalise_username(u) for u in split_list(row.get("parentof")))
        if links and role is not Role.PARENT:
            problems.append("only a parent's row can list children in 'parent of'")

        if problems:
            errors.extend(where.error(problem) for problem in problems)
            if username:
                refused.append((username, where))
            continue
        people.append(
            PersonRecord(
                where=where,
                source_id=None,
                username=username,
                display_name=display_name,
                email=email,
                role=role,
                staff_kind=kind,
                academy=academy,
                year_group=year_group if role is Role.PUPIL else None,
                start_on=start_on if role.is_staff else None,
                leaving=left_on is not None,
                left_on=left_on,
                links=links,
            )
        )
    return RosterData(
        "simple",
        people=tuple(people),
        errors=tuple(errors),
        full=False,
        files=(name,),
        refused=tuple(refused),
    )
