"""A progress report as CSV, safe to open in a spreadsheet (see the compliance export)."""

from __future__ import annotations

import csv
import io

from elearn.compliance.export import BOM, csv_safe
from elearn.progress.services import ProgressReport


def _year(year_group: int | None) -> str:
    if year_group is None:
        return ""
    return "Reception" if year_group == 0 else f"Year {year_group}"


def progress_csv(report: ProgressReport) -> str:
    """One row per pupil; dates as YYYY-MM-DD so they sort."""
    course = report.course
    header = ["Name", "Username", "Year group", "Course", "Status", "Finished on"]
    header += [f"Lesson {lesson.position}: {lesson.title} (read on)" for lesson in course.lessons]
    if course.quiz is not None:
        header += ["Quiz", "Best score (%)", "Attempts", "Quiz date"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(title) for title in header])
    for row in report.rows:
        values: list[object] = [
            row.name,
            row.username,
            _year(row.year_group),
            course.title,
            row.stage.label,
            row.finished_on.isoformat() if row.finished_on else "",
        ]
        values += [day.isoformat() if day else "" for day in row.lessons_read_on]
        if row.quiz is not None:
            values += [
                row.quiz.stage.label,
                row.quiz.best_percent if row.quiz.best_percent is not None else "",
                row.quiz.attempts,
                row.quiz.on.isoformat() if row.quiz.on else "",
            ]
        writer.writerow([csv_safe(value) for value in values])
    return BOM + buffer.getvalue()
