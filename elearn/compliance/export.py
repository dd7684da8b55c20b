"""The CSV export of a dashboard view, safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting ``=``, ``+``, ``-`` or ``@``, or a tab
or carriage return that some programs skip before looking) is prefixed with ``'`` so it shows
as text: a staff name typed as ``=HYPERLINK(...)`` must not run when a DSL opens the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from elearn.compliance.status import Matrix

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a UTF-8 file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"


def csv_safe(value: object) -> str:
    """The text of one cell, neutralised if a spreadsheet would treat it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def header(matrix: Matrix) -> list[str]:
    columns = ["Name", "Username", "Role", "Staff type", "Academy", "Start date"]
    for requirement in matrix.requirements:
        title = requirement.short_title
        columns += [f"{title}: status", f"{title}: due or expires", f"{title}: last completed"]
    return columns


def rows(matrix: Matrix) -> Iterable[list[str]]:
    for row in matrix.rows:
        values: list[object] = [
            row.name,
            row.username,
            row.role.label,
            row.staff_kind.label if row.staff_kind else "",
            row.academy_name,
            row.start_on.isoformat() if row.start_on else "",
        ]
        for requirement in matrix.requirements:
            cell = row.cell(requirement.course_id)
            values += [
                cell.status.label,
                cell.due_on.isoformat() if cell.due_on else "",
                cell.last_completed_on.isoformat() if cell.last_completed_on else "",
            ]
        yield [csv_safe(value) for value in values]


def matrix_csv(matrix: Matrix) -> str:
    """The whole filtered view as CSV text (dates as YYYY-MM-DD so they sort)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(title) for title in header(matrix)])
    writer.writerows(rows(matrix))
    return BOM + buffer.getvalue()
