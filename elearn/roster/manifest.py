"""OneRoster 1.1's ``manifest.csv``: which files the export holds, each ``bulk`` or ``delta``.

The manifest is the export's own statement of what it is, so the files are checked against
it: a file it lists that is not there, a file that is there but listed as absent, or rows
whose ``status`` contradicts the file's mode all refuse the import. Guessing the mode from
the rows would turn a delta file sent by mistake into "everyone else has left".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from elearn.roster.csvtext import CsvTable
from elearn.roster.records import RowError

MANIFEST = "manifest.csv"
Mode = Literal["bulk", "delta", "absent"]
_MODES = ("bulk", "delta", "absent")
DELTA_STATUSES = ("active", "tobedeleted")


@dataclass(frozen=True)
class Manifest:
    modes: dict[str, Mode]  # lower-case file name → its mode
    lines: dict[str, int]  # lower-case file name → its line in manifest.csv

    def mode(self, file_name: str) -> Mode:
        return self.modes.get(file_name, "absent")


def read_manifest(table: CsvTable, errors: list[RowError]) -> Manifest:
    """Read the ``propertyName,value`` rows; problems are added to ``errors``."""
    if not table.headers:
        errors.append(RowError(MANIFEST, 1, "the file is empty"))
        return Manifest({}, {})
    missing = [c for c in ("propertyname", "value") if c not in table.headers]
    if missing:
        errors.append(RowError(MANIFEST, 1, "missing column(s): " + ", ".join(missing)))
        return Manifest({}, {})
    modes: dict[str, Mode] = {}
    lines: dict[str, int] = {}
    for row in table.rows:
        name, value = row.get("propertyname"), row.get("value")
        if name.lower() == "oneroster.version" and value not in ("1.1", "1.1.0"):
            errors.append(
                RowError(
                    MANIFEST,
                    row.line,
                    f"oneroster.version is '{value}'; only OneRoster 1.1 CSV can be imported",
                )
            )
            continue
        if not name.lower().startswith("file."):
            continue
        file_name = name[len("file.") :].lower() + ".csv"
        mode = value.lower()
        if mode not in _MODES:
            errors.append(
                RowError(
                    MANIFEST, row.line, f"{name} is '{value}'; it must be bulk, delta or absent"
                )
            )
            continue
        modes[file_name] = mode  # type: ignore[assignment]
        lines[file_name] = row.line
    return Manifest(modes, lines)


def check_files(manifest: Manifest, present: Iterable[str], errors: list[RowError]) -> None:
    """Each file the manifest lists must be there, and each file there must be listed."""
    present = set(present) - {MANIFEST}
    for file_name, mode in sorted(manifest.modes.items()):
        if mode != "absent" and file_name not in present:
            errors.append(
                RowError(
                    MANIFEST,
                    manifest.lines[file_name],
                    f"the manifest lists {file_name} as {mode}, but {file_name} is not in the "
                    "upload; add it, or upload the whole export again",
                )
            )
    for file_name in sorted(present):
        if manifest.mode(file_name) == "absent":
            listed = "lists it as absent" if file_name in manifest.modes else "does not list it"
            errors.append(
                RowError(
                    file_name,
                    1,
                    f"{file_name} is in the upload but manifest.csv {listed}; upload the files "
                    "of one export together",
                )
            )


def check_statuses(file_name: str, table: CsvTable, mode: Mode, errors: list[RowError]) -> None:
    """Bulk rows leave ``status`` blank; delta rows say ``active`` or ``tobedeleted``."""
    if mode == "bulk":
        wrong = [row for row in table.rows if row.get("status")]
        rule = "a bulk file leaves status blank"
    else:
        wrong = [row for row in table.rows if row.get("status").lower() not in DELTA_STATUSES]
        rule = "every row of a delta file says active or tobedeleted"
    if not wrong:
        return
    first = wrong[0]
    others = f" (and {len(wrong) - 1} more rows)" if len(wrong) > 1 else ""
    status = first.get("status")
    errors.append(
        RowError(
            file_name,
            first.line,
            f"status is {repr(status) if status else 'blank'}{others}, but manifest.csv says "
            f"{file_name} is {mode}: {rule}. Nothing was guessed; export the file again",
        )
    )
